import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  commonSignInResolvers,
  createOAuthAuthenticator,
  createOAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { oidcAuthenticator } from '@backstage/plugin-auth-backend-module-oidc-provider';

type StockContext = ReturnType<typeof oidcAuthenticator.initialize>;
type InitializeOptions = Parameters<typeof oidcAuthenticator.initialize>[0];

/** What our authenticator keeps: a way to get the stock context, made on demand. */
export type LazyOidcContext = {
  get(): Promise<StockContext>;
};

/**
 * Makes the stock authenticator's context on first use, and again after a
 * failure.
 *
 * The stock `initialize` starts the IdP's discovery (`Issuer.discover`) at once
 * and keeps the promise, so an IdP that is down when the backend starts leaves
 * sign-in broken until a restart (and an unhandled rejection in the log). Here
 * discovery waits for the first sign-in, refresh or logout; a failed attempt is
 * forgotten and the next request tries again. Concurrent requests share one
 * attempt; a successful one is kept.
 */
export function createLazyOidcContext(
  options: InitializeOptions,
): LazyOidcContext {
  let current: Promise<StockContext> | undefined;
  return {
    get() {
      if (!current) {
        const attempt = (async () => {
          const ctx = oidcAuthenticator.initialize(options);
          try {
            await ctx.promise; // discovery
          } catch (error) {
            const metadataUrl = options.config.getString('metadataUrl');
            throw new Error(
              `OpenID provider discovery at ${metadataUrl} failed (tried again on the next request): ${error}`,
              { cause: error },
            );
          }
          return ctx;
        })();
        current = attempt;
        attempt.catch(() => {
          if (current === attempt) current = undefined;
        });
      }
      return current;
    },
  };
}

/**
 * The stock OIDC authenticator
 * (`@backstage/plugin-auth-backend-module-oidc-provider`), initialised lazily
 * and retried: see {@link createLazyOidcContext}. Reads the same config
 * (`auth.providers.oidc.<environment>`).
 */
export const lazyOidcAuthenticator = createOAuthAuthenticator({
  defaultProfileTransform: oidcAuthenticator.defaultProfileTransform,
  scopes: oidcAuthenticator.scopes,
  initialize(options): LazyOidcContext {
    // Fail at start-up on missing settings, as the stock module does; only the
    // part that talks to the IdP waits.
    options.config.getString('clientId');
    options.config.getString('clientSecret');
    options.config.getString('metadataUrl');
    return createLazyOidcContext(options);
  },
  async start(input, lazy) {
    return oidcAuthenticator.start(input, await lazy.get());
  },
  async authenticate(input, lazy) {
    return oidcAuthenticator.authenticate(input, await lazy.get());
  },
  async refresh(input, lazy) {
    return oidcAuthenticator.refresh(input, await lazy.get());
  },
  async logout(input, lazy) {
    return oidcAuthenticator.logout?.(input, await lazy.get());
  },
});

/**
 * Sign-in with the company's OpenID provider (locally: scripts/idp.mjs),
 * provider id `oidc`. Replaces the stock oidc-provider module, which is not
 * added to the backend.
 */
export const authModuleLazyOidcProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'oidc-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'oidc',
          factory: createOAuthProviderFactory({
            authenticator: lazyOidcAuthenticator,
            signInResolverFactories: {
              emailMatchingUserEntityProfileEmail:
                commonSignInResolvers.emailMatchingUserEntityProfileEmail,
            },
          }),
        });
      },
    });
  },
});

export default authModuleLazyOidcProvider;
