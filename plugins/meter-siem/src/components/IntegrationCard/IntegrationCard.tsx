import { ReactNode } from 'react';
import { CopyTextButton } from '@backstage/core-components';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Grid, Link, Text } from '@backstage/ui';
import {
  IntegrationView,
  formatCapacity,
  formatRetention,
  readIntegration,
} from '../../integration';
import { StreamStatus } from '../StreamStatus';

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

function ExternalIdHint(props: { view: IntegrationView }) {
  const role = props.view.roleName ? (
    <>
      IAM role <code>{props.view.roleName}</code>
    </>
  ) : (
    'IAM role'
  );
  return (
    <Text as="p" variant="body-medium">
      Not stored in the catalog, because it is a secret. Find it in the trust
      policy of the {role}, as the condition <code>sts:ExternalId</code>, or in
      the output of the scaffolder run that created this integration.
    </Text>
  );
}

function FinishInMeter() {
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
          Paste the stream ARN, the role ARN and the external ID.
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

/** The facts of one integration and how to finish it in Meter. */
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
          <ExternalIdHint view={view} />
        </Flex>
      </Flex>

      <Grid.Root columns={{ initial: '2', md: '4' }} gap="3">
        <Fact label="Stream status">
          {view.streamStatus && <StreamStatus status={view.streamStatus} />}
        </Fact>
        <Fact label="Capacity">{formatCapacity(view)}</Fact>
        <Fact label="Retention">{formatRetention(view.retentionHours)}</Fact>
        <Fact label="Encryption">{view.encryption}</Fact>
        <Fact label="Enhanced metrics">
          {view.enhancedMetrics?.split(/,\s*/).join(', ')}
        </Fact>
        <Fact label="Account">{view.accountId}</Fact>
        <Fact label="Region">{view.region}</Fact>
        <Fact label="Environment">{view.environment}</Fact>
      </Grid.Root>

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
        <FinishInMeter />
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
