import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Button, Flex, Text } from '@backstage/ui';
import {
  DeliveryReport,
  describeDelivery,
} from '@internal/backstage-plugin-meter-siem-common';
import { meterSiemApiRef } from '../../api';
import { errorMessage } from '../errorMessage';

type CheckState =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'done'; report: DeliveryReport }
  | { status: 'failed'; error: Error };

const TONE = {
  Verified: 'success',
  Receiving: 'info',
  Silent: 'warning',
} as const;

function headline(report: DeliveryReport): string {
  switch (report.status) {
    case 'Verified':
      return `Verified: Meter's test event arrived at ${new Date(
        report.testEvent!.time,
      ).toLocaleString()}`;
    case 'Receiving':
      return 'Receiving: events arrive, but no test event in the last hour';
    default:
      return 'Silent: no event in the last hour';
  }
}

/**
 * Reads the stream now, through the backend, for Meter's events of the last
 * hour, and shows Verified (the test event seen), Receiving or Silent. For
 * the owning team, who alone may read the stream.
 */
export function DeliveryCheck(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(meterSiemApiRef);
  const [state, setState] = useState<CheckState>({ status: 'idle' });
  const request = useRef(0);
  useEffect(() => {
    request.current += 1;
    setState({ status: 'idle' });
  }, [api, entityRef]);

  const check = useCallback(async () => {
    request.current += 1;
    const current = request.current;
    setState({ status: 'checking' });
    try {
      const report = await api.verifyDelivery(entityRef);
      if (current === request.current) setState({ status: 'done', report });
    } catch (error) {
      if (current === request.current) {
        setState({ status: 'failed', error: error as Error });
      }
    }
  }, [api, entityRef]);

  return (
    <Flex direction="column" gap="2">
      <Flex align="center" gap="2">
        <Button
          variant="secondary"
          size="small"
          onPress={check}
          isDisabled={state.status === 'checking'}
        >
          {state.status === 'checking'
            ? 'Checking delivery…'
            : 'Check delivery'}
        </Button>
        <Text variant="body-small" color="secondary">
          Press &quot;Send test event&quot; in Meter&apos;s Dashboard first.
        </Text>
      </Flex>
      {state.status === 'done' && (
        <Alert
          status={TONE[state.report.status]}
          title={headline(state.report)}
          description={
            <Text variant="body-small">{describeDelivery(state.report)}</Text>
          }
        />
      )}
      {state.status === 'failed' && (
        <Alert
          status="danger"
          title="Could not check delivery"
          description={errorMessage(state.error)}
        />
      )}
    </Flex>
  );
}
