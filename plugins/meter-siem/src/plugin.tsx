import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Header } from '@backstage/ui';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { HomeIcon, SiemIcon } from './components/SiemIcon';
import { MeterSiemClient, meterSiemApiRef } from './api';
import { INTEGRATION_FILTER } from './integration';
import {
  meterSiemFormField,
  meterSiemTemplateOutputs,
} from './components/fields';
import {
  auditRouteRef,
  createIntegrationRouteRef,
  integrationsRouteRef,
  rootRouteRef,
} from './routes';

const TITLE = 'SIEM integrations';

/** The line under the title of the plugin's page. */
export const SUBTITLE =
  'Every Meter SIEM integration on AWS, its owner and its stream; the Audit tab checks them against the tagging policy.';

/** The header of the plugin's page, above each tab's content. */
function SiemPageHeader() {
  return <Header title={TITLE} description={SUBTITLE} />;
}

/** The portal's home page, `/`: the nav's Home. */
export const homeRouteRef = createRouteRef();

/**
 * The portal's home at `/`: what it does, the create button, the user's
 * team's integrations and open findings. Its own header (the app's title),
 * no plugin header, whose title would link to `/meter-siem`.
 */
export const meterSiemHomePage = PageBlueprint.make({
  name: 'home',
  params: {
    path: '/',
    routeRef: homeRouteRef,
    title: 'Home',
    icon: <HomeIcon />,
    noHeader: true,
    loader: () => import('./components/HomePage').then(m => <m.HomePage />),
  },
});

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
      import('./components/IntegrationsPage').then(m => (
        <>
          <SiemPageHeader />
          <m.IntegrationsPage />
        </>
      )),
  },
});

export const auditSubPage = SubPageBlueprint.make({
  name: 'audit',
  params: {
    path: 'audit',
    title: 'Audit',
    routeRef: auditRouteRef,
    loader: () =>
      import('./components/AuditPage').then(m => (
        <>
          <SiemPageHeader />
          <m.AuditPage />
        </>
      )),
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
    meterSiemHomePage,
    meterSiemPage,
    integrationsSubPage,
    auditSubPage,
    integrationEntityCard,
    auditFindingsEntityCard,
    // The templates' `ui:field: MeterSiemField`, and the create template's
    // run page with a copy button per value for Meter's Dashboard.
    meterSiemFormField,
    meterSiemTemplateOutputs,
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
