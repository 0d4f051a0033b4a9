export interface Config {
  meterSiem?: {
    permissions?: {
      /**
       * Decide everything else (catalog, scaffolder templates, other
       * plugins) with ALLOW, as the allow-all policy did. Set to false to
       * DENY what this policy does not decide, when you compose it with a
       * policy of your own. Defaults to true.
       */
      allowOthers?: boolean;
    };
  };
}
