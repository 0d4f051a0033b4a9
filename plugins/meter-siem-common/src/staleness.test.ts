import { ANNOTATIONS } from './annotations';
import { factsAge, staleFactsFinding } from './staleness';

const now = Date.parse('2026-11-28T12:00:00Z');
const hour = 3_600_000;
const at = (ms: number) => new Date(now - ms).toISOString();

describe('staleFactsFinding', () => {
  const options = { now, staleAfterMs: 2 * hour };

  it('says nothing of facts younger than the threshold, or exactly at it', () => {
    for (const age of [0, hour, 2 * hour]) {
      expect(
        staleFactsFinding({ [ANNOTATIONS.factsReadAt]: at(age) }, options),
      ).toBeUndefined();
    }
  });

  it('reports older facts with their age and the error the syncs failed on', () => {
    const found = staleFactsFinding(
      {
        [ANNOTATIONS.factsReadAt]: at(3 * hour),
        [ANNOTATIONS.factsError]: 'AccessDenied: not authorized',
      },
      options,
    );
    expect(found).toMatchObject({
      ruleId: 'facts-stale',
      severity: 'medium',
      resource: 'integration',
      message:
        'The facts of this integration were read from AWS 3 hours ago (2026-11-28T09:00:00.000Z); the syncs since failed: AccessDenied: not authorized. Its other findings may be out of date.',
    });
  });

  it('reports old facts without an error too (no sync has run since)', () => {
    expect(
      staleFactsFinding({ [ANNOTATIONS.factsReadAt]: at(30 * hour) }, options)
        ?.message,
    ).toContain('30 hours ago (2026-11-27T06:00:00.000Z), and no sync');
  });

  it('reports a stream not read yet as unknown facts, whatever their age', () => {
    const found = staleFactsFinding(
      {
        [ANNOTATIONS.factsReadAt]: at(0),
        [ANNOTATIONS.factsError]: 'Not read yet: ...',
        [ANNOTATIONS.auditFacts]: JSON.stringify({
          streamArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/s',
          roleArn: 'arn:aws:iam::111122223333:role/r',
          streamUnreadable: true,
          streamPending: true,
        }),
      },
      options,
    );
    expect(found).toMatchObject({
      ruleId: 'facts-stale',
      resource: 'stream',
      message: expect.stringContaining(
        "The stream's facts have not been read from AWS yet",
      ),
    });
  });

  it('cannot judge entities without a read time', () => {
    expect(staleFactsFinding({}, options)).toBeUndefined();
    expect(factsAge({ [ANNOTATIONS.factsReadAt]: 'yesterday' }, now)).toEqual(
      {},
    );
  });
});
