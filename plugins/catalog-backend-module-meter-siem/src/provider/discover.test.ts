import {
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  ListPolicyTagsCommand,
} from '@aws-sdk/client-iam';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  buildTrustPolicy,
  resolveSettings,
  silenceAlarmParameters,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  freshAccountId,
  requireMoto,
  seedClients,
  seedIntegration,
} from '../__testUtils__/moto';
import { discoverIntegrations, readRoleIntegrations } from './discover';

requireMoto();
jest.setTimeout(60_000);

const region = 'us-east-1';
const settings = resolveSettings();
const ours = (name: string) => [
  { Key: 'managed-by', Value: 'backstage' },
  { Key: 'meter-siem-integration', Value: name },
];
const anyDocument = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
});

describe('discoverIntegrations', () => {
  it('asks IAM for the tags of unused policies named with the prefix only', async () => {
    const accountId = freshAccountId();
    const clients = await seedClients(accountId, region);
    await seedIntegration(clients, {
      region,
      streamName: 'meter-siem-used',
      roleName: 'meter-siem-used',
      policyName: 'meter-siem-used-kinesis-write',
      tags: Object.fromEntries(ours('used').map(t => [t.Key, t.Value])),
    });
    for (const [PolicyName, Tags] of [
      ['meter-siem-spare-kinesis-write', ours('spare')],
      ['meter-siem-untagged', []],
      ['someone-elses-policy', ours('elsewhere')],
    ] as const) {
      await clients.iam.send(
        new CreatePolicyCommand({
          PolicyName,
          PolicyDocument: anyDocument,
          Tags: [...Tags],
        }),
      );
    }

    const send = jest.spyOn(IAMClient.prototype, 'send');
    let found;
    let commands: unknown[];
    try {
      found = await discoverIntegrations(clients, {
        regions: [region],
        settings,
      });
    } finally {
      commands = send.mock.calls.map(([command]) => command);
      send.mockRestore();
    }
    const asked = commands
      .filter(command => command instanceof ListPolicyTagsCommand)
      .map(command => (command as ListPolicyTagsCommand).input.PolicyArn)
      .sort();
    expect(asked).toEqual([
      `arn:aws:iam::${accountId}:policy/meter-siem-spare-kinesis-write`,
      `arn:aws:iam::${accountId}:policy/meter-siem-untagged`,
    ]);
    expect(
      found.map(f => [
        f.streamArn ?? '',
        (f.leftBehind ?? []).map(r => `${r.kind} ${r.name}`),
      ]),
    ).toEqual([
      [`arn:aws:kinesis:${region}:${accountId}:stream/meter-siem-used`, []],
      ['', ['policy meter-siem-spare-kinesis-write']],
    ]);
  });
});

describe('readRoleIntegrations', () => {
  it('reads a role Meter may assume that names no stream as one integration', async () => {
    const accountId = freshAccountId();
    const clients = await seedClients(accountId, region);
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'meter-siem-bare',
        AssumeRolePolicyDocument: JSON.stringify(
          buildTrustPolicy({
            principalArn: DEFAULT_METER_PRINCIPAL_ARN,
            externalId: 'e'.repeat(64),
          }),
        ),
        Tags: ours('bare'),
      }),
    );
    const [facts, ...more] = await readRoleIntegrations(
      clients,
      'meter-siem-bare',
      { regions: [region], settings },
    );
    expect(more).toEqual([]);
    expect(facts).toMatchObject({
      accountId,
      role: { arn: `arn:aws:iam::${accountId}:role/meter-siem-bare` },
      permissions: [],
    });
    expect(facts).not.toHaveProperty('streamArn');
    expect(facts).not.toHaveProperty('region');
  });

  it("records each stream's alarm on silence, and none where there is none", async () => {
    const accountId = freshAccountId();
    const clients = await seedClients(accountId, region);
    for (const n of ['alarmed', 'weak', 'bare']) {
      await seedIntegration(clients, {
        region,
        streamName: `meter-siem-${n}`,
        roleName: `meter-siem-${n}`,
        policyName: `meter-siem-${n}`,
        alarm: false,
      });
    }
    const cloudwatch = clients.cloudwatch(region);
    await cloudwatch.send(
      new PutMetricAlarmCommand(
        silenceAlarmParameters('meter-siem-alarmed', [
          `arn:aws:sns:${region}:${accountId}:oncall`,
        ]),
      ),
    );
    // Watches the stream, but only after an hour of silence.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        ...silenceAlarmParameters('meter-siem-weak'),
        AlarmName: 'hand-made',
        Period: 3600,
      }),
    );
    const found = await discoverIntegrations(clients, {
      regions: [region],
      settings,
    });
    const alarmOf = (name: string) =>
      found.find(f => f.stream?.name === `meter-siem-${name}`)!.stream!
        .silenceAlarm;
    expect(alarmOf('alarmed')).toEqual({
      name: 'meter-siem-alarmed-no-events',
      state: expect.any(String),
      stateUpdatedAt: expect.any(String),
      actions: [`arn:aws:sns:${region}:${accountId}:oncall`],
      catchesSilence: true,
    });
    expect(alarmOf('weak')).toMatchObject({
      name: 'hand-made',
      catchesSilence: false,
    });
    expect(alarmOf('bare')).toBeNull();
    const [role] = await readRoleIntegrations(clients, 'meter-siem-alarmed', {
      regions: [region],
      settings,
    });
    expect(role.stream?.silenceAlarm?.name).toBe(
      'meter-siem-alarmed-no-events',
    );
  });
});
