import {
  IntegrationTarget,
  rules,
  StreamSettings,
  validateStreamSettings,
  validateTarget,
} from './validation';

const chars = (n: number, c = 'a') => c.repeat(n);

/** Exactly one issue, on `field`, whose message contains `text`. */
const oneIssue = (field: string, text: string) => [
  { field, message: expect.stringContaining(text) },
];

describe('validateTarget', () => {
  const valid: IntegrationTarget = {
    name: 'corp-hq',
    region: 'eu-west-2',
    owner: 'group:default/security',
    environment: 'production',
  };

  it('accepts a complete, valid target', () => {
    expect(
      validateTarget({
        ...valid,
        accountId: '123456789012',
        system: 'system:default/network',
        tags: { 'cost-center': '4711' },
      }),
    ).toEqual([]);
  });

  it('accepts a target without the optional fields', () => {
    expect(validateTarget(valid)).toEqual([]);
    expect(validateTarget({ ...valid, accountId: '', system: '' })).toEqual([]);
  });

  it('reports every missing required field by name', () => {
    expect(validateTarget({})).toEqual(
      ['name', 'region', 'owner', 'environment'].map(field => ({
        field,
        message: 'is required',
      })),
    );
  });

  describe('name', () => {
    it.each([
      ['a', 1],
      ['corp-hq', 7],
      ['a1-b2', 5],
      [chars(40), 40],
    ])('accepts %p (%p characters)', name => {
      expect(validateTarget({ ...valid, name })).toEqual([]);
    });

    it.each([
      ['', '1 to 40 characters'],
      [chars(41), '1 to 40 characters'],
      ['Corp', 'lowercase letters, digits and hyphens'],
      ['-corp', 'must start and end with a letter or digit'],
      ['corp-', 'must start and end with a letter or digit'],
      ['corp_hq', 'lowercase letters, digits and hyphens'],
      ['corp hq', 'lowercase letters, digits and hyphens'],
    ])('rejects %p', (name, text) => {
      expect(validateTarget({ ...valid, name })).toEqual(
        oneIssue('name', text),
      );
    });
  });

  describe('region', () => {
    it.each([
      'us-east-1',
      'eu-west-2',
      'ap-southeast-1',
      'il-central-1',
      'ca-west-1',
      'us-gov-west-1',
      'cn-north-1',
      'us-iso-east-1',
      'us-isob-east-1',
      'eu-isoe-west-1',
      'us-isof-south-1',
    ])('accepts %p', region => {
      expect(validateTarget({ ...valid, region })).toEqual([]);
    });

    it.each([
      ['US-EAST-1', 'AWS region code'],
      ['us-eastern', 'AWS region code'],
      ['useast-12', 'AWS region code'],
      ['us-east-1a', 'AWS region code'],
      ['us_east_1', 'AWS region code'],
      ['us-east-123', 'AWS region code'],
      [' us-east-1', 'AWS region code'],
      ['us-e-1', '9 to 25 characters'],
      ['', '9 to 25 characters'],
    ])('rejects %p', (region, text) => {
      expect(validateTarget({ ...valid, region })).toEqual(
        oneIssue('region', text),
      );
    });
  });

  describe('accountId', () => {
    it('accepts 12 digits', () => {
      expect(validateTarget({ ...valid, accountId: '012345678901' })).toEqual(
        [],
      );
    });

    it.each([
      ['12345678901', 'exactly 12 characters'],
      ['1234567890123', 'exactly 12 characters'],
      ['12345678901a', 'exactly 12 digits'],
      ['1234-5678-90', 'exactly 12 digits'],
      ['12345678901 ', 'exactly 12 digits'],
    ])('rejects %p', (accountId, text) => {
      expect(validateTarget({ ...valid, accountId })).toEqual(
        oneIssue('accountId', text),
      );
    });

    it('rejects an account id given as a number', () => {
      expect(
        validateTarget({ ...valid, accountId: 123456789012 as any }),
      ).toEqual(oneIssue('accountId', 'must be a string'));
    });
  });

  describe('owner', () => {
    it.each([
      'group:default/security',
      'user:jane',
      'security',
      'group:security',
      'user:default/jane.doe',
      'default/security',
    ])('accepts %p', owner => {
      expect(validateTarget({ ...valid, owner })).toEqual([]);
    });

    it.each([
      'team a',
      'component:x',
      'system:default/network',
      'group:default/',
      'group:Default/security',
      'group:default/sec urity',
    ])('rejects %p', owner => {
      expect(validateTarget({ ...valid, owner })).toEqual(
        oneIssue('owner', 'catalog group or user reference'),
      );
    });

    it('rejects an empty owner', () => {
      expect(validateTarget({ ...valid, owner: '' })).toEqual(
        oneIssue('owner', '1 to 256 characters'),
      );
    });
  });

  describe('environment', () => {
    it.each(['production', 'prod-eu-1', 'a', chars(32)])(
      'accepts %p',
      environment => {
        expect(validateTarget({ ...valid, environment })).toEqual([]);
      },
    );

    it.each([
      [chars(33), '1 to 32 characters'],
      ['', '1 to 32 characters'],
      ['Production', 'lowercase letters, digits and hyphens'],
      ['-prod', 'lowercase letters, digits and hyphens'],
      ['prod_eu', 'lowercase letters, digits and hyphens'],
    ])('rejects %p', (environment, text) => {
      expect(validateTarget({ ...valid, environment })).toEqual(
        oneIssue('environment', text),
      );
    });
  });

  describe('system', () => {
    it.each(['system:default/network', 'system:network', 'network'])(
      'accepts %p',
      system => {
        expect(validateTarget({ ...valid, system })).toEqual([]);
      },
    );

    it.each(['component:x', 'group:default/security', 'my system'])(
      'rejects %p',
      system => {
        expect(validateTarget({ ...valid, system })).toEqual(
          oneIssue('system', 'catalog system reference'),
        );
      },
    );
  });

  describe('tags', () => {
    it.each([
      ['a string', 'team=security'],
      ['an array', ['team', 'security']],
    ])('rejects tags given as %s', (_, tags) => {
      expect(validateTarget({ ...valid, tags: tags as any })).toEqual(
        oneIssue('tags', 'must be an object of tag keys to values'),
      );
    });

    it('passes the tags through the tag rules', () => {
      expect(validateTarget({ ...valid, tags: { 'aws:team': 'x' } })).toEqual(
        oneIssue('tags.aws:team', 'must not start with "aws:"'),
      );
    });

    it('refuses the configured product tag keys', () => {
      const tagKeys = {
        owner: 'Team',
        environment: 'Env',
        managedBy: 'ManagedBy',
        integration: 'Integration',
        system: 'System',
      };
      expect(
        validateTarget({ ...valid, tags: { owner: 'x' } }, tagKeys),
      ).toEqual([]);
      expect(
        validateTarget({ ...valid, tags: { Team: 'x' } }, tagKeys),
      ).toEqual(oneIssue('tags.Team', 'set by the product itself'));
    });
  });
});

describe('validateStreamSettings', () => {
  const provisioned: StreamSettings = {
    capacityMode: 'PROVISIONED',
    shardCount: 1,
    retentionHours: 24,
    encryption: 'NONE',
  };
  const keyArn =
    'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('accepts the guide’s recommended settings', () => {
    expect(validateStreamSettings(provisioned, 'us-east-1')).toEqual([]);
  });

  it('reports every missing field by name', () => {
    expect(validateStreamSettings({}).map(i => i.field)).toEqual([
      'capacityMode',
      'retentionHours',
      'encryption',
    ]);
  });

  describe('retentionHours', () => {
    it.each([24, 168, 8760])('accepts %p', retentionHours => {
      expect(
        validateStreamSettings({ ...provisioned, retentionHours }),
      ).toEqual([]);
    });

    it.each([
      [23, 'between 24 and 8760'],
      [8761, 'between 24 and 8760'],
      [0, 'between 24 and 8760'],
      [-24, 'between 24 and 8760'],
      [24.5, 'whole number'],
      [Number.NaN, 'whole number'],
      [Number.POSITIVE_INFINITY, 'whole number'],
      ['24', 'whole number'],
      [undefined, 'is required'],
    ])('rejects %p', (retentionHours, text) => {
      expect(
        validateStreamSettings({
          ...provisioned,
          retentionHours: retentionHours as any,
        }),
      ).toEqual(oneIssue('retentionHours', text));
    });
  });

  describe('shardCount', () => {
    it.each([1, 2, 500])('accepts %p in PROVISIONED mode', shardCount => {
      expect(validateStreamSettings({ ...provisioned, shardCount })).toEqual(
        [],
      );
    });

    it.each([
      [0, 'between 1 and 500'],
      [501, 'between 1 and 500'],
      [-1, 'between 1 and 500'],
      [1.5, 'whole number'],
      ['1', 'whole number'],
      [undefined, 'is required'],
    ])('rejects %p in PROVISIONED mode', (shardCount, text) => {
      expect(
        validateStreamSettings({
          ...provisioned,
          shardCount: shardCount as any,
        }),
      ).toEqual(oneIssue('shardCount', text));
    });

    it.each([0, 501, 1.5, undefined, 'many'])(
      'ignores %p in ON_DEMAND mode',
      shardCount => {
        expect(
          validateStreamSettings({
            ...provisioned,
            capacityMode: 'ON_DEMAND',
            shardCount: shardCount as any,
          }),
        ).toEqual([]);
      },
    );
  });

  describe('capacityMode', () => {
    it.each(['provisioned', 'ONDEMAND', '', 'ON-DEMAND'])(
      'rejects %p',
      capacityMode => {
        expect(
          validateStreamSettings({
            ...provisioned,
            capacityMode: capacityMode as any,
          }),
        ).toEqual(oneIssue('capacityMode', 'must be PROVISIONED or ON_DEMAND'));
      },
    );
  });

  describe('encryption', () => {
    it.each(['NONE', 'KMS_AWS_MANAGED'])('accepts %p', encryption => {
      expect(
        validateStreamSettings({
          ...provisioned,
          encryption,
        } as StreamSettings),
      ).toEqual([]);
    });

    it.each(['KMS', 'none', 'SSE'])('rejects %p', encryption => {
      expect(
        validateStreamSettings({
          ...provisioned,
          encryption: encryption as any,
        }),
      ).toEqual(
        oneIssue(
          'encryption',
          'must be NONE, KMS_AWS_MANAGED or KMS_CUSTOMER_KEY',
        ),
      );
    });
  });

  describe('kmsKeyArn', () => {
    const customer = (kmsKeyArn?: string): StreamSettings => ({
      ...provisioned,
      encryption: 'KMS_CUSTOMER_KEY',
      kmsKeyArn,
    });

    it.each([
      [keyArn, 'us-east-1'],
      [
        'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
        'eu-west-1',
      ],
      ['arn:aws:kms:eu-west-1:123456789012:alias/meter-siem', 'eu-west-1'],
      [
        'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'cn-north-1',
      ],
      [
        'arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/a/b_c-d',
        'us-gov-west-1',
      ],
    ])('accepts %p with KMS_CUSTOMER_KEY in %p', (arn, region) => {
      expect(validateStreamSettings(customer(arn), region)).toEqual([]);
    });

    it('accepts a valid key without a region to compare with', () => {
      expect(validateStreamSettings(customer(keyArn))).toEqual([]);
    });

    it.each([
      ['1234abcd-12ab-34cd-56ef-1234567890ab'],
      ['alias/aws/kinesis'],
      ['arn:aws:kms:us-east-1:123456789012:key/not-a-uuid'],
      [
        'arn:aws:kms:us-east-1:123456789012:key/1234ABCD-12AB-34CD-56EF-1234567890AB',
      ],
      [
        'arn:aws:kms:us-east-1:12345678901:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ],
      [
        'arn:aws:s3:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ],
      ['arn:aws:kms:us-east-1:123456789012:alias/'],
      [`${keyArn} `],
    ])('rejects %p', arn => {
      expect(validateStreamSettings(customer(arn), 'us-east-1')).toEqual(
        oneIssue('kmsKeyArn', 'must be a KMS key or alias ARN'),
      );
    });

    it('rejects a key in another region than the stream', () => {
      expect(validateStreamSettings(customer(keyArn), 'eu-west-1')).toEqual(
        oneIssue(
          'kmsKeyArn',
          "must be a key in the stream's region eu-west-1 (this key is in us-east-1)",
        ),
      );
    });

    it.each([undefined, ''])(
      'requires a key ARN with KMS_CUSTOMER_KEY (given %p)',
      arn => {
        expect(validateStreamSettings(customer(arn))).toEqual(
          oneIssue(
            'kmsKeyArn',
            'is required when encryption is KMS_CUSTOMER_KEY',
          ),
        );
      },
    );

    it.each(['NONE', 'KMS_AWS_MANAGED'])(
      'refuses a key ARN with %p',
      encryption => {
        expect(
          validateStreamSettings({
            ...provisioned,
            encryption: encryption as any,
            kmsKeyArn: keyArn,
          }),
        ).toEqual(
          oneIssue(
            'kmsKeyArn',
            'is only used when encryption is KMS_CUSTOMER_KEY',
          ),
        );
      },
    );
  });
});

describe('rules', () => {
  it.each([
    ['streamName', chars(128), true],
    ['streamName', chars(129), false],
    ['streamName', 'meter-siem.events_1', true],
    ['streamName', 'meter/siem', false],
    ['streamName', 'meter siem', false],
    ['streamName', '', false],
    ['roleName', chars(64), true],
    ['roleName', chars(65), false],
    ['roleName', 'Meter+SIEM=role,x.y@z_w-1', true],
    ['roleName', 'meter siem', false],
    ['roleName', 'meter/siem', false],
    ['policyName', chars(128), true],
    ['policyName', chars(129), false],
    ['policyName', 'MeterSIEMKinesisWritePolicy', true],
    ['policyName', 'meter:policy', false],
    ['externalId', chars(63, 'f'), false],
    ['externalId', chars(64, 'f'), true],
    ['externalId', chars(1224, 'f'), true],
    ['externalId', chars(1225, 'f'), false],
    ['externalId', `${chars(60, 'f')}+=,.@:/_-`, true],
    ['externalId', `${chars(64, 'f')}!`, false],
    ['externalId', `${chars(64, 'f')} `, false],
  ] as const)('%s %p is valid: %p', (rule, value, ok) => {
    expect(rules[rule](value, rule).map(i => i.field)).toEqual(
      ok ? [] : [rule],
    );
  });

  it.each([
    ['streamName', chars(129), 'must be 1 to 128 characters long'],
    ['streamName', 'a/b', 'Kinesis stream name rules'],
    ['roleName', chars(65), 'must be 1 to 64 characters long'],
    ['roleName', 'a b', 'IAM name rules'],
    ['policyName', chars(129), 'must be 1 to 128 characters long'],
    ['policyName', 'a:b', 'IAM name rules'],
    ['externalId', chars(63), 'must be 64 to 1224 characters long'],
    ['externalId', `${chars(64)}!`, 'letters, digits and + = , . @ : / _ -'],
  ] as const)('%s %p is rejected with %p', (rule, value, text) => {
    expect(rules[rule](value, 'someField')).toEqual(
      oneIssue('someField', text),
    );
  });

  it('names a non-string value', () => {
    expect(rules.streamName(42, 'stream')).toEqual(
      oneIssue('stream', 'must be a string'),
    );
  });
});
