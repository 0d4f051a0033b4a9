import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { MOTO_ACCOUNT, allNames, sdk, uniqueName } from './__testUtils__/moto';
import { startScaffolderBehindProxy } from './__testUtils__/backend';

/**
 * Many template runs at once through the real scaffolder backend (its task
 * workers run them side by side), against moto.
 */

jest.setTimeout(120_000);

const values = (name: string, region: string) => ({
  name,
  owner: 'group:default/security',
  environment: 'production',
  region,
  capacityMode: 'PROVISIONED',
  shardCount: 1,
  retentionHours: 24,
  encryption: 'NONE',
});

const outputOf = (events: Array<{ type: string; body: any }>) =>
  events.find(e => e.type === 'completion')?.body.output;

const externalIdOf = async (name: string, region: string) => {
  const role = await sdk(region).iam.send(
    new GetRoleCommand({ RoleName: `meter-siem-${name}` }),
  );
  return JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))
    .Statement[0].Condition.StringEquals['sts:ExternalId'] as string;
};

describe('the create template under load', () => {
  let scaffolder: Awaited<ReturnType<typeof startScaffolderBehindProxy>>;
  beforeAll(async () => {
    // No faults: the proxy makes CreateStream with tags atomic, as on AWS
    // (moto adds them after the stream exists, and a second run could see
    // the stream untagged in between).
    scaffolder = await startScaffolderBehindProxy();
  });
  afterAll(() => scaffolder?.stop());

  it('completes 20 runs at once, in two regions, each with its own resources', async () => {
    const runs = Array.from({ length: 20 }, (_, i) => ({
      name: uniqueName(`load${i}`),
      region: i % 2 === 0 ? 'us-west-2' : 'eu-west-1',
    }));
    const started = Date.now();
    const results = await Promise.all(
      runs.map(r => scaffolder.run(values(r.name, r.region))),
    );
    // eslint-disable-next-line no-console
    console.log(
      `20 template runs at once: ${
        Date.now() - started
      } ms until the last finished`,
    );

    for (const [i, { name, region }] of runs.entries()) {
      expect({ name, status: results[i].task?.status }).toEqual({
        name,
        status: 'completed',
      });
      const output = outputOf(results[i].events);
      expect(output.streamArn).toBe(
        `arn:aws:kinesis:${region}:${MOTO_ACCOUNT}:stream/meter-siem-${name}`,
      );
      expect(output.roleArn).toBe(
        `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-${name}`,
      );
      const stream = await sdk(region).kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: `meter-siem-${name}` }),
      );
      expect(stream.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    }
    // Twenty distinct external IDs: no run reused another's role.
    const ids = await Promise.all(
      runs.map(r => externalIdOf(r.name, r.region)),
    );
    expect(new Set(ids).size).toBe(20);
  });

  it('makes one integration of the same name run twice at once, and tells the loser why', async () => {
    const outcomes: string[] = [];
    // A few pairs: which run wins, and where the two meet, varies.
    for (let pair = 0; pair < 3; pair++) {
      const name = uniqueName('twice');
      const [a, b] = await Promise.all([
        scaffolder.run(values(name, 'us-west-2')),
        scaffolder.run(values(name, 'us-west-2')),
      ]);
      expect(
        (await allNames('us-west-2')).filter(n => n.includes(name)).sort(),
      ).toEqual([
        `meter-siem-${name}`,
        `meter-siem-${name}`,
        `meter-siem-${name}-kinesis-write`,
      ]);
      for (const run of [a, b]) {
        if (run.task?.status === 'completed') {
          outcomes.push('completed');
          continue;
        }
        // The loser's failure says what happened and what to do.
        expect(run.task?.status).toBe('failed');
        const message = JSON.stringify(
          run.events.find(e => e.type === 'completion')?.body,
        );
        expect(message).toMatch(
          /was created by someone else a moment ago.*another run of the template for the same integration at the same time.*run this template again/,
        );
        outcomes.push('lost the race');
      }
      // At least one of the two made the integration.
      expect([a, b].some(run => run.task?.status === 'completed')).toBeTruthy();
    }
    // eslint-disable-next-line no-console
    console.log(`same name twice at once, 3 pairs: ${outcomes.join(', ')}`);
    // The two runs of a pair look before either creates, so one loses the
    // race at CreateStream and says so (seen in every pair here).
    expect(outcomes).toContain('lost the race');
  });
});
