import {
  DeliveryReport,
  METER_EVENT_SOURCE,
  TYPE_TEST,
  buildDeliveryReport,
  deliveryStatus,
  describeDelivery,
  isTestEvent,
  parseCloudEvent,
  validateLookbackMinutes,
} from './delivery';

const meterEvent = (fields: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: 'c0ffee',
  source: METER_EVENT_SOURCE,
  type: 'com.meter.ids.detection',
  subject: '5a0c6f9e-5a7b-4a0c-9a43-3c1b8f0e1e11',
  datacontenttype: 'application/json',
  time: '2026-11-28T10:00:00Z',
  data: { src_ip: '10.0.0.1', src_port: 443 },
  ...fields,
});
const bytes = (value: unknown) =>
  new TextEncoder().encode(
    typeof value === 'string' ? value : JSON.stringify(value),
  );

describe('parseCloudEvent', () => {
  it("reads Meter's events from a record's bytes", () => {
    expect(parseCloudEvent(bytes(meterEvent()))).toEqual({
      specversion: '1.0',
      id: 'c0ffee',
      source: METER_EVENT_SOURCE,
      type: 'com.meter.ids.detection',
      time: '2026-11-28T10:00:00Z',
    });
    const { time, ...untimed } = meterEvent();
    expect(parseCloudEvent(JSON.stringify(untimed))).not.toHaveProperty('time');
  });

  it.each([
    ['not JSON', 'hello'],
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b])],
    ['JSON but not an object', [1, 2]],
    ['null', null],
    ['another spec version', meterEvent({ specversion: '0.3' })],
    ['no spec version', meterEvent({ specversion: undefined })],
    ['no id', meterEvent({ id: undefined })],
    ['an empty id', meterEvent({ id: '' })],
    ['no source', meterEvent({ source: undefined })],
    ['a type that is not a string', meterEvent({ type: 7 })],
    ['a time that is not a date', meterEvent({ time: 'yesterday' })],
  ])('skips a record with %s', (_, value) => {
    expect(
      parseCloudEvent(value instanceof Uint8Array ? value : bytes(value)),
    ).toBeUndefined();
  });
});

describe('isTestEvent', () => {
  it("is Meter's TYPE_TEST only", () => {
    const parse = (fields: Record<string, unknown>) =>
      parseCloudEvent(JSON.stringify(meterEvent(fields)))!;
    expect(isTestEvent(parse({ type: TYPE_TEST }))).toBe(true);
    expect(isTestEvent(parse({}))).toBe(false);
    expect(
      isTestEvent(parse({ type: TYPE_TEST, source: 'https://example.com' })),
    ).toBe(false);
  });
});

describe('deliveryStatus', () => {
  it.each([
    [{ testEvent: {}, incomingRecordsLastHour: 0 }, 'Verified'],
    [{ latestEvent: {}, incomingRecordsLastHour: 0 }, 'Receiving'],
    [{ recordsRead: 2, incomingRecordsLastHour: 0 }, 'Receiving'],
    [{ incomingRecordsLastHour: 3 }, 'Receiving'],
    [{ recordsRead: 0, incomingRecordsLastHour: 0 }, 'Silent'],
  ])('%j is %s', (facts, status) => {
    expect(deliveryStatus(facts)).toBe(status);
  });
});

describe('buildDeliveryReport', () => {
  const at = (iso: string) => new Date(iso);
  const read = (fields: Record<string, unknown>, arrivedAt: string) => ({
    event: parseCloudEvent(JSON.stringify(meterEvent(fields)))!,
    arrivedAt: at(arrivedAt),
  });
  const base = {
    recordsRead: 0,
    incomingRecordsLastHour: 0,
    readSince: at('2026-11-28T09:00:00Z'),
    shardsRead: 2,
    caughtUp: true,
  };

  it('reports the latest test event and the latest event of any type, across shards in any order', () => {
    const events = [
      read(
        { id: 't2', type: TYPE_TEST, time: '2026-11-28T10:05:00Z' },
        '2026-11-28T10:05:01Z',
      ),
      read({ id: 'd1', time: '2026-11-28T10:07:00Z' }, '2026-11-28T10:07:01Z'),
      read(
        { id: 't1', type: TYPE_TEST, time: '2026-11-28T10:01:00Z' },
        '2026-11-28T10:01:01Z',
      ),
      // No time of its own: it counts from its arrival.
      read({ id: 'd0', time: undefined }, '2026-11-28T10:03:00Z'),
    ];
    expect(
      buildDeliveryReport({ ...base, events, recordsRead: 5 }),
    ).toEqual<DeliveryReport>({
      status: 'Verified',
      testEvent: { id: 't2', time: '2026-11-28T10:05:00Z' },
      latestEvent: {
        id: 'd1',
        type: 'com.meter.ids.detection',
        time: '2026-11-28T10:07:00Z',
      },
      incomingRecordsLastHour: 0,
      readSince: '2026-11-28T09:00:00.000Z',
      shardsRead: 2,
      recordsRead: 5,
      skippedRecords: 1,
      caughtUp: true,
    });
  });

  it('takes the arrival time of an event without one', () => {
    const report = buildDeliveryReport({
      ...base,
      events: [
        read({ id: 'd0', time: undefined }, '2026-11-28T10:03:00Z'),
        read({ id: 'd1' }, '2026-11-28T10:00:01Z'),
      ],
      recordsRead: 2,
    });
    expect(report.latestEvent).toEqual({
      id: 'd0',
      type: 'com.meter.ids.detection',
      time: '2026-11-28T10:03:00.000Z',
    });
    expect(report.status).toBe('Receiving');
    expect(report).not.toHaveProperty('testEvent');
  });

  it('is Silent with nothing read and nothing counted', () => {
    const report = buildDeliveryReport({ ...base, events: [] });
    expect(report.status).toBe('Silent');
    expect(report).not.toHaveProperty('latestEvent');
  });
});

describe('validateLookbackMinutes', () => {
  it.each([undefined, 1, 60, 1440])('accepts %p', value => {
    expect(validateLookbackMinutes(value)).toEqual([]);
  });

  it.each([
    [0, 'must be between 1 and 1440 minutes'],
    [1441, 'must be between 1 and 1440 minutes'],
    [1.5, 'must be a whole number of minutes'],
    ['60', 'must be a whole number of minutes'],
  ])('refuses %p, naming the field', (value, message) => {
    expect(validateLookbackMinutes(value)).toEqual([
      { field: 'sinceMinutes', message: expect.stringContaining(message) },
    ]);
  });
});

describe('describeDelivery', () => {
  const report: DeliveryReport = {
    status: 'Silent',
    incomingRecordsLastHour: 0,
    readSince: '2026-11-28T09:00:00.000Z',
    shardsRead: 1,
    recordsRead: 0,
    skippedRecords: 0,
    caughtUp: true,
  };

  it('tells what to do for each status', () => {
    expect(describeDelivery(report)).toMatch(
      /^Silent: nothing arrived .* Press "Send test event"/,
    );
    expect(
      describeDelivery({
        ...report,
        status: 'Receiving',
        recordsRead: 1,
        latestEvent: { id: 'd1', type: 'com.meter.dhcp', time: 'T' },
      }),
    ).toContain('the latest com.meter.dhcp d1 of T, but no test event');
    expect(
      describeDelivery({
        ...report,
        status: 'Verified',
        testEvent: { id: 't1', time: 'T' },
        caughtUp: false,
      }),
    ).toMatch(/^Verified: Meter's test event t1 of T .*look back fewer/);
  });
});
