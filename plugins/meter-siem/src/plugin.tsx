import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { SiemIcon } from './components/SiemIcon';
import { MeterSiemClient, meterSiemApiRef } from './api';
import { INTEGRATION_FILTER } from './integration';
import {
  auditRouteRef,
  createIntegrationRouteRef,
  integrationsRouteRef,
  rootRouteRef,
} from './routes';

const TITLE = 'SIEM integrations';

/**
 * The plugin's page. Its views are tabs (sub-pages), so that later views of
 * the same integrations, such as the ownership audit, sit beside the list.
 */
export const meterSiemPage = PageBlueprint.make({
  params: {
    path: '/meter-siem',
    routeRef: rootRouteRef,
    title: TITLE,
    icon: <SiemIcon />,
  },
});

export const integrationsSubPage = SubPageBlueprint.make({
  name: 'integrations',
  params: {
    path: 'integrations',
    title: 'Integrations',
    routeRef: integrationsRouteRef,
    loader: () =>
      import('./components/IntegrationsPage').then(m => <m.IntegrationsPage />),
  },
});

export const auditSubPage = SubPageBlueprint.make({
  name: 'audit',
  params: {
    path: 'audit',
    title: 'Audit',
    routeRef: auditRouteRef,
    loader: () => import('./components/AuditPage').then(m => <m.AuditPage />),
  },
});

/**
 * The client of the meter-siem backend; tests replace it through
 * `meterSiemApiRef`.
 */
export const meterSiemApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meterSiemApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeterSiemClient({ discoveryApi, fetchApi }),
    }),
});

export const integrationEntityCard = EntityCardBlueprint.make({
  name: 'integration',
  params: {
    filter: INTEGRATION_FILTER,
    loader: () =>
      import('./components/IntegrationCard').then(m => <m.IntegrationCard />),
  },
});

/**
 * The audit findings of one integration, a card of its own beside the
 * integration card: that one reads only the entity and renders at once, this
 * one calls the backend and has its own loading and error states, and an app
 * without the backend can turn it off alone.
 */
export const auditFindingsEntityCard = EntityCardBlueprint.make({
  name: 'audit-findings',
  params: {
    filter: INTEGRATION_FILTER,
    loader: () =>
      import('./components/FindingsCard').then(m => <m.FindingsCard />),
  },
});

export const meterSiemPlugin = createFrontendPlugin({
  pluginId: 'meter-siem',
  title: TITLE,
  icon: <SiemIcon />,
  info: { packageJson: () => import('../package.json') },
  extensions: [
    meterSiemApi,
    meterSiemPage,
    integrationsSubPage,
    auditSubPage,
    integrationEntityCard,
    auditFindingsEntityCard,
  ],
  routes: {
    root: rootRouteRef,
    integrations: integrationsRouteRef,
    audit: auditRouteRef,
  },
  externalRoutes: {
    createIntegration: createIntegrationRouteRef,
  },
});
