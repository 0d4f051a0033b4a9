import { ReactNode } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  configApiRef,
  identityApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  Button,
  ButtonLink,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  Container,
  Flex,
  Grid,
  Header,
  Link,
  Skeleton,
  Text,
} from '@backstage/ui';
import { SEVERITIES, meterSiemApiRef } from '../../api';
import {
  INTEGRATION_FILTER,
  IntegrationView,
  entityRouteParams,
  formatOwner,
  readIntegration,
} from '../../integration';
import {
  INTEGRATION_TEMPLATE,
  auditRouteRef,
  integrationsRouteRef,
} from '../../routes';
import { errorMessage } from '../errorMessage';
import { SeverityText } from '../Severity';
import { StreamStatus } from '../StreamStatus';
import { useTemplateLink } from '../useTemplateLink';
import { teamNames, teamRefs } from './teams';
import { useOwnerNames } from '../IntegrationsPage/useOwnerNames';
import { plainListStyle } from '../plainList';

/** What the portal does, under the home page's title. */
export const HOME_DESCRIPTION =
  "This portal creates Meter SIEM integrations on AWS (a Kinesis data stream and the IAM role Meter assumes to write to it) and lists every one in the catalog under its owning team. It audits them against the tagging policy, and each integration's page runs the day-two changes: fix tags, verify delivery, alarm, resize, rotate the external ID, decommission.";

/** How many of the team's integrations the home page lists. */
export const INTEGRATIONS_SHOWN = 5;

const listStyle = plainListStyle('3');

function Loading(props: { label: string }) {
  return (
    <Flex direction="column" gap="2" aria-label={props.label}>
      <Skeleton width="60%" height={16} />
      <Skeleton width="90%" height={16} />
    </Flex>
  );
}

function LoadError(props: { title: string; error: Error; retry: () => void }) {
  return (
    <Alert
      status="danger"
      icon
      title={props.title}
      description={errorMessage(props.error)}
      customActions={
        <Button variant="secondary" size="small" onPress={props.retry}>
          Try again
        </Button>
      }
    />
  );
}

function HomeCard(props: {
  title: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <Card role="region" aria-label={props.title}>
      <CardHeader>
        <Text as="h3" variant="title-x-small" weight="bold">
          {props.title}
        </Text>
      </CardHeader>
      <CardBody>{props.children}</CardBody>
      {props.footer && <CardFooter>{props.footer}</CardFooter>}
    </Card>
  );
}

/** The query of a view of the plugin filtered to one team, if one. */
function ownerQuery(teams: string[], value: (team: string) => string) {
  return teams.length === 1
    ? `?${new URLSearchParams({ owner: value(teams[0]) })}`
    : '';
}

/** The signed-in user's ownership refs and, among them, their teams. */
async function readOwnership(identityApi: {
  getBackstageIdentity(): Promise<{ ownershipEntityRefs: string[] }>;
}) {
  const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
  return { refs: ownershipEntityRefs, teams: teamRefs(ownershipEntityRefs) };
}

function IntegrationItem(props: { view: IntegrationView }) {
  const { view } = props;
  const entityRoute = useRouteRef(entityRouteRef);
  const params = entityRouteParams(view.entityRef);
  const href = params && entityRoute?.(params);
  const where = [view.accountId, view.region, view.environment]
    .filter(Boolean)
    .join(' · ');
  return (
    <li>
      <Flex direction="column" gap="1">
        <Flex align="baseline" gap="2" style={{ flexWrap: 'wrap' }}>
          {href ? (
            <Link href={href} weight="bold">
              {view.title}
            </Link>
          ) : (
            <Text as="span" weight="bold">
              {view.title}
            </Text>
          )}
          {view.streamStatus && <StreamStatus status={view.streamStatus} />}
        </Flex>
        {where && (
          <Text as="span" variant="body-small" color="secondary">
            {where}
          </Text>
        )}
      </Flex>
    </li>
  );
}

/**
 * The integrations that the user's teams (or the user) own, from the
 * catalog: those whose `ownedBy` relation is one of the ownership refs.
 */
export function MyIntegrationsCard() {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  const integrationsRoute = useRouteRef(integrationsRouteRef);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const { refs, teams } = await readOwnership(identityApi);
    if (refs.length === 0) return { teams, views: [] };
    const { items } = await catalogApi.getEntities({
      filter: { ...INTEGRATION_FILTER, 'relations.ownedBy': refs },
    });
    const views = items
      .map(readIntegration)
      .sort((a, b) => a.title.localeCompare(b.title));
    return { teams, views };
  }, [identityApi, catalogApi]);
  const nameOf = useOwnerNames(value?.teams);

  let content;
  let footer;
  if (error) {
    content = (
      <LoadError
        title="Could not load your team's integrations"
        error={error}
        retry={retry}
      />
    );
  } else if (loading || !value) {
    content = <Loading label="Loading your team's integrations" />;
  } else {
    const { teams, views } = value;
    const owners = teams.length > 0 ? teamNames(teams, nameOf) : 'you';
    const all = integrationsRoute?.();
    if (views.length === 0) {
      content = (
        <Text as="p" variant="body-medium" color="secondary">
          {teams.length > 0
            ? `No SIEM integration is owned by ${owners} yet.`
            : 'You are in no team of the catalog, so you own no SIEM integration.'}
        </Text>
      );
    } else {
      content = (
        <Flex direction="column" gap="3">
          <Text as="p" variant="body-medium" color="secondary">
            {views.length === 1
              ? `1 integration owned by ${owners}`
              : `${views.length} integrations owned by ${owners}`}
          </Text>
          <ul style={listStyle} aria-label="My team's integrations">
            {views.slice(0, INTEGRATIONS_SHOWN).map(view => (
              <IntegrationItem key={view.entityRef} view={view} />
            ))}
          </ul>
        </Flex>
      );
    }
    footer = all && (
      <Link href={`${all}${ownerQuery(teams, t => formatOwner(t) ?? t)}`}>
        {views.length > INTEGRATIONS_SHOWN
          ? `See all ${views.length} in SIEM integrations`
          : 'Open SIEM integrations'}
      </Link>
    );
  }

  return (
    <HomeCard title="My team's integrations" footer={footer}>
      {content}
    </HomeCard>
  );
}

/**
 * The audit's open findings on the integrations the user's teams own: the
 * meter-siem backend's `GET /findings`, filtered to the ownership refs.
 */
export function MyFindingsCard() {
  const identityApi = useApi(identityApiRef);
  const meterSiemApi = useApi(meterSiemApiRef);
  const auditRoute = useRouteRef(auditRouteRef);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const { refs, teams } = await readOwnership(identityApi);
    // No refs would be no filter, every team's findings: none are the user's.
    // The card shows counts only: `limit: 0` asks for no rows.
    const report =
      refs.length > 0
        ? await meterSiemApi.getFindings({ owner: refs, limit: 0 })
        : undefined;
    return { teams, report };
  }, [identityApi, meterSiemApi]);
  const nameOf = useOwnerNames(value?.teams);

  let content;
  let footer;
  if (error) {
    content = (
      <LoadError
        title="Could not load the audit findings"
        error={error}
        retry={retry}
      />
    );
  } else if (loading || !value) {
    content = <Loading label="Loading your team's findings" />;
  } else {
    const { teams, report } = value;
    const mine = report?.counts.mine ?? 0;
    const audit = auditRoute?.();
    if (mine === 0) {
      content = (
        <Text as="p" variant="body-medium" color="secondary">
          No open findings: your team's integrations follow the tagging policy.
        </Text>
      );
    } else {
      content = (
        <Flex direction="column" gap="3">
          <Flex align="baseline" gap="2">
            <Text
              as="span"
              variant="title-medium"
              weight="bold"
              data-testid="my-findings-count"
            >
              {mine}
            </Text>
            <Text as="span" variant="body-medium">
              {mine === 1 ? 'open finding' : 'open findings'} on the
              integrations of{' '}
              {teams.length > 0 ? teamNames(teams, nameOf) : 'yours'}
            </Text>
          </Flex>
          <Flex gap="4" style={{ flexWrap: 'wrap' }}>
            {SEVERITIES.map(severity => (
              <Flex
                key={severity}
                gap="1"
                align="baseline"
                data-testid={`my-findings-${severity}`}
              >
                <SeverityText severity={severity} />
                <Text as="span" variant="body-medium" weight="bold">
                  {report?.counts.bySeverity[severity] ?? 0}
                </Text>
              </Flex>
            ))}
          </Flex>
        </Flex>
      );
    }
    footer = audit && (
      <Link href={`${audit}${ownerQuery(teams, t => t)}`}>Open the audit</Link>
    );
  }

  return (
    <HomeCard title="Open findings" footer={footer}>
      {content}
    </HomeCard>
  );
}

/**
 * The portal's home: what it does, the way to create an integration, and
 * the user's team's integrations and open findings. Reads only this app's
 * backend (catalog, meter-siem), nothing outside.
 */
export function HomePage() {
  const title =
    useApi(configApiRef).getOptionalString('app.title') ??
    'Meter SIEM on Backstage';
  const templateLink = useTemplateLink();
  const integrationsRoute = useRouteRef(integrationsRouteRef);
  const createHref = templateLink(INTEGRATION_TEMPLATE.templateName);
  const integrationsHref = integrationsRoute?.();

  return (
    <>
      <Header title={title} description={HOME_DESCRIPTION} />
      <Container py="4">
        <Flex direction="column" gap="4">
          <Flex gap="3" align="center" style={{ flexWrap: 'wrap' }}>
            {createHref && (
              <ButtonLink variant="primary" href={createHref}>
                Create a SIEM integration
              </ButtonLink>
            )}
            {integrationsHref && (
              <ButtonLink variant="secondary" href={integrationsHref}>
                All SIEM integrations
              </ButtonLink>
            )}
          </Flex>
          <Grid.Root columns={{ initial: '1', md: '2' }} gap="4">
            <MyIntegrationsCard />
            <MyFindingsCard />
          </Grid.Root>
        </Flex>
      </Container>
    </>
  );
}
