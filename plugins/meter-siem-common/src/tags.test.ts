import {
  buildIntegrationTags,
  DEFAULT_TAG_KEYS,
  MANAGED_BY_VALUE,
  TAG_LIMITS,
  TagKeys,
  tagsToRecord,
  findTagKey,
  firstTagValue,
  tagValue,
  validateExtraTags,
  validateTag,
  wrongCaseTagKeys,
} from './tags';

const chars = (n: number, c = 'k') => c.repeat(n);

/** `n` distinct, valid extra tags. */
const manyTags = (n: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`extra-${i}`, `value-${i}`]),
  );

const customKeys: TagKeys = {
  owner: 'Team',
  environment: 'Stage',
  managedBy: 'ManagedBy',
  integration: 'MeterSiemIntegration',
  system: 'System',
};

describe('validateTag', () => {
  it.each([
    ['key of 1 character', 'k', 'v'],
    ['key of 128 characters', chars(128), 'v'],
    ['value of 256 characters', 'k', chars(256, 'v')],
    ['empty value', 'k', ''],
    ['every allowed punctuation', 'a_b.c:d/e=f+g-h@i j', 'a_b.c:d/e=f+g-h@i j'],
    ['letters of other scripts', 'équipe', 'Sicherheit-Ü 東京'],
    ['aws inside a key', 'my-aws:team', 'aws:team'],
  ])('accepts a %s', (_, key, value) => {
    expect(validateTag(key, value, 'tags')).toEqual([]);
  });

  it('rejects a key of 129 characters', () => {
    const key = chars(129);
    expect(validateTag(key, 'v', 'tags')).toEqual([
      {
        field: `tags.${key}`,
        message: 'tag keys must be 1 to 128 characters long',
      },
    ]);
  });

  it('rejects an empty key, naming it', () => {
    expect(validateTag('', 'v', 'tags')).toEqual([
      {
        field: 'tags.(empty key)',
        message: 'tag keys must be 1 to 128 characters long',
      },
    ]);
  });

  it('rejects a value of 257 characters', () => {
    expect(validateTag('team', chars(257, 'v'), 'tags')).toEqual([
      {
        field: 'tags.team',
        message: 'tag values must be at most 256 characters long',
      },
    ]);
  });

  it.each(['cost#center', 'team!', 'a,b', 'a;b', 'a*b', '"team"', 'tab\tkey'])(
    'rejects the key %p for its characters',
    key => {
      expect(validateTag(key, 'v', 'tags')).toEqual([
        {
          field: `tags.${key}`,
          message: expect.stringContaining(
            'tag keys may contain only letters, numbers, spaces and _ . : / = + - @',
          ),
        },
      ]);
    },
  );

  it.each(['<b>', 'a;b', 'x,y', 'v&w', 'line\nbreak'])(
    'rejects the value %p for its characters',
    value => {
      expect(validateTag('team', value, 'tags')).toEqual([
        {
          field: 'tags.team',
          message: expect.stringContaining(
            'tag values may contain only letters, numbers, spaces and _ . : / = + - @',
          ),
        },
      ]);
    },
  );

  it.each(['aws:team', 'AWS:team', 'Aws:team', 'aws:'])(
    'rejects the reserved prefix in %p',
    key => {
      expect(validateTag(key, 'v', 'tags')).toEqual([
        {
          field: `tags.${key}`,
          message: 'tag keys must not start with "aws:", which AWS reserves',
        },
      ]);
    },
  );

  it('reports every broken rule of one tag', () => {
    const key = `aws:${chars(125)}#`;
    expect(
      validateTag(key, `${chars(257)}!`, 'extraTags').map(i => i.message),
    ).toEqual([
      'tag keys must be 1 to 128 characters long',
      'tag keys may contain only letters, numbers, spaces and _ . : / = + - @',
      'tag keys must not start with "aws:", which AWS reserves',
      'tag values must be at most 256 characters long',
      'tag values may contain only letters, numbers, spaces and _ . : / = + - @',
    ]);
  });
});

describe('validateExtraTags', () => {
  it('accepts no tags at all', () => {
    expect(validateExtraTags(undefined)).toEqual([]);
    expect(validateExtraTags({})).toEqual([]);
  });

  it('accepts as many extra tags as fit beside the product’s five', () => {
    const limit = TAG_LIMITS.maxTags - Object.keys(DEFAULT_TAG_KEYS).length;
    expect(limit).toBe(45);
    expect(validateExtraTags(manyTags(limit))).toEqual([]);
  });

  it('rejects one extra tag more than fits', () => {
    expect(validateExtraTags(manyTags(47))).toEqual([
      {
        field: 'tags',
        message:
          'at most 45 extra tags are allowed (AWS allows 50 per resource and the product sets 5)',
      },
    ]);
  });

  it.each(Object.values(DEFAULT_TAG_KEYS))(
    'refuses the product tag key %p',
    key => {
      expect(validateExtraTags({ [key]: 'someone-else' })).toEqual([
        {
          field: `tags.${key}`,
          message: `"${key}" is set by the product itself and cannot be given as an extra tag`,
        },
      ]);
    },
  );

  it.each(['Owner', 'ENVIRONMENT', 'Managed-By', 'Meter-SIEM-Integration'])(
    'refuses %p, a product tag key in other case, since IAM ignores case',
    key => {
      expect(validateExtraTags({ [key]: 'x' })).toEqual([
        {
          field: `tags.${key}`,
          message: expect.stringContaining('IAM ignores the case of tag keys'),
        },
      ]);
    },
  );

  it('refuses two extra tags whose keys differ only in case', () => {
    expect(validateExtraTags({ Team: 'a', team: 'b' })).toEqual([
      {
        field: 'tags.team',
        message:
          '"team" differs from the tag "Team" only in case, and IAM ignores the case of tag keys',
      },
    ]);
  });

  it('uses the configured product tag keys', () => {
    expect(validateExtraTags({ owner: 'x' }, customKeys)).toEqual([]);
    expect(validateExtraTags({ Team: 'x' }, customKeys)).toEqual([
      {
        field: 'tags.Team',
        message:
          '"Team" is set by the product itself and cannot be given as an extra tag',
      },
    ]);
  });

  it('checks every tag and names the given field', () => {
    expect(
      validateExtraTags(
        { good: 'yes', 'aws:bad': 'x', count: 3 as any },
        DEFAULT_TAG_KEYS,
        'extraTags',
      ),
    ).toEqual([
      {
        field: 'extraTags.aws:bad',
        message: expect.stringContaining('must not start with "aws:"'),
      },
      { field: 'extraTags.count', message: 'tag values must be strings' },
    ]);
  });
});

describe('buildIntegrationTags', () => {
  const input = {
    integrationName: 'corp-hq',
    owner: 'group:default/security',
    environment: 'production',
  };

  it('puts the product tags first, in a fixed order', () => {
    expect(buildIntegrationTags(input)).toEqual([
      { Key: 'owner', Value: 'group:default/security' },
      { Key: 'environment', Value: 'production' },
      { Key: 'managed-by', Value: MANAGED_BY_VALUE },
      { Key: 'meter-siem-integration', Value: 'corp-hq' },
    ]);
    expect(MANAGED_BY_VALUE).toBe('backstage');
  });

  it('appends the extra tags sorted by key', () => {
    const tags = buildIntegrationTags({
      ...input,
      extraTags: { zeta: '1', alpha: '2', 'cost-center': '3' },
    });
    expect(tags.slice(4)).toEqual([
      { Key: 'alpha', Value: '2' },
      { Key: 'cost-center', Value: '3' },
      { Key: 'zeta', Value: '1' },
    ]);
  });

  it('refuses an extra tag standing for a product tag, in any case', () => {
    expect(() =>
      buildIntegrationTags({
        ...input,
        extraTags: { owner: 'user:mallory', team: 'blue' },
      }),
    ).toThrow(
      'Invalid extra tags: tags.owner "owner" is set by the product itself and cannot be given as an extra tag',
    );
    for (const key of [
      'Owner',
      'Environment',
      'MANAGED-BY',
      'Meter-SIEM-Integration',
      // Refused even when the integration has no system: the key is the
      // product's all the same.
      'System',
    ]) {
      expect(() =>
        buildIntegrationTags({ ...input, extraTags: { [key]: 'x' } }),
      ).toThrow(
        `tags.${key} "${key}" is the product's own tag "${key.toLowerCase()}" (IAM ignores the case of tag keys, and so does the product)`,
      );
    }
  });

  it('keeps extra tags whose keys merely resemble a product key', () => {
    const tags = buildIntegrationTags({
      ...input,
      extraTags: { ManagedBy: 'Security Team', 'owner-team': 'blue' },
    });
    expect(tags.slice(4)).toEqual([
      { Key: 'ManagedBy', Value: 'Security Team' },
      { Key: 'owner-team', Value: 'blue' },
    ]);
  });

  it('uses the configured tag keys', () => {
    expect(
      buildIntegrationTags({
        ...input,
        tagKeys: customKeys,
        extraTags: { owner: 'kept' },
      }),
    ).toEqual([
      { Key: 'Team', Value: 'group:default/security' },
      { Key: 'Stage', Value: 'production' },
      { Key: 'ManagedBy', Value: 'backstage' },
      { Key: 'MeterSiemIntegration', Value: 'corp-hq' },
      { Key: 'owner', Value: 'kept' },
    ]);
    expect(() =>
      buildIntegrationTags({
        ...input,
        tagKeys: customKeys,
        extraTags: { team: 'refused' },
      }),
    ).toThrow('tags.team "team" is the product\'s own tag "Team"');
  });

  it('makes a tag set that passes the tag rules', () => {
    const tags = buildIntegrationTags({
      ...input,
      extraTags: { 'cost-center': '4711' },
    });
    expect(tags.flatMap(t => validateTag(t.Key, t.Value, 'tags'))).toEqual([]);
  });
});

describe('tagsToRecord', () => {
  it('reads a tag list as AWS returns it', () => {
    expect(
      tagsToRecord([
        { Key: 'owner', Value: 'group:default/security' },
        { Key: 'empty' },
        { Value: 'no key' },
      ]),
    ).toEqual({ owner: 'group:default/security', empty: '' });
  });

  it('reads nothing as an empty record', () => {
    expect(tagsToRecord(undefined)).toEqual({});
    expect(tagsToRecord([])).toEqual({});
  });

  it('reads back what buildIntegrationTags made', () => {
    const record = tagsToRecord(
      buildIntegrationTags({
        integrationName: 'corp-hq',
        owner: 'user:jane',
        environment: 'dev',
        extraTags: { team: 'blue' },
      }),
    );
    expect(record).toEqual({
      owner: 'user:jane',
      environment: 'dev',
      'managed-by': 'backstage',
      'meter-siem-integration': 'corp-hq',
      team: 'blue',
    });
  });
});

describe('tag keys in another case', () => {
  const tags = { Owner: 'group:default/security', environment: 'prod' };

  it('finds a key whatever its case, the exact one first', () => {
    expect(findTagKey(tags, 'owner')).toBe('Owner');
    expect(findTagKey({ owner: 'a', Owner: 'b' }, 'owner')).toBe('owner');
    expect(tagValue(tags, 'OWNER')).toBe('group:default/security');
    expect(tagValue(tags, 'system')).toBeUndefined();
    expect(tagValue(undefined, 'owner')).toBeUndefined();
  });

  it('lists the keys the policy spells otherwise, also beside the right one', () => {
    expect(wrongCaseTagKeys(tags, ['owner', 'environment'])).toEqual([
      { key: 'Owner', expected: 'owner' },
    ]);
    expect(
      wrongCaseTagKeys({ Environment: 'a', environment: 'b' }, ['environment']),
    ).toEqual([{ key: 'Environment', expected: 'environment' }]);
    expect(wrongCaseTagKeys({ 'cost-center': 'x' }, ['owner'])).toEqual([]);
    // Resembling is not naming: ManagedBy is another key than managed-by.
    expect(wrongCaseTagKeys({ ManagedBy: 'x' }, ['managed-by'])).toEqual([]);
  });

  it('reads the first source carrying a key, whatever its case in each', () => {
    const stream = { Environment: 'Production' };
    const role = { environment: 'staging', owner: 'group:default/network' };
    expect(firstTagValue([stream, role], 'environment')).toBe('Production');
    expect(firstTagValue([role, stream], 'environment')).toBe('staging');
    expect(firstTagValue([undefined, stream, role], 'OWNER')).toBe(
      'group:default/network',
    );
    expect(firstTagValue([stream, undefined], 'system')).toBeUndefined();
    expect(firstTagValue([], 'owner')).toBeUndefined();
  });
});
