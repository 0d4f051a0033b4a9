import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// scaffolder, with the Meter SIEM actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// auth: OpenID Connect sign-in (locally against scripts/idp.mjs), initialised
// lazily so the backend starts whether or not the IdP is up
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('./oidcSignIn'));
// guest sign-in (as user:default/guest) for a quick look, only where the config
// has auth.providers.guest: the stock module fails at start-up without it, and
// production has none
backend.add(
  createBackendFeatureLoader({
    deps: { config: coreServices.rootConfig },
    *loader({ config }) {
      if (config.has('auth.providers.guest')) {
        yield import('@backstage/plugin-auth-backend-module-guest-provider');
      }
    },
  }),
);

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@internal/backstage-plugin-permission-backend-module-meter-siem'),
);

// search (in-memory engine) over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(
  import('@internal/backstage-plugin-catalog-backend-module-meter-siem'),
);
backend.add(
  import('@internal/backstage-plugin-scaffolder-backend-module-meter-siem'),
);
backend.add(import('@internal/backstage-plugin-meter-siem-backend'));
// A backend that cannot start (a database migration locked by another
// replica starting at the same moment, say) exits, so that an orchestrator
// restarts it, rather than staying up unready.
backend.start().catch(error => {
  // eslint-disable-next-line no-console
  console.error('Backend failed to start', error);
  process.exit(1);
});
