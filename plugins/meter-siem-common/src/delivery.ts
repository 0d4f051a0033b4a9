import { ValidationIssue } from './validation';

/**
 * The `type` of the event Meter writes when "Send test event" is pressed in
 * its Dashboard (Settings > Organization > Integrations > Services > SIEM).
 *
 * @public
 */
export const TYPE_TEST = 'TYPE_TEST';

/**
 * The `source` of every event Meter writes.
 *
 * @public
 */
export const METER_EVENT_SOURCE = 'https://meter.com';

/**
 * How far back a delivery check reads the stream, in minutes. At most a
 * day: the shortest retention a stream can have (24 hours), so the read
 * never asks for records the stream may already have dropped.
 *
 * @public
 */
export const DELIVERY_LOOKBACK_MINUTES = {
  min: 1,
  max: 1440,
  default: 60,
} as const;

/**
 * The attributes of a CloudEvents 1.0 event a delivery check uses (Meter
 * writes JSON events in the structured mode).
 *
 * @public
 */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  /** RFC 3339, when the event says when it happened. */
  time?: string;
}

/**
 * A Kinesis record's data as a CloudEvent 1.0, or `undefined` when it is
 * not one (not UTF-8 JSON, another spec version, a required attribute
 * missing or empty, a `time` that is not a date): a stream may carry other
 * writers' records, and a check skips them rather than failing.
 *
 * @public
 */
export function parseCloudEvent(
  data: Uint8Array | string,
): CloudEvent | undefined {
  let value: unknown;
  try {
    const text =
      typeof data === 'string'
        ? data
        : new TextDecoder('utf-8', { fatal: true }).decode(data);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const event = value as Record<string, unknown>;
  const text = (key: string) =>
    typeof event[key] === 'string' && (event[key] as string).length > 0
      ? (event[key] as string)
      : undefined;
  const [id, source, type] = [text('id'), text('source'), text('type')];
  if (event.specversion !== '1.0' || !id || !source || !type) {
    return undefined;
  }
  if (event.time !== undefined) {
    if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time)))
      return undefined;
  }
  return {
    specversion: '1.0',
    id,
    source,
    type,
    ...(event.time !== undefined && { time: event.time as string }),
  };
}

/**
 * True for the event Meter's "Send test event" writes: type `TYPE_TEST`
 * from Meter's source. A `TYPE_TEST` from any other source is someone
 * else's and does not verify Meter's delivery.
 *
 * @public
 */
export function isTestEvent(event: CloudEvent): boolean {
  return event.type === TYPE_TEST && event.source === METER_EVENT_SOURCE;
}

/**
 * What a delivery check concludes:
 * - `Verified`: Meter's test event was read from the stream;
 * - `Receiving`: events arrive, but no test event was seen;
 * - `Silent`: nothing arrived.
 *
 * @public
 */
export type DeliveryStatus = 'Verified' | 'Receiving' | 'Silent';

/** @public */
export interface DeliveredEvent {
  id: string;
  type: string;
  /** The event's `time`, or when the stream received it if it has none. */
  time: string;
}

/**
 * The result of a delivery check of one stream.
 *
 * @public
 */
export interface DeliveryReport {
  status: DeliveryStatus;
  /** The latest test event read, when one was. */
  testEvent?: { id: string; time: string };
  /** The latest CloudEvent of any type read, when one was. */
  latestEvent?: DeliveredEvent;
  /** Sum of the stream's `IncomingRecords` metric over the last hour. */
  incomingRecordsLastHour: number;
  /** The records were read from this time on (ISO 8601). */
  readSince: string;
  /** Shards read (closed ones included). */
  shardsRead: number;
  /** Records read; those that were not CloudEvents are counted in `skippedRecords`. */
  recordsRead: number;
  skippedRecords: number;
  /**
   * False when the read stopped at its bound of calls before reaching the
   * newest record of a shard: newer events may exist unread.
   */
  caughtUp: boolean;
}

/**
 * The status rule. CloudWatch's count covers the last hour even when the
 * read looked back less, so records it counts mean the stream is
 * receiving, whatever the read found.
 *
 * @public
 */
export function deliveryStatus(facts: {
  testEvent?: unknown;
  latestEvent?: unknown;
  recordsRead?: number;
  incomingRecordsLastHour: number;
}): DeliveryStatus {
  if (facts.testEvent) return 'Verified';
  if (
    facts.latestEvent ||
    (facts.recordsRead ?? 0) > 0 ||
    facts.incomingRecordsLastHour > 0
  ) {
    return 'Receiving';
  }
  return 'Silent';
}

/**
 * An event read from the stream: the CloudEvent and when Kinesis received
 * it.
 *
 * @public
 */
export interface ReadEvent {
  event: CloudEvent;
  arrivedAt: Date;
}

/** The event's own time if it has one, else its arrival. */
function timeOf({ event, arrivedAt }: ReadEvent): string {
  return event.time ?? arrivedAt.toISOString();
}

function later(a: ReadEvent | undefined, b: ReadEvent): ReadEvent {
  if (!a) return b;
  return Date.parse(timeOf(b)) >= Date.parse(timeOf(a)) ? b : a;
}

/**
 * Builds the report from the events read on every shard (in any order)
 * and the metric.
 *
 * @public
 */
export function buildDeliveryReport(facts: {
  events: ReadEvent[];
  recordsRead: number;
  incomingRecordsLastHour: number;
  readSince: Date;
  shardsRead: number;
  caughtUp: boolean;
}): DeliveryReport {
  let latest: ReadEvent | undefined;
  let latestTest: ReadEvent | undefined;
  for (const read of facts.events) {
    latest = later(latest, read);
    if (isTestEvent(read.event)) latestTest = later(latestTest, read);
  }
  const testEvent = latestTest && {
    id: latestTest.event.id,
    time: timeOf(latestTest),
  };
  const latestEvent = latest && {
    id: latest.event.id,
    type: latest.event.type,
    time: timeOf(latest),
  };
  return {
    status: deliveryStatus({
      testEvent,
      latestEvent,
      recordsRead: facts.recordsRead,
      incomingRecordsLastHour: facts.incomingRecordsLastHour,
    }),
    ...(testEvent && { testEvent }),
    ...(latestEvent && { latestEvent }),
    incomingRecordsLastHour: facts.incomingRecordsLastHour,
    readSince: facts.readSince.toISOString(),
    shardsRead: facts.shardsRead,
    recordsRead: facts.recordsRead,
    skippedRecords: facts.recordsRead - facts.events.length,
    caughtUp: facts.caughtUp,
  };
}

/**
 * Checks the look-back of a delivery check (a whole number of minutes,
 * 1 to 1440).
 *
 * @public
 */
export function validateLookbackMinutes(
  value: unknown,
  field = 'sinceMinutes',
): ValidationIssue[] {
  const { min, max } = DELIVERY_LOOKBACK_MINUTES;
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return [{ field, message: 'must be a whole number of minutes' }];
  }
  if (value < min || value > max) {
    return [
      {
        field,
        message: `must be between ${min} and ${max} minutes (a day: the shortest retention of a stream)`,
      },
    ];
  }
  return [];
}

/**
 * One sentence on a report, for a task log or a message: what was seen,
 * and what to do when the test event was not.
 *
 * @public
 */
export function describeDelivery(report: DeliveryReport): string {
  const read = `${report.recordsRead} record(s) read on ${report.shardsRead} shard(s) since ${report.readSince}`;
  const skipped = report.skippedRecords
    ? `, ${report.skippedRecords} of them not CloudEvents`
    : '';
  const metric = `; ${report.incomingRecordsLastHour} incoming record(s) in the last hour (CloudWatch)`;
  const partial = report.caughtUp
    ? ''
    : '. The read stopped before the newest records of a shard: look back fewer minutes to see them';
  const facts = `${read}${skipped}${metric}${partial}`;
  switch (report.status) {
    case 'Verified':
      return `Verified: Meter's test event ${report.testEvent!.id} of ${
        report.testEvent!.time
      } arrived (${facts}).`;
    case 'Receiving':
      return `Receiving: events arrive${
        report.latestEvent
          ? `, the latest ${report.latestEvent.type} ${report.latestEvent.id} of ${report.latestEvent.time}`
          : ''
      }, but no test event was seen (${facts}). Press "Send test event" in Meter's Dashboard and check again.`;
    default:
      return `Silent: nothing arrived (${facts}). Press "Send test event" in Meter's Dashboard (Settings > Organization > Integrations > Services > SIEM); if the Dashboard then shows Unauthorized, check the stream ARN, role ARN and external ID entered there.`;
  }
}
