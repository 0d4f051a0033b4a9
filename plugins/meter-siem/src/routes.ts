import { TEMPLATE_NAMES } from '@internal/backstage-plugin-meter-siem-common';
import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/frontend-plugin-api';

/** The plugin's page, `/meter-siem`. */
export const rootRouteRef = createRouteRef();

/** The list of integrations, a tab of the plugin's page. */
export const integrationsRouteRef = createRouteRef();

/** The ownership audit, a tab of the plugin's page. */
export const auditRouteRef = createRouteRef();

/**
 * The page of a scaffolder template, where an integration is created. Bound
 * by default to the scaffolder's `selectedTemplate` route
 * (`/create/templates/:namespace/:templateName`); an app can bind it
 * elsewhere under `app.routes.bindings` as `meter-siem.createIntegration`.
 */
export const createIntegrationRouteRef = createExternalRouteRef({
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});

/** The template that creates an integration, as its page's parameters. */
export const INTEGRATION_TEMPLATE = {
  namespace: 'default',
  templateName: TEMPLATE_NAMES.create,
};
