import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The plugin's page, `/meter-siem`. */
export const rootRouteRef = createRouteRef();

/** The list of integrations, a tab of the plugin's page. */
export const integrationsRouteRef = createRouteRef();

/** The ownership audit, a tab of the plugin's page. */
export const auditRouteRef = createRouteRef();
