export interface Config {
  app?: {
    /** The sign-in page. */
    signIn?: {
      /**
       * Also offer guest sign-in (as user:default/guest) next to the company
       * sign-in. For local use; off unless set. The backend needs
       * auth.providers.guest as well.
       * @visibility frontend
       */
      guest?: boolean;
    };
  };
}
