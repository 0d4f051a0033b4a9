import { Text } from '@backstage/ui';

// Kinesis stream states (DescribeStreamSummary StreamStatus).
const COLORS: Record<string, 'success' | 'warning' | 'danger'> = {
  ACTIVE: 'success',
  CREATING: 'warning',
  UPDATING: 'warning',
  DELETING: 'danger',
};

/** A stream status, coloured by whether Meter can write to the stream. */
export function StreamStatus(props: { status: string }) {
  const color = COLORS[props.status.toLocaleUpperCase('en-US')];
  return (
    <Text as="span" variant="body-medium" weight="bold" color={color}>
      {props.status}
    </Text>
  );
}
