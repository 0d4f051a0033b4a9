import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import {
  CreatePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
} from '@aws-sdk/client-iam';
import { MOTO_ACCOUNT, allNames, sdk, uniqueName } from './__testUtils__/moto';
import {
  AWS_REGIONS,
  DELIVERY_LOOKBACK_MINUTES,
  LIMITS,
  PATTERNS,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  allTemplates,
  loadTemplate,
  startScaffolder,
} from './__testUtils__/backend';
import { JANE } from './__testUtils__/org';

jest.setTimeout(60_000);

/** The run's output, as the Backstage UI reads it from the task's events. */
const outputOf = (events: Array<{ type: string; body: any }>) =>
  events.find(e => e.type === 'completion')?.body.output;

describe('template meter-siem-integration through the real scaffolder backend', () => {
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  beforeAll(async () => {
    scaffolder = await startScaffolder();
  });
  afterAll(async () => {
    await scaffolder?.backend.stop();
  });

  const values = (name: string) => ({
    name,
    owner: 'group:default/security',
    environment: 'production',
    region: 'us-west-2',
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  });

  it('yields the ARNs and the entity, converges on a second run, and stores the external ID nowhere', async () => {
    const name = uniqueName('tpl');
    const first = await scaffolder.run(values(name));
    expect(first.status).toBe(201);
    expect(first.task?.status).toBe('completed');
    const output = outputOf(first.events);
    expect(output.streamArn).toBe(
      `arn:aws:kinesis:us-west-2:${MOTO_ACCOUNT}:stream/meter-siem-${name}`,
    );
    expect(output.roleArn).toBe(
      `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-${name}`,
    );
    expect(output).not.toHaveProperty('externalId');
    expect(output.entityRef).toBe(`resource:default/${name}-${MOTO_ACCOUNT}`);
    expect(output.text[0].content).toContain('Reveal external ID');

    const { kinesis, iam } = sdk('us-west-2');
    const stream = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: `meter-siem-${name}` }),
    );
    expect(stream.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    const role = await iam.send(
      new GetRoleCommand({ RoleName: `meter-siem-${name}` }),
    );
    const externalId = JSON.parse(
      decodeURIComponent(role.Role!.AssumeRolePolicyDocument!),
    ).Statement[0].Condition.StringEquals['sts:ExternalId'];
    expect(externalId).toMatch(/^[0-9a-f]{64}$/);
    // The alarm on silence, on by default, tagged like the rest.
    const alarmArn = `arn:aws:cloudwatch:us-west-2:${MOTO_ACCOUNT}:alarm:meter-siem-${name}-no-events`;
    const cloudwatch = new CloudWatchClient({ region: 'us-west-2' });
    const { MetricAlarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: [`meter-siem-${name}-no-events`],
      }),
    );
    expect(MetricAlarms.map(a => a.AlarmArn)).toEqual([alarmArn]);
    const { Tags = [] } = await cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: alarmArn }),
    );
    expect(tagsToRecord(Tags)).toMatchObject({
      owner: 'group:default/security',
      'managed-by': 'backstage',
      'meter-siem-integration': name,
    });

    const second = await scaffolder.run(values(name));
    expect(second.task?.status).toBe('completed');
    expect(outputOf(second.events)).toEqual(output);
    // One stream, one role, one policy: nothing was made twice.
    expect(
      (await allNames('us-west-2')).filter(n => n.includes(name)).sort(),
    ).toEqual([
      `meter-siem-${name}`,
      `meter-siem-${name}`,
      `meter-siem-${name}-kinesis-write`,
    ]);

    // The scaffolder keeps tasks and their events for good: neither the
    // output nor any event, nor any log line, may carry the external ID
    // (nor any other 64-hex value it could be mistaken for).
    const stored = JSON.stringify([
      first.task,
      second.task,
      ...first.events,
      ...second.events,
    ]);
    expect(stored).toContain(`meter-siem-${name}`);
    expect(stored).not.toContain(externalId);
    expect(stored).not.toMatch(/[0-9a-f]{64}/);
    const backendLog = scaffolder.logger.lines.join('\n');
    expect(backendLog).toContain(`meter-siem-${name}`);
    expect(backendLog).not.toContain(externalId);
  });

  it("grants kms:GenerateDataKey on a customer-managed key, the stream's and the policy's alike", async () => {
    const name = uniqueName('kms');
    const kmsKeyArn = `arn:aws:kms:us-west-2:${MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const run = await scaffolder.run({
      ...values(name),
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn,
    });
    expect(run.task?.status).toBe('completed');
    const { kinesis, iam } = sdk('us-west-2');
    const stream = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: `meter-siem-${name}` }),
    );
    expect(stream.StreamDescriptionSummary?.KeyId).toBe(kmsKeyArn);
    const PolicyArn = `arn:aws:iam::${MOTO_ACCOUNT}:policy/meter-siem-${name}-kinesis-write`;
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn,
        VersionId: Policy!.DefaultVersionId,
      }),
    );
    expect(JSON.parse(decodeURIComponent(PolicyVersion!.Document!))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          Resource: `arn:aws:kinesis:us-west-2:${MOTO_ACCOUNT}:stream/meter-siem-${name}`,
        },
        { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: kmsKeyArn },
      ],
    });
  });

  it('refuses a KMS alias in the form, before the stream is made: the policy needs the key', async () => {
    const name = uniqueName('alias');
    const result = await scaffolder.run({
      ...values(name),
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn: `arn:aws:kms:us-west-2:${MOTO_ACCOUNT}:alias/meter`,
    });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.body)).toContain('kmsKeyArn');
    expect((await allNames('us-west-2')).filter(n => n.includes(name))).toEqual(
      [],
    );
  });

  it('fails a run with bad input before any AWS call, naming the field', async () => {
    const name = uniqueName('bad');
    const result = await scaffolder.run({
      ...values(name),
      tags: { 'aws:reserved': 'x' },
    });
    expect(result.status).toBe(201);
    expect(result.task?.status).toBe('failed');
    expect(JSON.stringify(result.events)).toMatch(
      /tags\.aws:reserved tag keys must not start with \\"aws:\\"/,
    );
    expect((await allNames('us-west-2')).filter(n => n.includes(name))).toEqual(
      [],
    );
  });

  it('refuses the same name in a second region before creating anything', async () => {
    const name = uniqueName('twice');
    const first = await scaffolder.run(values(name));
    expect(first.task?.status).toBe('completed');
    const second = await scaffolder.run({
      ...values(name),
      region: 'eu-west-3',
    });
    expect(second.task?.status).toBe('failed');
    expect(JSON.stringify(second.events)).toContain(
      `Integration name ${name} cannot be used in account ${MOTO_ACCOUNT}, region eu-west-3: IAM policy meter-siem-${name}-kinesis-write and role meter-siem-${name} belong to integration ${name} in region us-west-2 of account ${MOTO_ACCOUNT} (IAM names are account-wide, so the name ${name} is taken in this account). Nothing was created.`,
    );
    // No stream in the second region (roles and policies are global).
    await expect(
      sdk('eu-west-3').kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: `meter-siem-${name}` }),
      ),
    ).rejects.toThrow(/not found/i);
  });

  it('refuses a name whose IAM policy someone made by hand, naming it', async () => {
    const name = uniqueName('taken');
    const { iam } = sdk('us-west-2');
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: `meter-siem-${name}-kinesis-write`,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          ],
        }),
      }),
    );
    const result = await scaffolder.run(values(name));
    expect(result.task?.status).toBe('failed');
    expect(JSON.stringify(result.events)).toContain(
      `IAM policy meter-siem-${name}-kinesis-write exists in account ${MOTO_ACCOUNT} and was not created by Backstage for integration ${name}`,
    );
    expect((await allNames('us-west-2')).filter(n => n.includes(name))).toEqual(
      [`meter-siem-${name}-kinesis-write`],
    );
  });

  it("completes a dry run (the Template Editor's) listing what it would create, with no AWS write", async () => {
    const name = uniqueName('dry');
    const res = await request(scaffolder.backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(JANE))
      .send({
        template: loadTemplate(),
        values: { ...values(name), encryption: 'KMS_AWS_MANAGED' },
        directoryContents: [],
      });
    expect(res.status).toBe(200);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');
    expect(log).toContain(
      `Dry run: would create Kinesis stream meter-siem-${name} in us-west-2 (account ${MOTO_ACCOUNT})`,
    );
    expect(log).toContain(
      `Dry run: would create IAM policy meter-siem-${name}-kinesis-write`,
    );
    expect(log).toContain(`Dry run: would create IAM role meter-siem-${name}`);
    expect(log).toContain(
      `Dry run: would create CloudWatch alarm meter-siem-${name}-no-events`,
    );
    expect(res.body.output.streamArn).toBe(
      `arn:aws:kinesis:us-west-2:${MOTO_ACCOUNT}:stream/meter-siem-${name}`,
    );
    expect(res.body.output.roleArn).toBe(
      `arn:aws:iam::${MOTO_ACCOUNT}:role/meter-siem-${name}`,
    );
    expect((await allNames('us-west-2')).filter(n => n.includes(name))).toEqual(
      [],
    );
  });

  it('refuses values the template form would refuse, when the API is called directly', async () => {
    const result = await scaffolder.run({
      ...values('UPPER case'),
      retentionHours: 10,
    });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.body)).toMatch(/name|retentionHours/);
  });
});

describe('template meter-siem-integration form', () => {
  const properties = () => {
    const all: Record<string, any> = {};
    const visit = (node: any) => {
      if (!node || typeof node !== 'object') return;
      if (node.properties) {
        for (const [key, value] of Object.entries<any>(node.properties)) {
          if (value?.type) all[key] = value;
        }
      }
      Object.values(node).forEach(visit);
    };
    loadTemplate().spec.parameters.forEach(visit);
    return all;
  };
  /** What the form's JSON schema accepts for a string property. */
  const formAccepts = (property: any, value: string) =>
    new RegExp(property.pattern).test(value) &&
    value.length >= (property.minLength ?? 0) &&
    value.length <= (property.maxLength ?? Infinity);

  it("states the domain's limits, no other", () => {
    const p = properties();
    expect([p.shardCount.minimum, p.shardCount.maximum]).toEqual([
      LIMITS.shardCount.min,
      LIMITS.shardCount.max,
    ]);
    expect([p.retentionHours.minimum, p.retentionHours.maximum]).toEqual([
      LIMITS.retentionHours.min,
      LIMITS.retentionHours.max,
    ]);
    expect([p.name.minLength, p.name.maxLength]).toEqual([
      LIMITS.integrationName.min,
      LIMITS.integrationName.max,
    ]);
    // The help texts quote the same numbers.
    expect(p.name.description).toContain(
      `at most ${LIMITS.integrationName.max}`,
    );
    expect(p.retentionHours.description).toContain(
      `${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max} hours`,
    );
  });

  it.each([
    ['hq-network', true],
    ['a', true],
    ['x'.repeat(LIMITS.integrationName.max), true],
    ['x'.repeat(LIMITS.integrationName.max + 1), false],
    ['-hq', false],
    ['hq-', false],
    ['HQ', false],
    ['hq_network', false],
    ['', false],
  ])('takes the name %j as the domain does (%s)', (value, valid) => {
    const p = properties();
    const domain =
      PATTERNS.integrationName.test(value) &&
      value.length >= LIMITS.integrationName.min &&
      value.length <= LIMITS.integrationName.max;
    expect(domain).toBe(valid);
    expect(formAccepts(p.name, value)).toBe(valid);
  });

  it.each([
    [
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      true,
    ],
    [
      'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
      true,
    ],
    [
      'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      true,
    ],
    // The policy grants a key, not an alias: the form refuses one at once.
    ['arn:aws:kms:us-east-1:123456789012:alias/siem', false],
    ['arn:aws:kms:us-east-1:123456789012:key/not-a-key-id', false],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', false],
  ])('takes the KMS key %j as the domain does (%s)', (value, valid) => {
    const p = properties();
    const domain = PATTERNS.kmsKeyArn.test(value) && !value.includes(':alias/');
    expect(domain).toBe(valid);
    expect(formAccepts(p.kmsKeyArn, value)).toBe(valid);
  });

  it('takes an SNS topic as the domain does', () => {
    const p = properties();
    expect(p.alarmTopicArn.pattern).toBe(PATTERNS.snsTopicArn.source);
    expect(p.alarm.default).toBe(true);
  });

  it('offers exactly the regions the catalog scans by default', () => {
    const page = loadTemplate().spec.parameters.find(
      (p: any) => p.properties?.region,
    );
    expect(page.properties.region.enum).toEqual([...AWS_REGIONS]);
  });

  it('states each rule in words, with the domain limits, where the form checks it', () => {
    const p = properties();
    const { integrationName, shardCount, retentionHours, accountId } = LIMITS;
    expect(p.name.errorMessage).toBe(
      `must be ${integrationName.min}–${integrationName.max} lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
    );
    expect(p.shardCount.errorMessage).toBe(
      `must be a whole number of shards from ${shardCount.min} to ${shardCount.max}`,
    );
    expect(p.retentionHours.errorMessage).toBe(
      `must be a whole number of hours from ${retentionHours.min} to ${retentionHours.max}`,
    );
    expect(p.accountId.errorMessage).toBe(
      `must be exactly ${accountId.max} digits, or empty for the main account`,
    );
    expect(p.kmsKeyArn.errorMessage).toMatch(/^must be the ARN of a KMS key/);
    expect(p.alarmTopicArn.errorMessage).toMatch(
      /^must be the ARN of an SNS topic/,
    );
    // No message quotes a pattern.
    for (const property of Object.values(p)) {
      expect(String(property.errorMessage ?? '')).not.toMatch(/[\^$]/);
    }
    // The fields with a rule use the field that states it.
    for (const key of [
      'name',
      'accountId',
      'shardCount',
      'retentionHours',
      'kmsKeyArn',
      'alarmTopicArn',
    ]) {
      expect(p[key]['ui:field']).toBe('MeterSiemField');
    }
  });
});

describe('the templates', () => {
  const walk = (node: any, visit: (node: any) => void) => {
    if (!node || typeof node !== 'object') return;
    visit(node);
    Object.values(node).forEach(child => walk(child, visit));
  };

  it.each([
    ['meter-siem-integration', 'Create integration'],
    ['meter-siem-verify-delivery', 'Verify delivery'],
    ['meter-siem-alarm', 'Add alarm'],
    ['meter-siem-update', 'Apply changes'],
    ['meter-siem-rotate-external-id', 'Rotate'],
    ['meter-siem-decommission', 'Decommission'],
    ['meter-siem-fix-tags', 'Apply tags'],
  ])('%s labels its buttons (create: %s)', (dir, createButtonText) => {
    expect(loadTemplate(dir).spec.presentation.buttonLabels).toEqual({
      backButtonText: 'Back',
      reviewButtonText: 'Review',
      createButtonText,
    });
  });

  it('label their choices for the form (ui:enumNames) and the same for the review page (enumNames)', () => {
    // The form warns that enumNames is deprecated unless ui:enumNames is
    // there too; the review page reads only enumNames.
    const mislabelled: any[] = [];
    const choices: any[] = [];
    for (const template of allTemplates()) {
      walk(template.spec.parameters, node => {
        if (
          'enumNames' in node &&
          JSON.stringify(node.enumNames) !==
            JSON.stringify(node['ui:enumNames'])
        ) {
          mislabelled.push(node);
        }
        // oneOf of const/title would label the review's rows with a
        // choice's title instead of the field's (seen in Chromium).
        if (Array.isArray(node.oneOf) && node.type === 'string') {
          mislabelled.push(node);
        }
        if (Array.isArray(node.enum) && node['ui:enumNames']) {
          choices.push(node);
        }
      });
    }
    expect(mislabelled).toEqual([]);
    expect(choices.length).toBeGreaterThanOrEqual(5);
    for (const choice of choices) {
      expect(choice.enumNames).toHaveLength(choice.enum.length);
    }
  });

  it("keep no required in a dependency's branch, where the review page would lose the field's title", () => {
    for (const template of allTemplates()) {
      walk(template.spec.parameters, node => {
        if (!node.dependencies) return;
        for (const dependency of Object.values<any>(node.dependencies)) {
          for (const branch of dependency.oneOf ?? []) {
            expect(branch).not.toHaveProperty('required');
          }
        }
      });
    }
  });

  it('title their output links as actions', () => {
    for (const template of allTemplates()) {
      for (const link of template.spec.output?.links ?? []) {
        expect(link.title).toMatch(/^Open /);
      }
    }
  });

  it('state the delivery look-back in the domain numbers', () => {
    const { sinceMinutes } = loadTemplate('meter-siem-verify-delivery').spec
      .parameters[0].properties;
    expect([sinceMinutes.minimum, sinceMinutes.maximum]).toEqual([
      DELIVERY_LOOKBACK_MINUTES.min,
      DELIVERY_LOOKBACK_MINUTES.max,
    ]);
    expect(sinceMinutes.errorMessage).toBe(
      `must be a whole number of minutes from ${DELIVERY_LOOKBACK_MINUTES.min} to ${DELIVERY_LOOKBACK_MINUTES.max}`,
    );
  });
});
