import {
  GetRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  ANNOTATIONS,
  DEFAULT_METER_PRINCIPAL_ARN,
  ROTATION_TAG_KEY,
  analyseTrust,
  isIntegrationEntity,
  parseAuditFacts,
  parsePolicyDocument,
  rotationFinding,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import { startScaffolder } from '../__testUtils__/backend';
import { startMeterWorld } from '../__testUtils__/meter';
import {
  provisionIntegration,
  syncAccount,
} from '../__testUtils__/integration';
import { actionContext } from '../__testUtils__/moto';
import { SAM } from '../__testUtils__/org';
import { createRotateExternalIdAction } from './rotateExternalId';

jest.setTimeout(60_000);

describe('meter-siem:external-id:rotate', () => {
  let made: Awaited<ReturnType<typeof provisionIntegration>>;
  beforeAll(async () => {
    made = await provisionIntegration();
  });

  const role = async () => {
    const { Role } = await made.sdk.iam.send(
      new GetRoleCommand({ RoleName: `meter-siem-${made.name}` }),
    );
    return {
      ids: analyseTrust(
        parsePolicyDocument(Role!.AssumeRolePolicyDocument!),
        DEFAULT_METER_PRINCIPAL_ARN,
      ).externalIds,
      tags: tagsToRecord(Role!.Tags),
    };
  };
  const run = async (
    step: string,
    extra: { userRef?: string; isDryRun?: boolean } = {},
  ) => {
    const { ctx, outputs, logs } = actionContext(
      { integration: made.entityRef, step },
      extra,
    );
    await createRotateExternalIdAction(made.actionOptions).handler(ctx);
    return { outputs, logs };
  };

  it('accepts both IDs between the steps and only the new one after, never showing one', async () => {
    const [old] = (await role()).ids;
    await expect(run('start', { userRef: SAM })).rejects.toThrow(
      /Not allowed to rotate the external ID of/,
    );
    const dry = await run('start', { isDryRun: true });
    expect(dry.logs.join('\n')).toContain(
      'Dry run: would make role meter-siem-',
    );
    expect((await role()).ids).toEqual([old]);

    const started = await run('start');
    expect(started.outputs.status).toBe('rotating');
    const during = await role();
    expect(during.ids).toHaveLength(2);
    expect(during.ids[0]).toBe(old);
    const fresh = during.ids[1];
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(during.tags[ROTATION_TAG_KEY])).toBeGreaterThan(
      Date.now() - 60_000,
    );
    // The reveal gives the new ID, for Meter's Dashboard.
    expect(await made.externalId()).toBe(fresh);

    // A re-run changes nothing.
    await run('start');
    expect((await role()).ids).toEqual([old, fresh]);

    // The catalog records the rotation; the audit reports it once too old.
    const entity = (await syncAccount(made, [made.region])).find(
      isIntegrationEntity,
    )!;
    const facts = parseAuditFacts(
      entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
    )!;
    expect(facts.trust).toMatchObject({
      externalIdCount: 2,
      rotationStartedAt: during.tags[ROTATION_TAG_KEY],
    });
    const later = Date.parse(during.tags[ROTATION_TAG_KEY]) + 25 * 3_600_000;
    const maxAge = { rotationMaxAgeMs: 24 * 3_600_000 };
    expect(rotationFinding(facts, { now: Date.now(), ...maxAge })).toBe(
      undefined,
    );
    expect(rotationFinding(facts, { now: later, ...maxAge })?.ruleId).toBe(
      'rotation-half-done',
    );

    const finished = await run('finish');
    expect(finished.outputs.status).toBe('done');
    const after = await role();
    expect(after.ids).toEqual([fresh]);
    expect(after.tags).not.toHaveProperty(ROTATION_TAG_KEY);
    const again = await run('finish');
    expect(again.outputs.summary).toMatch(/Nothing to finish/);

    const said = JSON.stringify([dry, started, finished, again]);
    expect(said).not.toContain(old);
    expect(said).not.toContain(fresh);
    expect(said).not.toMatch(/[0-9a-f]{64}/);
  });

  it('refuses a trust policy changed by hand, changing nothing', async () => {
    const other = await provisionIntegration();
    const RoleName = `meter-siem-${other.name}`;
    const widened = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: DEFAULT_METER_PRINCIPAL_ARN },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(64) } },
        },
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    await other.sdk.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName,
        PolicyDocument: JSON.stringify(widened),
      }),
    );
    const { ctx } = actionContext({
      integration: other.entityRef,
      step: 'start',
    });
    await expect(
      createRotateExternalIdAction(other.actionOptions).handler(ctx),
    ).rejects.toThrow(
      new RegExp(
        `IAM role ${RoleName} was not changed: its trust policy is not the one Backstage writes`,
      ),
    );
    const { Role } = await other.sdk.iam.send(new GetRoleCommand({ RoleName }));
    expect(parsePolicyDocument(Role!.AssumeRolePolicyDocument!)).toEqual(
      widened,
    );
  });

  it('runs as the template meter-siem-rotate-external-id through the scaffolder API', async () => {
    const fresh = await provisionIntegration();
    const scaffolder = await startScaffolder([], {
      entities: fresh.entities,
      config: { aws: fresh.aws },
    });
    try {
      const result = await scaffolder.run(
        { integration: fresh.entityRef, step: 'start' },
        'template:default/meter-siem-rotate-external-id',
      );
      expect(result.task?.status).toBe('completed');
      const output = JSON.stringify(result.events);
      expect(output).toContain('accepts the old and a new external ID');
      expect(output).not.toMatch(/[0-9a-f]{64}/);
    } finally {
      await scaffolder.backend.stop();
    }
  });
});

describe('meter-siem:external-id:rotate, as Meter assumes the role', () => {
  let world: Awaited<ReturnType<typeof startMeterWorld>>;
  beforeAll(async () => {
    world = await startMeterWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('lets Meter in with both IDs between the steps, and with only the new one after', async () => {
    const made = await world.provision();
    const old = await made.externalId();
    const step = async (name: string) => {
      const { ctx } = actionContext({
        integration: made.entityRef,
        step: name,
      });
      await createRotateExternalIdAction(made.options).handler(ctx);
    };
    const assumes = (id: string) =>
      world.assumeRole(made.roleArn, id).then(
        () => true,
        () => false,
      );
    expect(await assumes(old)).toBe(true);
    expect(await assumes('0'.repeat(64))).toBe(false);

    await step('start');
    const fresh = await made.externalId();
    expect(fresh).not.toBe(old);
    expect(await assumes(old)).toBe(true);
    expect(await assumes(fresh)).toBe(true);

    await step('finish');
    expect(await assumes(old)).toBe(false);
    expect(await assumes(fresh)).toBe(true);
  });
});
