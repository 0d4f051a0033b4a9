import type { AuditFacts } from './facts';
import { RuleFinding, ruleFinding } from './rules';

/**
 * Whether a broken delivery would be noticed: the stream has an alarm that
 * fires after 10 minutes without events. Facts read before the provider
 * looked at alarms say nothing either way.
 */
export function deliveryRules(facts: AuditFacts): RuleFinding[] {
  const alarm = facts.silenceAlarm;
  if (!facts.streamTags || alarm === undefined) return [];
  if (alarm === null) {
    return [
      ruleFinding(
        'no-silence-alarm',
        'stream',
        "No CloudWatch alarm watches the stream's IncomingRecords: if Meter stops delivering, nobody is told.",
        facts.streamArn,
      ),
    ];
  }
  if (!alarm.catchesSilence) {
    return [
      ruleFinding(
        'no-silence-alarm',
        'stream',
        `Alarm ${alarm.name} watches the stream's IncomingRecords but would not fire after 10 minutes without events (it needs Sum below 1 over at most 10 minutes, missing data breaching).`,
        facts.streamArn,
      ),
    ];
  }
  return [];
}
