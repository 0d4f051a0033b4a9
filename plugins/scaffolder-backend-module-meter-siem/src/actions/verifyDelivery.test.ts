import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockCredentials } from '@backstage/backend-test-utils';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import {
  TYPE_TEST,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import { meterCloudEvent } from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { validate } from 'jsonschema';
import yaml from 'yaml';
import { loadTemplate, startScaffolder } from '../__testUtils__/backend';
import request from 'supertest';
import { provisionIntegration } from '../__testUtils__/integration';
import { startMeterWorld } from '../__testUtils__/meter';
import { actionContext } from '../__testUtils__/moto';
import { ALEX, JANE, SAM } from '../__testUtils__/org';
import { ActionOptions } from './options';
import { createVerifyDeliveryAction } from './verifyDelivery';

jest.setTimeout(90_000);

const encode = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value));

/** Records every AWS command sent while `fn` runs. */
async function recordCommands(fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const spies = [
    KinesisClient.prototype,
    IAMClient.prototype,
    CloudWatchClient.prototype,
    STSClient.prototype,
  ].map(client => {
    const original = client.send;
    return jest
      .spyOn(client as { send: (...args: any[]) => any }, 'send')
      .mockImplementation(function spy(this: unknown, command: any) {
        sent.push(command.constructor.name.replace(/Command$/, ''));
        return (original as any).call(this, command);
      } as never);
  });
  try {
    await fn().catch(() => undefined);
  } finally {
    spies.forEach(s => s.mockRestore());
  }
  return sent;
}

describe('meter-siem:delivery:verify', () => {
  let made: Awaited<ReturnType<typeof provisionIntegration>>;
  beforeAll(async () => {
    made = await provisionIntegration();
  });
  const run = async (
    input: Record<string, unknown>,
    extra: { isDryRun?: boolean; userRef?: string } = {},
  ) => {
    const action = createVerifyDeliveryAction(made.actionOptions);
    const context = actionContext(
      { integration: made.entityRef, ...input },
      extra,
    );
    await action.handler(context.ctx);
    return context;
  };

  it('is Silent on a fresh integration, then Receiving once an event that is no test arrives', async () => {
    const silent = await run({});
    expect(silent.outputs).toEqual({ status: 'Silent', incomingRecords: 0 });
    expect(silent.logs.join('\n')).toContain('Silent: nothing arrived');

    const dhcp = meterCloudEvent('com.meter.dhcp');
    await made.sdk.kinesis.send(
      new PutRecordCommand({
        StreamARN: made.streamArn,
        PartitionKey: dhcp.subject,
        Data: encode(dhcp),
      }),
    );
    const receiving = await run({ sinceMinutes: 5 });
    expect(receiving.outputs).toEqual({
      status: 'Receiving',
      latestEventType: 'com.meter.dhcp',
      latestEventTime: dhcp.time,
      incomingRecords: expect.any(Number),
    });
  });

  it('refuses Sam of another team before any AWS call', async () => {
    const sent = await recordCommands(async () => {
      await expect(run({}, { userRef: SAM })).rejects.toThrow(
        /verify delivery of resource:default\//,
      );
    });
    expect(sent).toEqual([]);
  });

  it('makes no AWS call in a dry run, and says what it would read', async () => {
    let dryRun: Awaited<ReturnType<typeof run>> | undefined;
    const sent = await recordCommands(async () => {
      dryRun = await run({ sinceMinutes: 15 }, { isDryRun: true });
    });
    expect(sent).toEqual([]);
    expect(dryRun!.outputs).toEqual({});
    expect(dryRun!.logs.join('\n')).toContain(
      `Dry run: would read every shard of ${made.streamArn} from `,
    );
  });

  it.each([
    [0, 'sinceMinutes must be between 1 and 1440 minutes'],
    [1441, 'sinceMinutes must be between 1 and 1440 minutes'],
    [2.5, 'sinceMinutes must be a whole number of minutes'],
  ])(
    'refuses sinceMinutes %p naming the field and the rule, before any AWS call',
    async (sinceMinutes, message) => {
      const sent = await recordCommands(async () => {
        await expect(run({ sinceMinutes })).rejects.toThrow(
          expect.objectContaining({
            name: 'InputError',
            message: expect.stringContaining(message),
          }),
        );
      });
      expect(sent).toEqual([]);
    },
  );

  it('has examples that pass its schema and run dry', async () => {
    const action = createVerifyDeliveryAction(made.actionOptions);
    expect(action.examples?.length).toBeGreaterThan(0);
    for (const example of action.examples!) {
      const [step] = yaml.parse(example.example).steps;
      expect(step.action).toBe(action.id);
      const input = {
        ...step.input,
        integration: made.entityRef,
      };
      expect(
        validate(input, action.schema!.input as any).errors.map(e => e.stack),
      ).toEqual([]);
      const { ctx } = actionContext(input, { isDryRun: true, userRef: ALEX });
      await action.handler(ctx);
    }
  });

  it('runs as template meter-siem-verify-delivery through the scaffolder API, with the test event in its output', async () => {
    const test = meterCloudEvent(TYPE_TEST);
    await made.sdk.kinesis.send(
      new PutRecordCommand({
        StreamARN: made.streamArn,
        PartitionKey: test.subject,
        Data: encode(test),
      }),
    );
    const scaffolder = await startScaffolder([], {
      entities: made.entities,
      config: { aws: made.aws },
    });
    try {
      const result = await scaffolder.run(
        { integration: made.entityRef },
        'template:default/meter-siem-verify-delivery',
      );
      expect(result.task?.status).toBe('completed');
      const output = result.events.find(e => e.type === 'completion')?.body
        .output;
      expect(output).toMatchObject({
        status: 'Verified',
        testEventId: test.id,
        testEventTime: test.time,
      });
      expect(output.text[0].content).toContain(
        `Status: **Verified**. Test event: ${test.id} at ${test.time}.`,
      );
      expect(output.links[0].entityRef).toBe(made.entityRef);

      const refused = await scaffolder.run(
        { integration: made.entityRef },
        'template:default/meter-siem-verify-delivery',
        SAM,
      );
      expect(refused.task?.status).toBe('failed');

      // The Template Editor's dry run reads nothing and says so.
      const dryRun = await request(scaffolder.backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(JANE))
        .send({
          template: loadTemplate('meter-siem-verify-delivery'),
          values: { integration: made.entityRef, sinceMinutes: 30 },
          directoryContents: [],
        });
      expect(dryRun.status).toBe(200);
      expect(
        dryRun.body.log.map((l: any) => l.body.message).join('\n'),
      ).toContain(`Dry run: would read every shard of ${made.streamArn}`);
      expect(dryRun.body.output.text[0].content).toContain(
        'Status: **not checked (dry run)**. Test event: none seen. Latest event: none. Records received in the last hour: not read.',
      );
    } finally {
      await scaffolder.backend.stop();
    }
  });
});

/** Every entity the catalog provider emits for the main account, after one sync. */
/**
 * Delivery as Meter makes it, on a moto server of its own with IAM
 * authorisation on (it would deny the other tests' unsigned calls on the
 * shared one): "Meter" is an IAM user whose ARN the settings name as
 * Meter's principal, so the role's trust policy and its external ID
 * condition are what moto checks when it assumes the role.
 */
describe('meter-siem:delivery:verify, delivered as Meter delivers', () => {
  let world: Awaited<ReturnType<typeof startMeterWorld>>;
  let options: ActionOptions;
  let integration: { entityRef: string; streamArn: string; roleArn: string };
  let externalId: string;
  const region = 'eu-west-1';

  beforeAll(async () => {
    world = await startMeterWorld(region);
    const made = await world.provision(2);
    options = made.options;
    integration = made;
    externalId = await made.externalId();
  });

  afterAll(async () => {
    await world?.stop();
  });

  /** Meter's side: assume the role with an external ID. */
  const assumeRole = (ExternalId: string) =>
    world.assumeRole(integration.roleArn, ExternalId);

  it('refuses to let Meter assume the role with a wrong external ID', async () => {
    await expect(assumeRole('0'.repeat(64))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('sts:AssumeRole'),
    });
  });

  it('is Verified with the id and time of the test event Meter wrote with the role', async () => {
    const { Credentials } = await assumeRole(externalId);
    const kinesis = new KinesisClient({
      endpoint: world.moto.endpoint,
      region,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken,
      },
    });
    const test = meterCloudEvent(TYPE_TEST);
    const put = new PutRecordCommand({
      StreamARN: integration.streamArn,
      PartitionKey: test.subject,
      Data: encode(test),
    });
    // moto authorises Kinesis calls against the resource "*" (it does not
    // derive the stream's ARN), so the product's policy, scoped to the
    // stream's ARN, never allows PutRecord there. A grant on "*" stands in
    // for it while Meter writes, and is taken away before the check.
    const roleName = resourceName(integration.roleArn);
    const { iam } = await options.clients.forAccount({ region });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'moto-stands-in-for-the-stream-arn',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: '*' },
          ],
        }),
      }),
    );
    try {
      await kinesis.send(put);
    } finally {
      await iam.send(
        new DeleteRolePolicyCommand({
          RoleName: roleName,
          PolicyName: 'moto-stands-in-for-the-stream-arn',
        }),
      );
    }

    const { ctx, outputs, logs } = actionContext({
      integration: integration.entityRef,
      sinceMinutes: 10,
    });
    await createVerifyDeliveryAction(options).handler(ctx);
    expect(outputs).toEqual({
      status: 'Verified',
      testEventId: test.id,
      testEventTime: test.time,
      latestEventType: TYPE_TEST,
      latestEventTime: test.time,
      incomingRecords: expect.any(Number),
    });
    expect(logs.join('\n')).toContain(
      `Verified: Meter's test event ${test.id} of ${test.time} arrived`,
    );
    expect(JSON.stringify({ outputs, logs })).not.toContain(externalId);
  });
});
