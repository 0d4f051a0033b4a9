import { validate } from 'jsonschema';
import yaml from 'yaml';
import { createApplyTagsAction } from './applyTags';
import { createPolicyAction } from './createPolicy';
import { createRoleAction } from './createRole';
import { createStreamAction } from './createStream';
import { createRegisterIntegrationAction } from './registerIntegration';
import { createAlarmAction } from './createAlarm';
import { createApplyAlarmAction } from './applyAlarm';
import { createDecommissionAction } from './decommission';
import { createRotateExternalIdAction } from './rotateExternalId';
import { createUpdateStreamAction } from './updateStream';
import { createVerifyDeliveryAction } from './verifyDelivery';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DEFAULT_METER_PRINCIPAL_ARN,
  buildIntegrationEntities,
  buildTrustPolicy,
  resolveSettings,
} from '@internal/backstage-plugin-meter-siem-common';
import { actionContext, actionOptions } from '../__testUtils__/moto';
import { ALEX, testAccess } from '../__testUtils__/org';

/** The catalog's entities of the integrations the examples name. */
function integration(
  roleName: string,
  streamName: string,
  tags: Record<string, string> = {},
): Entity {
  const accountId = '123456789012';
  const [entity] = buildIntegrationEntities(
    [
      {
        accountId,
        region: 'us-east-1',
        streamArn: `arn:aws:kinesis:us-east-1:${accountId}:stream/${streamName}`,
        stream: { name: streamName, tags },
        role: {
          arn: `arn:aws:iam::${accountId}:role/${roleName}`,
          name: roleName,
          tags,
          trustPolicy: buildTrustPolicy({
            principalArn: DEFAULT_METER_PRINCIPAL_ARN,
            externalId: 'e'.repeat(64),
          }),
        },
      },
    ],
    { settings: resolveSettings(), fallbackOwner: 'group:default/security' },
  );
  return entity as unknown as Entity;
}
const integrations = [
  integration('meter-siem-hq-network', 'meter-siem-hq-network', {
    owner: 'group:default/security',
    'managed-by': 'backstage',
    'meter-siem-integration': 'hq-network',
  }),
  // Tagged as Meter's guide writes it.
  integration('MeterSIEMIntegrationRole', 'meter-siem-events', {
    Owner: 'group:default/security',
    Environment: 'Production',
  }),
];

/** What earlier steps would have produced, for the examples' expressions. */
const previousOutputs: Record<string, string> = {
  'steps.stream.output.streamArn':
    'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-hq-network',
  'steps.policy.output.policyArn':
    'arn:aws:iam::123456789012:policy/meter-siem-hq-network-kinesis-write',
  'steps.role.output.roleArn':
    'arn:aws:iam::123456789012:role/meter-siem-hq-network',
  'parameters.integration': stringifyEntityRef(integrations[0]),
  'parameters.owner': 'group:default/security',
  'parameters.environment': 'production',
};

function resolve(input: Record<string, unknown>) {
  return JSON.parse(
    JSON.stringify(input).replace(
      /\$\{\{ ([^}]+) \}\}/g,
      (_, expression: string) => previousOutputs[expression.trim()],
    ),
  );
}

// Dry runs only: no AWS write, and no emulator needed (without one the
// stream step names a placeholder account).
const options = actionOptions(resolveSettings(), testAccess(integrations), {
  needsAws: false,
});
const events = { publish: jest.fn(), subscribe: jest.fn() };
const actions = [
  createStreamAction(options),
  createPolicyAction(options),
  createRoleAction(options),
  createRegisterIntegrationAction({ events }),
  createApplyTagsAction(options),
  createAlarmAction(options),
  createApplyAlarmAction(options),
  createVerifyDeliveryAction(options),
  createUpdateStreamAction(options),
  createRotateExternalIdAction(options),
  createDecommissionAction(options),
];

describe.each(actions.map(a => [a.id, a] as const))(
  '%s examples',
  (_, action) => {
    it('has examples', () => {
      expect(action.examples?.length).toBeGreaterThan(0);
    });

    it.each(action.examples!.map(e => [e.description, e] as const))(
      '%s',
      async (_description, example) => {
        const [step] = yaml.parse(example.example).steps;
        expect(step.action).toBe(action.id);
        expect(action.schema!.input).toHaveProperty('properties');
        const input = resolve(step.input);
        const result = validate(input, action.schema!.input as any);
        expect(result.errors.map(e => e.stack)).toEqual([]);

        // The update's dry run reads the stream to show its diff: its own
        // test runs its examples' dry runs against a stream in moto.
        if (action.id === 'meter-siem:stream:update') return;

        // A dry run goes through every rule without touching AWS.
        // Run by a member of the admin group, who may act for every owner.
        const { ctx, outputs } = actionContext(input, {
          isDryRun: true,
          userRef: ALEX,
        });
        await action.handler(ctx);
        // The dry run yields what the action promises, as its schema says,
        // so the next step's expressions resolve: every required output
        // (an optional one, such as a test event's id, only when known).
        const output = action.schema!.output as any;
        const promised = Object.keys(output?.properties ?? {});
        expect(promised).toEqual(expect.arrayContaining(Object.keys(outputs)));
        expect(Object.keys(outputs)).toEqual(
          expect.arrayContaining(output?.required ?? []),
        );
        expect(validate(outputs, output ?? {}).errors).toEqual([]);
      },
    );
  },
);

describe('meter-siem:tags:apply example on an integration tagged by the guide', () => {
  it('says in its dry run which keys it renames on which resource', async () => {
    const action = createApplyTagsAction(options);
    const example = action.examples!.find(e =>
      e.description.includes('renames'),
    )!;
    const [step] = yaml.parse(example.example).steps;
    const { ctx, logs } = actionContext(resolve(step.input), {
      isDryRun: true,
      userRef: ALEX,
    });
    await action.handler(ctx);
    expect(logs.join('\n')).toContain(
      ', and rename Owner to owner, Environment to environment on the stream; Owner to owner, Environment to environment on the role (keys as the catalog last read them',
    );
  });
});
