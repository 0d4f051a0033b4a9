import { validate } from 'jsonschema';
import yaml from 'yaml';
import { applyTagsAction } from './applyTags';
import { createPolicyAction } from './createPolicy';
import { createRoleAction } from './createRole';
import { createStreamAction } from './createStream';
import { registerIntegrationAction } from './registerIntegration';
import { actionContext, actionOptions } from '../__testUtils__/moto';

/** What earlier steps would have produced, for the examples' expressions. */
const previousOutputs: Record<string, string> = {
  'steps.stream.output.streamArn':
    'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-hq-network',
  'steps.policy.output.policyArn':
    'arn:aws:iam::123456789012:policy/meter-siem-hq-network-kinesis-write',
  'steps.role.output.roleArn':
    'arn:aws:iam::123456789012:role/meter-siem-hq-network',
  "steps.fetch.output.entity.metadata.annotations['meter-siem.io/stream-arn']":
    'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-hq-network',
  "steps.fetch.output.entity.metadata.annotations['meter-siem.io/role-arn']":
    'arn:aws:iam::123456789012:role/meter-siem-hq-network',
  "steps.fetch.output.entity.metadata.annotations['meter-siem.io/policy-arn']":
    'arn:aws:iam::123456789012:policy/meter-siem-hq-network-kinesis-write',
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

const options = actionOptions();
const events = { publish: jest.fn(), subscribe: jest.fn() };
const actions = [
  createStreamAction(options),
  createPolicyAction(options),
  createRoleAction(options),
  registerIntegrationAction({ events }),
  applyTagsAction(options),
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

        // A dry run goes through every rule without touching AWS.
        const { ctx, outputs } = actionContext(input, { isDryRun: true });
        await action.handler(ctx);
        expect(Object.keys(outputs).length).toBeGreaterThan(0);
      },
    );
  },
);
