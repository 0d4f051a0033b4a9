import { EventsService } from '@backstage/plugin-events-node';
import {
  INTEGRATIONS_SYNCED_TOPIC,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
} from '@internal/backstage-plugin-meter-siem-common';

/** The topics after which the audit's facts may have changed. */
export const AUDIT_INDEX_TOPICS = [
  INTEGRATIONS_SYNCED_TOPIC,
  INTEGRATION_CREATED_TOPIC,
  INTEGRATION_REMOVED_TOPIC,
];

/** Rebuilds the index (`invalidate`) on each event of those topics. */
export async function subscribeToFactChanges(
  events: Pick<EventsService, 'subscribe'>,
  index: { invalidate(): void },
): Promise<void> {
  await events.subscribe({
    id: 'meter-siem-audit-index',
    topics: AUDIT_INDEX_TOPICS,
    onEvent: async () => index.invalidate(),
  });
}
