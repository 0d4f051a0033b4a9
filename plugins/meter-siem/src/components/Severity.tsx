import { Text } from '@backstage/ui';
import { Severity } from '../api';
import { severityLabel } from './AuditPage/findings';

const COLORS: Record<Severity, 'danger' | 'warning' | 'info'> = {
  critical: 'danger',
  high: 'danger',
  medium: 'warning',
  low: 'info',
};

/** A severity, coloured; critical is also bold. */
export function SeverityText(props: { severity: Severity }) {
  const { severity } = props;
  return (
    <Text
      as="span"
      variant="body-medium"
      weight={
        severity === 'critical' || severity === 'high' ? 'bold' : undefined
      }
      color={COLORS[severity]}
    >
      {severityLabel(severity)}
    </Text>
  );
}
