import {
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  RemoveTagsFromStreamCommand,
} from '@aws-sdk/client-kinesis';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { MeterSiemEntityProvider } from '@internal/backstage-plugin-catalog-backend-module-meter-siem';
import {
  MANAGED_BY_VALUE,
  isIntegrationEntity,
  resolveSettings,
  silenceAlarmParameters,
} from '@internal/backstage-plugin-meter-siem-common';
import { startAwsFaultProxy } from '@internal/backstage-plugin-meter-siem-node/testUtils';
import { validate } from 'jsonschema';
import request from 'supertest';
import yaml from 'yaml';
import { loadTemplate, startScaffolder } from '../__testUtils__/backend';
import {
  provisionIntegration,
  syncAccount,
} from '../__testUtils__/integration';
import {
  actionContext,
  actionOptions,
  requireMoto,
} from '../__testUtils__/moto';
import { JANE, SAM, testAccess } from '../__testUtils__/org';
import { createDecommissionAction } from './decommission';

jest.setTimeout(60_000);

const keys = resolveSettings().tagKeys;
type Made = Awaited<ReturnType<typeof provisionIntegration>>;

const ours = (made: Made) => [
  { Key: keys.integration, Value: made.name },
  { Key: keys.managedBy, Value: MANAGED_BY_VALUE },
];

/** The stream's alarm on silence, tagged as the product tags it unless told. */
async function putAlarm(made: Made, tags = ours(made)) {
  const parameters = silenceAlarmParameters(`meter-siem-${made.name}`);
  await made.sdk.cloudwatch.send(
    new PutMetricAlarmCommand({ ...parameters, Tags: tags }),
  );
  const { MetricAlarms = [] } = await made.sdk.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [parameters.AlarmName] }),
  );
  return MetricAlarms[0].AlarmArn!;
}

/** What of the integration is still in AWS (a DELETING stream counts as gone). */
async function leftInAws(made: Made): Promise<string[]> {
  const name = `meter-siem-${made.name}`;
  const left: string[] = [];
  const stream = await made.sdk.kinesis
    .send(new DescribeStreamSummaryCommand({ StreamName: name }))
    .catch(() => undefined);
  const status = stream?.StreamDescriptionSummary?.StreamStatus;
  if (status && status !== 'DELETING') left.push('stream');
  if (
    await made.sdk.iam
      .send(new GetRoleCommand({ RoleName: name }))
      .catch(() => undefined)
  ) {
    left.push('role');
  }
  if (
    await made.sdk.iam
      .send(new GetPolicyCommand({ PolicyArn: made.policyArn }))
      .catch(() => undefined)
  ) {
    left.push('policy');
  }
  const { MetricAlarms = [] } = await made.sdk.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [`${name}-no-events`] }),
  );
  if (MetricAlarms.length > 0) left.push('alarm');
  return left;
}

/** The catalog provider of the integration's account, synced once, hearing `events`. */
async function syncedProvider(made: Made) {
  const events = mockServices.events();
  const [provider] = MeterSiemEntityProvider.fromConfig(
    new ConfigReader({
      aws: made.aws,
      catalog: {
        providers: {
          meterSiem: {
            regions: [made.region],
            accounts: [{ accountId: made.accountId }],
          },
        },
      },
    }),
    {
      logger: mockServices.logger.mock(),
      scheduler: mockServices.scheduler.mock(),
      events,
    },
  );
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  await provider.connect(connection);
  await provider.refresh();
  return { events, connection };
}

const allRefs = (entities: Entity[]) =>
  entities.map(e => stringifyEntityRef(e));

describe('meter-siem:integration:decommission', () => {
  requireMoto();

  it('leaves nothing of the integration in AWS or in the catalog', async () => {
    const made = await provisionIntegration();
    const alarmArn = await putAlarm(made);
    expect(await leftInAws(made)).toEqual([
      'stream',
      'role',
      'policy',
      'alarm',
    ]);
    const { events, connection } = await syncedProvider(made);
    const action = createDecommissionAction({ ...made.actionOptions, events });

    const { ctx, outputs } = actionContext({
      integration: made.entityRef,
      confirm: made.name,
    });
    await action.handler(ctx);

    expect(outputs.removed).toEqual([
      alarmArn,
      made.policyArn,
      made.roleArn,
      made.streamArn,
    ]);
    expect(await leftInAws(made)).toEqual([]);
    // Every entity the provider emitted for it: the integration, its stream,
    // role and policy.
    expect(made.entities).toHaveLength(4);
    expect(outputs.entityRefs.sort()).toEqual(allRefs(made.entities).sort());
    const calls = connection.applyMutation.mock.calls;
    const [delta] = calls[calls.length - 1];
    expect(delta.type).toBe('delta');
    expect(delta.added).toEqual([]);
    expect(
      delta.removed.map((r: { entityRef: string }) => r.entityRef).sort(),
    ).toEqual(allRefs(made.entities).sort());
    // And the next sync does not find it again.
    expect(await syncAccount(made, [made.region])).toEqual([]);

    // A second run finds nothing left to delete, and fails on nothing.
    const again = actionContext({
      integration: made.entityRef,
      confirm: made.name,
    });
    await action.handler(again.ctx);
    expect(again.outputs.removed).toEqual([]);
  });

  it('refuses a missing or wrong confirm before any AWS call', async () => {
    const made = await provisionIntegration();
    const forAccount = jest.spyOn(made.actionOptions.clients, 'forAccount');
    const action = createDecommissionAction(made.actionOptions);
    for (const confirm of [undefined, '', 'wrong', made.name.toUpperCase()]) {
      const { ctx } = actionContext({ integration: made.entityRef, confirm });
      const error = await action.handler(ctx).catch(e => e);
      expect(error.name).toBe('InputError');
      expect(error.message).toContain(
        `confirm must be the integration's name as given at creation: type "${made.name}"`,
      );
    }
    expect(forAccount).not.toHaveBeenCalled();
    expect(await leftInAws(made)).toEqual(['stream', 'role', 'policy']);
  });

  it('deletes nothing when a part is not the integration’s own', async () => {
    const made = await provisionIntegration();
    await putAlarm(made);
    const action = createDecommissionAction(made.actionOptions);
    const run = () =>
      action.handler(
        actionContext({ integration: made.entityRef, confirm: made.name }).ctx,
      );
    const StreamName = `meter-siem-${made.name}`;
    const everything = ['stream', 'role', 'policy', 'alarm'];
    await made.sdk.kinesis.send(
      new RemoveTagsFromStreamCommand({
        StreamName,
        TagKeys: [keys.managedBy],
      }),
    );
    await expect(run()).rejects.toThrow(
      `Nothing was deleted: ${made.entityRef} has parts that are not only its own. Kinesis stream ${StreamName} was not created by Backstage for integration ${made.name}`,
    );
    expect(await leftInAws(made)).toEqual(everything);

    // Nor when someone gave the role a policy of their own.
    await made.sdk.kinesis.send(
      new AddTagsToStreamCommand({
        StreamName,
        Tags: { [keys.managedBy]: MANAGED_BY_VALUE },
      }),
    );
    await made.sdk.iam.send(
      new PutRolePolicyCommand({
        RoleName: StreamName,
        PolicyName: 'extra-s3-read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          ],
        }),
      }),
    );
    await expect(run()).rejects.toThrow(
      `IAM role ${StreamName} also has inline policy extra-s3-read`,
    );
    expect(await leftInAws(made)).toEqual(everything);

    // Nor when its policy serves another role too.
    await made.sdk.iam.send(
      new DeleteRolePolicyCommand({
        RoleName: StreamName,
        PolicyName: 'extra-s3-read',
      }),
    );
    await made.sdk.iam.send(
      new CreateRoleCommand({
        RoleName: `${StreamName}-other`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await made.sdk.iam.send(
      new AttachRolePolicyCommand({
        RoleName: `${StreamName}-other`,
        PolicyArn: made.policyArn,
      }),
    );
    await expect(run()).rejects.toThrow(
      `IAM policy ${StreamName}-kinesis-write is also attached to role ${StreamName}-other`,
    );
    expect(await leftInAws(made)).toEqual(everything);
  });

  it('refuses an integration made by hand, which the catalog found untagged', async () => {
    const made = await provisionIntegration();
    const StreamName = `meter-siem-${made.name}`;
    await made.sdk.kinesis.send(
      new RemoveTagsFromStreamCommand({
        StreamName,
        TagKeys: [keys.managedBy],
      }),
    );
    await made.sdk.iam.send(
      new UntagRoleCommand({ RoleName: StreamName, TagKeys: [keys.managedBy] }),
    );
    const entities = await syncAccount(made, [made.region]);
    const entity = entities.find(isIntegrationEntity)!;
    const action = createDecommissionAction({
      ...made.actionOptions,
      access: testAccess(entities),
    });
    const { ctx } = actionContext({
      integration: stringifyEntityRef(entity),
      confirm: made.name,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /was not created by Backstage: neither its role nor its stream carries the tags managed-by=backstage .* Delete its resources by hand/,
    );
    expect(await leftInAws(made)).toEqual(['stream', 'role', 'policy']);
  });

  it('leaves alone an alarm of that name that is not the integration’s', async () => {
    const made = await provisionIntegration();
    await putAlarm(made, []);
    const { ctx, outputs, logs } = actionContext({
      integration: made.entityRef,
      confirm: made.name,
    });
    await createDecommissionAction(made.actionOptions).handler(ctx);
    expect(await leftInAws(made)).toEqual(['alarm']);
    expect(outputs.removed).toHaveLength(3);
    expect(logs.join('\n')).toContain(
      `CloudWatch alarm meter-siem-${made.name}-no-events was left alone`,
    );
  });

  it('finishes the job on a re-run after a run that failed half way', async () => {
    const made = await provisionIntegration();
    const alarmArn = await putAlarm(made);
    const { events, connection } = await syncedProvider(made);
    const action = createDecommissionAction({ ...made.actionOptions, events });
    const proxy = await startAwsFaultProxy({ target: requireMoto() });
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.url;
    try {
      proxy.inject({ operation: 'iam:DeleteRole', fault: 'denied' });
      const first = actionContext({
        integration: made.entityRef,
        confirm: made.name,
      });
      await expect(action.handler(first.ctx)).rejects.toThrow(
        /AWS denied iam:DeleteRole on role meter-siem-.*run the template again/,
      );
      expect(await leftInAws(made)).toEqual(['stream', 'role']);
      // The catalog keeps the integration until it is gone.
      expect(connection.applyMutation).toHaveBeenCalledTimes(1);

      proxy.clear();
      const { ctx, outputs } = actionContext({
        integration: made.entityRef,
        confirm: made.name,
      });
      await action.handler(ctx);
      expect(outputs.removed).toEqual([made.roleArn, made.streamArn]);
      expect(first.logs.join('\n')).toContain(`(${alarmArn})`);
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
      await proxy.close();
    }
    expect(await leftInAws(made)).toEqual([]);
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    expect(connection.applyMutation.mock.calls[1][0].removed).toHaveLength(4);
  });

  it('refuses a member of another team', async () => {
    const made = await provisionIntegration();
    const { ctx } = actionContext(
      { integration: made.entityRef, confirm: made.name },
      { userRef: SAM },
    );
    await expect(
      createDecommissionAction(made.actionOptions).handler(ctx),
    ).rejects.toThrow(
      `Not allowed to decommission ${made.entityRef}: user:default/sam.lee is not a member of group:default/security`,
    );
    expect(await leftInAws(made)).toEqual(['stream', 'role', 'policy']);
  });

  it('lists in its dry run what goes, and deletes nothing', async () => {
    const made = await provisionIntegration();
    const forAccount = jest.spyOn(made.actionOptions.clients, 'forAccount');
    const { ctx, outputs, logs } = actionContext(
      { integration: made.entityRef },
      { isDryRun: true },
    );
    await createDecommissionAction(made.actionOptions).handler(ctx);
    const log = logs.join('\n');
    const stream = `meter-siem-${made.name}`;
    expect(log).toContain(
      `Dry run: would decommission integration ${made.name} (${made.entityRef}): delete, in this order, CloudWatch alarm ${stream}-no-events (if it exists and is the integration's); IAM policy ${made.policyArn} (detached from the role, with its versions); IAM role ${made.roleArn}; Kinesis stream ${made.streamArn} (Meter's events stop); then remove ${made.entityRef}, resource:default/${made.entity.metadata.name}-stream`,
    );
    expect(log).toContain(
      `confirm must be the integration's name as given at creation: type "${made.name}"`,
    );
    expect(outputs).toEqual({ removed: [], entityRefs: [] });
    expect(forAccount).not.toHaveBeenCalled();
    expect(await leftInAws(made)).toEqual(['stream', 'role', 'policy']);
  });

  it('has examples its schema accepts', () => {
    const action = createDecommissionAction(
      actionOptions(resolveSettings(), testAccess(), { needsAws: false }),
    );
    expect(action.examples?.length).toBeGreaterThan(0);
    for (const example of action.examples!) {
      const [step] = yaml.parse(example.example).steps;
      expect(step.action).toBe(action.id);
      expect(validate(step.input, action.schema!.input as any).errors).toEqual(
        [],
      );
    }
  });
});

describe('template meter-siem-decommission through the scaffolder API', () => {
  it('decommissions the integration and says what was removed', async () => {
    const made = await provisionIntegration();
    const scaffolder = await startScaffolder([], {
      entities: made.entities,
      config: { aws: made.aws },
    });
    try {
      const template = 'template:default/meter-siem-decommission';
      const dry = await request(scaffolder.backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(JANE))
        .send({
          template: loadTemplate('meter-siem-decommission'),
          values: { integration: made.entityRef, confirm: made.name },
          directoryContents: [],
        });
      expect(dry.status).toBe(200);
      expect(JSON.stringify(dry.body.log)).toContain(
        'Dry run: would decommission',
      );
      expect(await leftInAws(made)).toEqual(['stream', 'role', 'policy']);

      const run = await scaffolder.run(
        { integration: made.entityRef, confirm: made.name },
        template,
      );
      expect(run.task?.status).toBe('completed');
      const output = run.events.find(e => e.type === 'completion')?.body.output;
      expect(output.text[0].content).toContain(
        `Deleted in AWS: ${made.policyArn}, ${made.roleArn}, ${made.streamArn}.`,
      );
      expect(output.text[0].content).toContain(
        `Removed from the catalog: ${made.entityRef}, `,
      );
      expect(JSON.stringify(output.links)).not.toContain(made.entityRef);
      expect(await leftInAws(made)).toEqual([]);
    } finally {
      await scaffolder.backend.stop();
    }
  });
});
