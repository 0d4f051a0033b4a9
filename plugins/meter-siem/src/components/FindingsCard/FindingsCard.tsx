import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { Alert, Button, Flex, Skeleton, Text } from '@backstage/ui';
import { Finding, meterSiemApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { SeverityText } from '../Severity';
import { Remedy } from '../AuditPage/remedy';
import { plainListStyle } from '../plainList';

export const NO_ENTITY_FINDINGS =
  'No findings: this integration follows the tagging policy.';

function FindingItem(props: { finding: Finding }) {
  const { finding } = props;
  return (
    <li>
      <Flex direction="column" gap="1">
        <Flex align="baseline" gap="2" style={{ flexWrap: 'wrap' }}>
          <SeverityText severity={finding.severity} />
          <Text as="h4" variant="body-medium" weight="bold">
            {finding.title}
          </Text>
          <Text variant="body-small" color="secondary">
            {finding.ruleId}, on the {finding.resource}
          </Text>
        </Flex>
        <Text as="p" variant="body-medium">
          {finding.message}
        </Text>
        <Remedy finding={finding} labelled />
        {finding.resourceArn && (
          <Text
            as="p"
            variant="body-small"
            color="secondary"
            style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
          >
            {finding.resourceArn}
          </Text>
        )}
      </Flex>
    </li>
  );
}

const listStyle = plainListStyle('4');

/** The audit findings of the integration whose page this is. */
export function FindingsCard() {
  const { entity } = useEntity();
  const api = useApi(meterSiemApiRef);
  const entityRef = stringifyEntityRef(entity);
  const {
    value: report,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => api.getFindings({ entityRef }), [api, entityRef]);

  let content;
  if (error) {
    content = (
      <Alert
        status="danger"
        icon
        title="Could not load the audit findings"
        description={errorMessage(error)}
        customActions={
          <Button variant="secondary" size="small" onPress={retry}>
            Try again
          </Button>
        }
      />
    );
  } else if (loading || !report) {
    content = (
      <Flex direction="column" gap="2" aria-label="Loading audit findings">
        <Skeleton width="60%" height={16} />
        <Skeleton width="90%" height={16} />
      </Flex>
    );
  } else if (report.findings.length === 0) {
    content = (
      <Text as="p" variant="body-medium" color="secondary">
        {NO_ENTITY_FINDINGS}
      </Text>
    );
  } else {
    content = (
      <ul style={listStyle} aria-label="Findings of this integration">
        {report.findings.map(finding => (
          <FindingItem key={finding.id} finding={finding} />
        ))}
      </ul>
    );
  }

  return <EntityInfoCard title="Audit findings">{content}</EntityInfoCard>;
}
