import {
  createFrontendPlugin,
  PageBlueprint,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { INTEGRATION_ENTITY_TYPE } from '@internal/backstage-plugin-meter-siem-common';
import { SiemIcon } from './components/SiemIcon';
import { integrationsRouteRef, rootRouteRef } from './routes';

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

export const integrationEntityCard = EntityCardBlueprint.make({
  name: 'integration',
  params: {
    filter: { kind: 'resource', 'spec.type': INTEGRATION_ENTITY_TYPE },
    loader: () =>
      import('./components/IntegrationCard').then(m => <m.IntegrationCard />),
  },
});

export const meterSiemPlugin = createFrontendPlugin({
  pluginId: 'meter-siem',
  title: TITLE,
  icon: <SiemIcon />,
  info: { packageJson: () => import('../package.json') },
  extensions: [meterSiemPage, integrationsSubPage, integrationEntityCard],
  routes: {
    root: rootRouteRef,
    integrations: integrationsRouteRef,
  },
});
