import { createPolicyAction } from './createPolicy';
import { createRoleAction } from './createRole';
import { createStreamAction } from './createStream';
import {
  actionContext,
  actionOptions,
  allNames,
  uniqueName,
} from '../__testUtils__/moto';

const options = actionOptions();
const stream = createStreamAction(options);
const policy = createPolicyAction(options);
const role = createRoleAction(options);

const prefix = uniqueName('bad');
let counter = 0;
/** A valid input with a name this run owns, so leftovers can be found. */
function valid() {
  counter += 1;
  return {
    name: `${prefix}-${counter}`,
    region: 'ap-southeast-2',
    owner: 'group:default/security',
    environment: 'production',
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  };
}
const streamArn = (name: string) =>
  `arn:aws:kinesis:ap-southeast-2:123456789012:stream/meter-siem-${name}`;
const policyArn = (name: string) =>
  `arn:aws:iam::123456789012:policy/meter-siem-${name}-kinesis-write`;

type Case = [
  string,
  typeof stream | typeof policy | typeof role,
  (v: any) => any,
  RegExp,
];

const cases: Case[] = [
  [
    'name with capitals',
    stream,
    v => ({ ...v, name: 'HQ' }),
    /name may contain only lowercase letters/,
  ],
  [
    'name too long',
    stream,
    v => ({ ...v, name: 'a'.repeat(41) }),
    /name must be 1 to 40 characters/,
  ],
  [
    'name empty',
    stream,
    v => ({ ...v, name: '' }),
    /name must be 1 to 40 characters/,
  ],
  [
    'name ending with a hyphen',
    stream,
    v => ({ ...v, name: 'hq-' }),
    /name may contain only lowercase/,
  ],
  [
    'region made up',
    stream,
    v => ({ ...v, region: 'moon-west-x' }),
    /region must be an AWS region code/,
  ],
  [
    'region in capitals',
    stream,
    v => ({ ...v, region: 'US-EAST-1' }),
    /region must be an AWS region code/,
  ],
  [
    'account id of 11 digits',
    stream,
    v => ({ ...v, accountId: '12345678901' }),
    /accountId must be exactly 12 characters long/,
  ],
  [
    'account id with letters',
    stream,
    v => ({ ...v, accountId: '12345678901a' }),
    /accountId must be exactly 12 digits/,
  ],
  [
    'owner with spaces',
    stream,
    v => ({ ...v, owner: 'team a' }),
    /owner must be a catalog group or user reference/,
  ],
  [
    'owner of another kind',
    stream,
    v => ({ ...v, owner: 'component:default/x' }),
    /owner must be a catalog group or user reference/,
  ],
  [
    'environment in capitals',
    stream,
    v => ({ ...v, environment: 'Prod' }),
    /environment may contain only lowercase/,
  ],
  [
    'environment too long',
    stream,
    v => ({ ...v, environment: 'e'.repeat(33) }),
    /environment must be 1 to 32 characters/,
  ],
  [
    'system of another kind',
    stream,
    v => ({ ...v, system: 'group:default/x' }),
    /system must be a catalog system reference/,
  ],
  [
    'zero shards',
    stream,
    v => ({ ...v, shardCount: 0 }),
    /shardCount must be between 1 and 500/,
  ],
  [
    '501 shards',
    stream,
    v => ({ ...v, shardCount: 501 }),
    /shardCount must be between 1 and 500/,
  ],
  [
    'fractional shards',
    stream,
    v => ({ ...v, shardCount: 1.5 }),
    /shardCount must be a whole number/,
  ],
  [
    'retention 23 hours',
    stream,
    v => ({ ...v, retentionHours: 23 }),
    /retentionHours must be between 24 and 8760/,
  ],
  [
    'retention 8761 hours',
    stream,
    v => ({ ...v, retentionHours: 8761 }),
    /retentionHours must be between 24 and 8760/,
  ],
  [
    'configure not a boolean',
    stream,
    v => ({ ...v, configure: 'later' }),
    /configure must be true or false/,
  ],
  [
    'capacity mode unknown',
    stream,
    v => ({ ...v, capacityMode: 'BURST' }),
    /capacityMode must be PROVISIONED or ON_DEMAND/,
  ],
  [
    'encryption unknown',
    stream,
    v => ({ ...v, encryption: 'AES' }),
    /encryption must be NONE, KMS_AWS_MANAGED or KMS_CUSTOMER_KEY/,
  ],
  [
    'customer key without its ARN',
    stream,
    v => ({ ...v, encryption: 'KMS_CUSTOMER_KEY' }),
    /kmsKeyArn is required when encryption is KMS_CUSTOMER_KEY/,
  ],
  [
    'customer key ARN malformed',
    stream,
    v => ({
      ...v,
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn: 'arn:aws:kms:ap-southeast-2:123456789012:key/nope',
    }),
    /kmsKeyArn must be a KMS key or alias ARN/,
  ],
  [
    'customer key in another region',
    stream,
    v => ({
      ...v,
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn:
        'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    }),
    /kmsKeyArn must be a key in the stream's region ap-southeast-2/,
  ],
  [
    'key ARN without customer key encryption',
    stream,
    v => ({
      ...v,
      kmsKeyArn: 'arn:aws:kms:ap-southeast-2:123456789012:alias/x',
    }),
    /kmsKeyArn is only used when encryption is KMS_CUSTOMER_KEY/,
  ],
  [
    'tag key reserved by AWS',
    stream,
    v => ({ ...v, tags: { 'aws:x': 'y' } }),
    /tags\.aws:x tag keys must not start with "aws:"/,
  ],
  [
    'tag key too long',
    stream,
    v => ({ ...v, tags: { ['k'.repeat(129)]: 'y' } }),
    /tag keys must be 1 to 128 characters long/,
  ],
  [
    'tag value too long',
    stream,
    v => ({ ...v, tags: { team: 'v'.repeat(257) } }),
    /tags\.team tag values must be at most 256 characters long/,
  ],
  [
    'tag with forbidden characters',
    stream,
    v => ({ ...v, tags: { 'cost#center': 'x' } }),
    /tags\.cost#center tag keys may contain only/,
  ],
  [
    'tag overriding the owner tag',
    stream,
    v => ({ ...v, tags: { owner: 'someone' } }),
    /tags\.owner "owner" is set by the product itself/,
  ],
  // Meter's guide spells them so: the product reads them as its own keys.
  [
    'tag Owner, the owner tag in another case',
    stream,
    v => ({ ...v, tags: { Owner: 'someone' } }),
    /tags\.Owner "Owner" is the product's own tag "owner" \(IAM ignores the case of tag keys, and so does the product\) and cannot be given as an extra tag/,
  ],
  [
    'policy tag Environment, the environment tag in another case',
    policy,
    v => ({ ...v, tags: { Environment: 'Production' } }),
    /tags\.Environment "Environment" is the product's own tag "environment"/,
  ],
  [
    'role tag Managed-By, the managed-by tag in another case',
    role,
    v => ({ ...v, tags: { 'Managed-By': 'terraform' } }),
    /tags\.Managed-By "Managed-By" is the product's own tag "managed-by"/,
  ],
  [
    'too many tags',
    stream,
    v => ({
      ...v,
      tags: Object.fromEntries(
        Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']),
      ),
    }),
    /tags at most 45 extra tags are allowed/,
  ],
  [
    'policy for a stream ARN that is not one',
    policy,
    v => ({ ...v, streamArn: 'meter-siem-x' }),
    /streamArn must be the ARN of a Kinesis stream/,
  ],
  [
    'policy for a stream in another region',
    policy,
    v => ({
      ...v,
      streamArn: streamArn(v.name).replace('ap-southeast-2', 'eu-west-1'),
    }),
    /streamArn must be a Kinesis stream in region ap-southeast-2/,
  ],
  [
    'role with a policy ARN that is not one',
    role,
    v => ({ ...v, policyArn: streamArn(v.name) }),
    /policyArn must be the ARN of an IAM policy/,
  ],
];

describe('bad input is refused before any AWS call', () => {
  it('has a case for every input field the create actions take', () => {
    const fields = new Set(
      [stream, policy, role].flatMap(action =>
        Object.keys((action.schema!.input as any).properties),
      ),
    );
    const uncovered = [...fields].filter(
      field => !cases.some(([, , , message]) => message.source.includes(field)),
    );
    expect(uncovered).toEqual([]);
  });

  it.each(cases)('%s', async (_title, action, mutate, message) => {
    const base = valid();
    const input = mutate({
      ...base,
      ...(action === policy ? { streamArn: streamArn(base.name) } : {}),
      ...(action === role ? { policyArn: policyArn(base.name) } : {}),
    });
    const { ctx } = actionContext(input);
    await expect(action.handler(ctx)).rejects.toThrow(message);
    await expect(action.handler(ctx)).rejects.toThrow(/^Invalid input: /);
  });

  it('left nothing in AWS', async () => {
    const names = await allNames('ap-southeast-2');
    expect(names.filter(n => n?.includes(prefix))).toEqual([]);
  });
});
