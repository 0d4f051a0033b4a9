import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import { EXTERNAL_ID_BYTES, generateExternalId } from './externalId';
import { LIMITS, PATTERNS } from './limits';
import {
  DEFAULT_TAG_KEYS,
  TAG_LIMITS,
  validateExtraTags,
  validateTag,
} from './tags';
import { rules } from './validation';

const text = (n: number) => 'a'.repeat(n);

describe('LIMITS', () => {
  it.each([
    ['integrationName', rules.integrationName],
    ['streamName', rules.streamName],
    ['roleName', rules.roleName],
    ['policyName', rules.policyName],
    ['environment', rules.environment],
    ['externalId', rules.externalId],
  ] as const)('bounds the length of %s', (key, rule) => {
    const { min, max } = LIMITS[key];
    expect(rule(text(min), key)).toEqual([]);
    expect(rule(text(max), key)).toEqual([]);
    expect(rule(text(max + 1), key)).toEqual([
      { field: key, message: `must be ${min} to ${max} characters long` },
    ]);
  });

  it.each([
    ['shardCount', rules.shardCount],
    ['retentionHours', rules.retentionHours],
  ] as const)('bounds %s', (key, rule) => {
    const { min, max } = LIMITS[key];
    const refused = [
      { field: key, message: `must be between ${min} and ${max}` },
    ];
    expect(rule(min, key)).toEqual([]);
    expect(rule(max, key)).toEqual([]);
    expect(rule(min - 1, key)).toEqual(refused);
    expect(rule(max + 1, key)).toEqual(refused);
  });

  it('bounds KMS key ARNs', () => {
    expect(
      rules.kmsKeyArn(text(LIMITS.kmsKeyArn.max + 1), 'kmsKeyArn'),
    ).toEqual([
      {
        field: 'kmsKeyArn',
        message: `must be ${LIMITS.kmsKeyArn.min} to 2048 characters long`,
      },
    ]);
  });

  it('bounds owner and system refs', () => {
    const name = `group:default/${text(LIMITS.entityName.max)}`;
    expect(rules.owner(name, 'owner')).toEqual([]);
    expect(rules.owner(text(LIMITS.entityRef.max + 1), 'owner')).toEqual([
      {
        field: 'owner',
        message: `must be ${LIMITS.entityRef.min} to ${LIMITS.entityRef.max} characters long`,
      },
    ]);
  });

  it('is what the tag checks enforce, and what TAG_LIMITS says', () => {
    expect(TAG_LIMITS).toEqual({
      maxTags: LIMITS.tagCount.max,
      maxKeyLength: LIMITS.tagKey.max,
      maxValueLength: LIMITS.tagValue.max,
    });
    expect(validateTag(text(LIMITS.tagKey.max), '', 'tags')).toEqual([]);
    expect(validateTag(text(LIMITS.tagKey.max + 1), '', 'tags')).toHaveLength(
      1,
    );
    expect(validateTag('k', text(LIMITS.tagValue.max), 'tags')).toEqual([]);
    expect(
      validateTag('k', text(LIMITS.tagValue.max + 1), 'tags'),
    ).toHaveLength(1);
    const many = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const own = Object.keys(DEFAULT_TAG_KEYS).length;
    const room = LIMITS.tagCount.max - own;
    expect(validateExtraTags(many(room))).toEqual([]);
    expect(validateExtraTags(many(room + 1))).toEqual([
      {
        field: 'tags',
        message: `at most ${room} extra tags are allowed (AWS allows ${LIMITS.tagCount.max} per resource and the product sets ${own})`,
      },
    ]);
  });

  it('makes external IDs of the shortest length Meter takes', () => {
    expect(EXTERNAL_ID_BYTES * 2).toBe(LIMITS.externalId.min);
    expect(rules.externalId(generateExternalId(), 'externalId')).toEqual([]);
  });

  it("is the catalog's longest entity name", () => {
    const { max } = LIMITS.entityName;
    expect(KubernetesValidatorFunctions.isValidObjectName(text(max))).toBe(
      true,
    );
    expect(KubernetesValidatorFunctions.isValidObjectName(text(max + 1))).toBe(
      false,
    );
  });
});

describe('PATTERNS', () => {
  it.each([
    ['integrationName', 'corp-hq', 'Corp_HQ'],
    ['streamName', 'meter_siem.events-1', 'meter siem'],
    ['iamName', 'Meter+SIEM=a,b.c@d_e-f', 'meter/siem'],
    ['accountId', '123456789012', '12345678901'],
    ['region', 'us-gov-west-1', 'useast1'],
    ['environment', 'prod-eu-1', 'Production'],
    [
      'kmsKeyArn',
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:123456789012:key/*',
    ],
    ['externalId', 'a'.repeat(64), 'has spaces'],
    ['tagCharacters', 'CC 42/Security', 'no;semicolons'],
  ] as const)('%s takes %p, not %p', (key, good, bad) => {
    expect(PATTERNS[key].test(good)).toBe(true);
    expect(PATTERNS[key].test(bad)).toBe(false);
  });

  it('is what the rules enforce', () => {
    expect(rules.accountId('12345678901a', 'accountId')).toEqual([
      { field: 'accountId', message: 'must be exactly 12 digits' },
    ]);
    expect(rules.region('us-east-1', 'region')).toEqual([]);
    expect(
      rules.kmsKeyArn('arn:aws:kms:eu-west-1:123456789012:key/x', 'kmsKeyArn'),
    ).toHaveLength(1);
  });

  it('gives the KMS key region as its first group', () => {
    expect(
      PATTERNS.kmsKeyArn.exec(
        'arn:aws:kms:eu-west-1:123456789012:alias/meter-siem',
      )?.[1],
    ).toBe('eu-west-1');
  });
});
