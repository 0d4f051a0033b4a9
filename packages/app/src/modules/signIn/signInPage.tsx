import { SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';
import { oidcAuthApiRef } from './oidcAuthApi';

const oidcProvider = {
  id: 'oidc-auth-provider',
  title: 'ACME SSO',
  message: 'Sign in with your company account',
  apiRef: oidcAuthApiRef,
};

/** The company sign-in, plus guest where app.signIn.guest is true (local use). */
export function AcmeSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const guest = config.getOptionalBoolean('app.signIn.guest') ?? false;
  return (
    <SignInPage
      {...props}
      providers={guest ? [oidcProvider, 'guest'] : [oidcProvider]}
    />
  );
}

/** Replaces the app's default sign-in page (guest only). */
export const signInPage = SignInPageBlueprint.make({
  params: { loader: async () => AcmeSignInPage },
});
