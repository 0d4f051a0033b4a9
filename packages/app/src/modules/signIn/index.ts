import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { oidcAuthApi } from './oidcAuthApi';
import { signInPage } from './signInPage';

export { oidcAuthApiRef } from './oidcAuthApi';

/** Company sign-in (OpenID Connect), and guest where app.signIn.guest is set. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});
