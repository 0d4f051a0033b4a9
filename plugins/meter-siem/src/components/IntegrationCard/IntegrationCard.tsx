import { ReactNode } from 'react';
import { CopyTextButton } from '@backstage/core-components';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Grid, Link, Text } from '@backstage/ui';
import {
  IntegrationView,
  formatCapacity,
  formatEncryption,
  formatRetention,
  readIntegration,
} from '../../integration';
import { StreamStatus } from '../StreamStatus';
import { ExternalIdField } from './ExternalIdField';
import { AlarmState, DayTwo } from './DayTwo';

const NOT_KNOWN = 'Not known yet';

function Fact(props: { label: string; children?: ReactNode }) {
  return (
    <Flex direction="column" gap="0.5">
      <Text variant="body-small" color="secondary">
        {props.label}
      </Text>
      <Text as="div" variant="body-medium">
        {props.children ?? NOT_KNOWN}
      </Text>
    </Flex>
  );
}

function CopyableArn(props: { label: string; arn?: string }) {
  return (
    <Flex direction="column" gap="0.5">
      <Text variant="body-small" color="secondary">
        {props.label}
      </Text>
      {props.arn ? (
        <Flex align="center" gap="2">
          <Text
            variant="body-medium"
            style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
          >
            {props.arn}
          </Text>
          <CopyTextButton
            text={props.arn}
            aria-label={`Copy ${props.label.toLocaleLowerCase('en-US')}`}
            tooltipText={`${props.label} copied`}
            variant="tertiary"
          />
        </Flex>
      ) : (
        <Text variant="body-medium">{NOT_KNOWN}</Text>
      )}
    </Flex>
  );
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Flex direction="column" gap="2">
      <Text as="h4" variant="body-medium" weight="bold">
        {props.title}
      </Text>
      {props.children}
    </Flex>
  );
}

function FinishInMeter(props: { trustWithoutExternalId: boolean }) {
  return (
    <ol style={{ margin: 0, paddingInlineStart: '1.25rem' }}>
      <li>
        <Text variant="body-medium">
          In Meter&apos;s Dashboard, open Settings &gt; Organization &gt;
          Integrations &gt; Services &gt; SIEM.
        </Text>
      </li>
      <li>
        <Text variant="body-medium">
          {props.trustWithoutExternalId
            ? 'Paste the stream ARN and the role ARN. The role requires no external ID; see the warning above.'
            : 'Paste the stream ARN, the role ARN and the external ID: reveal the external ID above and copy it.'}
        </Text>
      </li>
      <li>
        <Text variant="body-medium">
          Use Send test event: the status badge should turn Active. Unauthorized
          means Meter could not assume the role or write to the stream; check
          the external ID and the role&apos;s trust policy.
        </Text>
      </li>
    </ol>
  );
}

/**
 * The facts of one integration and how to finish it in Meter. Everything it
 * shows comes from the view; only the external ID field asks the permission
 * and the backend, for the view's entity ref.
 */
export function IntegrationCardContent(props: { view: IntegrationView }) {
  const { view } = props;
  return (
    <Flex direction="column" gap="5">
      <Flex direction="column" gap="3">
        <CopyableArn label="Stream ARN" arn={view.streamArn} />
        <CopyableArn label="Role ARN" arn={view.roleArn} />
        <Flex direction="column" gap="0.5">
          <Text variant="body-small" color="secondary">
            External ID
          </Text>
          <ExternalIdField
            entityRef={view.entityRef}
            owner={view.owner}
            trustWithoutExternalId={view.trustWithoutExternalId}
          />
        </Flex>
      </Flex>

      <Grid.Root columns={{ initial: '2', md: '4' }} gap="3">
        <Fact label="Stream status">
          {view.streamStatus && <StreamStatus status={view.streamStatus} />}
        </Fact>
        <Fact label="Capacity">{formatCapacity(view)}</Fact>
        <Fact label="Retention">{formatRetention(view.retentionHours)}</Fact>
        <Fact label="Encryption">{formatEncryption(view.encryption)}</Fact>
        <Fact label="Enhanced metrics">
          {view.enhancedMetrics?.split(/,\s*/).join(', ')}
        </Fact>
        <Fact label="Account">{view.accountId}</Fact>
        <Fact label="Region">{view.region}</Fact>
        <Fact label="Environment">{view.environment}</Fact>
        {view.silenceAlarm !== undefined && (
          <Fact label="Alarm on silence">
            <AlarmState view={view} />
          </Fact>
        )}
      </Grid.Root>

      <Section title="Operate">
        <DayTwo view={view} />
      </Section>

      {view.consoleLinks.length > 0 && (
        <Section title="AWS console">
          <Flex direction="column" gap="1">
            {view.consoleLinks.map(link => (
              <Link
                key={link.url}
                href={link.url}
                target="_blank"
                rel="noopener noreferrer"
              >
                {link.title}
              </Link>
            ))}
          </Flex>
        </Section>
      )}

      <Section title="Finish in Meter's Dashboard">
        <FinishInMeter trustWithoutExternalId={view.trustWithoutExternalId} />
      </Section>
    </Flex>
  );
}

/** Entity card of a `meter-siem-integration` entity. */
export function IntegrationCard() {
  const { entity } = useEntity();
  return (
    <EntityInfoCard title="Meter SIEM integration">
      <IntegrationCardContent view={readIntegration(entity)} />
    </EntityInfoCard>
  );
}
