import {
  account,
  policyArn,
  roleArn,
  settings,
  streamArn,
  tags,
} from '../__testUtils__/audit';
import {
  AuditOptions,
  auditIntegration,
  defaultRequiredTags,
} from './evaluate';
import { AuditFacts, parseAuditFacts } from './facts';
import { AUDIT_RULES } from './rules';

/** An integration that breaks no rule. */
function clean(): AuditFacts {
  return {
    streamArn,
    streamTags: { ...tags },
    roleArn,
    roleTags: { ...tags },
    trust: { trustsMeter: true, hasExternalIdCondition: true },
    policyArn,
    permissions: {
      statements: [
        {
          actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
          resources: [streamArn],
        },
      ],
      unreadPolicyArns: [],
    },
  };
}

const options: AuditOptions = {
  tagKeys: settings.tagKeys,
  requiredTags: defaultRequiredTags(settings.tagKeys),
  allowedValues: {},
  knownOwners: new Set(['group:default/network', 'user:default/jane']),
};

const fired = (facts: AuditFacts, opts: Partial<AuditOptions> = {}) =>
  auditIntegration(facts, { ...options, ...opts }).map(
    f => `${f.ruleId}:${f.resource}`,
  );

describe('auditIntegration', () => {
  it('finds nothing on a clean integration', () => {
    expect(fired(clean())).toEqual([]);
  });

  it('reports a missing owner tag on the stream and on the role, each once', () => {
    const facts = clean();
    delete facts.streamTags!.owner;
    expect(fired(facts)).toEqual(['owner-tag-missing:stream']);
    delete facts.roleTags!.owner;
    expect(fired(facts)).toEqual([
      'owner-tag-missing:stream',
      'owner-tag-missing:role',
    ]);
  });

  it('reports an owner the catalog does not know, reading bare names as groups', () => {
    const facts = clean();
    facts.streamTags!.owner = 'network';
    facts.roleTags!.owner = 'user:jane';
    expect(fired(facts)).toEqual(['owner-mismatch:integration']);

    facts.streamTags!.owner = 'group:default/ghosts';
    facts.roleTags!.owner = 'Network Team';
    const findings = auditIntegration(facts, options);
    expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
      'owner-unknown:stream',
      'owner-unknown:role',
      'owner-mismatch:integration',
    ]);
    expect(findings[0].message).toContain('group:default/ghosts');
    expect(findings[1].message).toContain('not a group or user reference');
  });

  it('leaves owner-unknown out without the catalog to check against', () => {
    const facts = clean();
    facts.streamTags!.owner = 'group:default/ghosts';
    facts.roleTags!.owner = 'group:default/ghosts';
    expect(fired(facts, { knownOwners: undefined })).toEqual([]);
  });

  it('reports stream and role naming different owners, once per integration', () => {
    const facts = clean();
    facts.roleTags!.owner = 'user:default/jane';
    const [finding] = auditIntegration(facts, options);
    expect(finding).toMatchObject({
      ruleId: 'owner-mismatch',
      resource: 'integration',
      severity: 'medium',
    });
    expect(finding.message).toBe(
      'The stream\'s owner tag is "group:default/network" but the role\'s is "user:default/jane".',
    );
    expect(fired(facts)).toEqual(['owner-mismatch:integration']);
  });

  it('reports required tags missing, leaving the owner to its own rule', () => {
    const facts = clean();
    delete facts.roleTags!.environment;
    expect(fired(facts)).toEqual(['required-tag-missing:role']);

    const required = ['owner', 'environment', 'cost-center', 'team'];
    const findings = auditIntegration(facts, {
      ...options,
      requiredTags: required,
    });
    expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
      'required-tag-missing:stream',
      'required-tag-missing:role',
    ]);
    expect(findings[1].message).toBe(
      'The role lacks the required tags "environment", "cost-center", "team".',
    );
  });

  it('reports tag values outside the allowed set where one is configured', () => {
    const facts = clean();
    facts.streamTags!.environment = 'prod';
    expect(fired(facts)).toEqual([]);
    const allowedValues = { environment: ['production', 'staging'] };
    const [finding] = auditIntegration(facts, { ...options, allowedValues });
    expect(finding).toMatchObject({
      ruleId: 'tag-value-not-allowed',
      resource: 'stream',
      resourceArn: streamArn,
    });
    expect(finding.message).toBe(
      'The stream\'s environment tag is "prod", not one of "production", "staging".',
    );
    expect(fired(facts, { allowedValues })).toEqual([
      'tag-value-not-allowed:stream',
    ]);
  });

  it('reports an integration made outside Backstage', () => {
    const facts = clean();
    delete facts.streamTags!['managed-by'];
    expect(fired(facts)).toEqual([]);
    facts.roleTags!['managed-by'] = 'Security Team';
    const findings = auditIntegration(facts, options);
    expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
      'unmanaged:integration',
    ]);
    expect(findings[0].message).toContain('"Security Team"');
  });

  it('reports a role trusting Meter without an external ID as critical', () => {
    const facts = clean();
    facts.trust = { trustsMeter: true, hasExternalIdCondition: false };
    const [finding] = auditIntegration(facts, options);
    expect(finding).toMatchObject({
      ruleId: 'trust-without-external-id',
      severity: 'critical',
      resource: 'role',
      resourceArn: roleArn,
    });
    expect(fired(facts)).toHaveLength(1);
  });

  it('reports permissions beyond the two writes on the stream', () => {
    const broad = (
      statements: Array<{ actions: string[]; resources: string[] }>,
      unreadPolicyArns: string[] = [],
    ) => {
      const facts = clean();
      facts.permissions = { statements, unreadPolicyArns };
      return auditIntegration(facts, options);
    };
    const write = ['kinesis:PutRecord', 'kinesis:PutRecords'];
    expect(
      broad([{ actions: ['kinesis:putrecord'], resources: [streamArn] }]),
    ).toEqual([]);

    const [star] = broad([{ actions: ['kinesis:*'], resources: [streamArn] }]);
    expect(star).toMatchObject({
      ruleId: 'policy-too-broad',
      severity: 'high',
      resource: 'policy',
      resourceArn: policyArn,
      message: 'The role\'s policies allow "kinesis:*".',
    });
    const [anyStream] = broad([{ actions: write, resources: ['*'] }]);
    expect(anyStream.message).toBe(
      'The role\'s policies reach "*" besides the stream.',
    );
    const [managed] = broad(
      [{ actions: write, resources: [streamArn] }],
      ['arn:aws:iam::aws:policy/AdministratorAccess'],
    );
    expect(managed.message).toBe(
      'The role\'s policies include the AWS-managed "arn:aws:iam::aws:policy/AdministratorAccess".',
    );
  });

  it('reports a stream that is gone, and no tag rule on it', () => {
    const facts = clean();
    delete facts.streamTags;
    const findings = auditIntegration(facts, options);
    expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
      'counterpart-missing:stream',
    ]);
    expect(findings[0].resourceArn).toBe(streamArn);
  });

  it("reports a stream whose role is gone, with the stream's own tag rules", () => {
    const facts: AuditFacts = { streamArn, streamTags: {} };
    expect(fired(facts)).toEqual([
      'counterpart-missing:role',
      'owner-tag-missing:stream',
      'required-tag-missing:stream',
      'unmanaged:integration',
    ]);
  });

  it('reports a stream without an alarm on silence, once the sync looked', () => {
    const facts = clean();
    facts.silenceAlarm = null;
    expect(fired(facts)).toEqual(['no-silence-alarm:stream']);
    facts.silenceAlarm = {
      name: 'x-no-events',
      actions: [],
      catchesSilence: true,
    };
    expect(fired(facts)).toEqual([]);
    facts.silenceAlarm.catchesSilence = false;
    expect(auditIntegration(facts, options)[0].message).toMatch(
      /Alarm x-no-events .* would not fire/,
    );
    // A stream that is gone has its own finding, not this one.
    delete facts.streamTags;
    expect(fired(facts)).not.toContain('no-silence-alarm:stream');
  });

  it('uses the configured tag keys', () => {
    const tagKeys = {
      ...settings.tagKeys,
      owner: 'Owner',
      managedBy: 'ManagedBy',
    };
    const facts = clean();
    // The resources say owner, the policy Owner: it counts, in the wrong case.
    expect(fired(facts, { tagKeys, requiredTags: ['Owner'] })).toEqual([
      'tag-key-case:stream',
      'tag-key-case:role',
      'unmanaged:integration',
    ]);
  });

  it('reads Meter-guide-style capitalised tags, with a low finding for their case', () => {
    const guide = {
      Owner: 'group:default/security',
      Environment: 'Production',
      'managed-by': 'backstage',
    };
    const facts = { ...clean(), streamTags: guide, roleTags: guide };
    const findings = auditIntegration(facts, {
      ...options,
      allowedValues: { environment: ['production', 'staging'] },
      knownOwners: new Set(['group:default/security']),
    });
    expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
      'tag-key-case:stream',
      'tag-key-case:role',
    ]);
    expect(findings[0].message).toBe(
      'The stream\'s tag keys "Owner" (the policy spells it "owner"), "Environment" (the policy spells it "environment") differ in case from the tagging policy; they count, but tools that match keys exactly miss them.',
    );
    expect(findings[0].severity).toBe('low');
  });

  describe('tag keys match whatever their case, in every tag rule', () => {
    /** The clean tags with one key respelled on both resources. */
    const respelled = (from: string, to: string, value?: string) => {
      const facts = clean();
      for (const resourceTags of [facts.streamTags!, facts.roleTags!]) {
        resourceTags[to] = value ?? resourceTags[from];
        delete resourceTags[from];
      }
      return facts;
    };

    it('owner-tag-missing: Owner is an owner tag, OwnerTeam is not', () => {
      expect(fired(respelled('owner', 'Owner'))).toEqual([
        'tag-key-case:stream',
        'tag-key-case:role',
      ]);
      expect(fired(respelled('owner', 'OwnerTeam'))).toEqual([
        'owner-tag-missing:stream',
        'owner-tag-missing:role',
      ]);
    });

    it('owner-unknown: reads the value of an OWNER tag', () => {
      expect(
        fired(respelled('owner', 'OWNER', 'group:default/ghosts')),
      ).toEqual([
        'owner-unknown:stream',
        'tag-key-case:stream',
        'owner-unknown:role',
        'tag-key-case:role',
      ]);
    });

    it('owner-mismatch: compares the owners whatever their keys', () => {
      const facts = clean();
      facts.roleTags = { ...tags, Owner: tags.owner };
      delete facts.roleTags.owner;
      expect(fired(facts)).toEqual(['tag-key-case:role']);
      facts.roleTags.Owner = 'user:default/jane';
      expect(fired(facts)).toEqual([
        'tag-key-case:role',
        'owner-mismatch:integration',
      ]);
    });

    it('required-tag-missing: a required key configured or tagged in another case counts', () => {
      const facts = clean();
      facts.streamTags!['Cost-Center'] = 'CC-42';
      facts.roleTags!['cost-center'] = 'CC-42';
      const findings = auditIntegration(facts, {
        ...options,
        requiredTags: ['owner', 'environment', 'cost-center'],
      });
      expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
        'tag-key-case:stream',
      ]);
      expect(findings[0].message).toContain(
        '"Cost-Center" (the policy spells it "cost-center")',
      );
      // Configured as COST-CENTER: both resources spell it otherwise.
      expect(
        fired(facts, { requiredTags: ['owner', 'environment', 'COST-CENTER'] }),
      ).toEqual(['tag-key-case:stream', 'tag-key-case:role']);
      // Another key altogether is still missing.
      expect(
        fired(facts, { requiredTags: ['owner', 'environment', 'costcenter'] }),
      ).toEqual(['required-tag-missing:stream', 'required-tag-missing:role']);
    });

    it('tag-value-not-allowed: keys and values compare whatever their case', () => {
      const allowedValues = { Environment: ['PRODUCTION', 'staging'] };
      // The policy's key is configured as Environment here: the resources'
      // environment differs in case from it, and its value is allowed.
      expect(fired(clean(), { allowedValues })).toEqual([
        'tag-key-case:stream',
        'tag-key-case:role',
      ]);
      const lab = respelled('environment', 'ENVIRONMENT', 'Lab');
      const findings = auditIntegration(lab, {
        ...options,
        allowedValues: { environment: ['production'] },
      });
      expect(findings.map(f => `${f.ruleId}:${f.resource}`)).toEqual([
        'tag-value-not-allowed:stream',
        'tag-key-case:stream',
        'tag-value-not-allowed:role',
        'tag-key-case:role',
      ]);
      expect(findings[0].message).toBe(
        'The stream\'s environment tag is "Lab", not one of "production".',
      );
    });

    it('unmanaged: Managed-By counts as managed-by, ManagedBy does not', () => {
      expect(fired(respelled('managed-by', 'Managed-By'))).toEqual([
        'tag-key-case:stream',
        'tag-key-case:role',
      ]);
      expect(fired(respelled('managed-by', 'ManagedBy'))).toEqual([
        'unmanaged:integration',
      ]);
    });

    it('tag-key-case: one finding per resource listing its keys, none for exact keys', () => {
      const facts = respelled('environment', 'Environment');
      facts.streamTags!.Owner = facts.streamTags!.owner;
      delete facts.streamTags!.owner;
      const findings = auditIntegration(facts, options);
      expect(findings).toEqual([
        expect.objectContaining({
          ruleId: 'tag-key-case',
          severity: 'low',
          resource: 'stream',
          resourceArn: streamArn,
          message:
            'The stream\'s tag keys "Environment" (the policy spells it "environment"), "Owner" (the policy spells it "owner") differ in case from the tagging policy; they count, but tools that match keys exactly miss them.',
        }),
        expect.objectContaining({
          ruleId: 'tag-key-case',
          resource: 'role',
          resourceArn: roleArn,
          message:
            'The role\'s tag key "Environment" (the policy spells it "environment") differs in case from the tagging policy; they count, but tools that match keys exactly miss them.',
        }),
      ]);
      expect(findings[0].remedy).toContain('meter-siem-fix-ownership-tags');
      // Both spellings side by side (Kinesis keeps both): still a finding.
      const both = clean();
      both.streamTags!.Environment = 'Production';
      expect(fired(both)).toEqual(['tag-key-case:stream']);
    });
  });

  it('still reports a value outside the allowed set, whatever its case', () => {
    const labTags = {
      ...clean().streamTags,
      environment: 'Lab',
    };
    expect(
      fired(
        { ...clean(), streamTags: labTags },
        { allowedValues: { environment: ['production'] } },
      ),
    ).toEqual(['tag-value-not-allowed:stream']);
  });

  it('gives every finding the title, severity and remedy of its rule', () => {
    const findings = auditIntegration({ streamArn, streamTags: {} }, options);
    for (const finding of findings) {
      const rule = AUDIT_RULES[finding.ruleId];
      expect(finding).toMatchObject({
        severity: rule.severity,
        title: rule.title,
        remedy: rule.remedy,
      });
    }
  });
});

describe('the rules of issue 8: trust, reach and what is left behind', () => {
  const write = ['kinesis:PutRecord', 'kinesis:PutRecords'];
  const key = `arn:aws:kms:eu-west-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const withStatements = (
    statements: NonNullable<AuditFacts['permissions']>['statements'],
    facts: AuditFacts = clean(),
  ): AuditFacts => ({
    ...facts,
    permissions: { statements, unreadPolicyArns: [] },
  });
  const messages = (facts: AuditFacts) =>
    auditIntegration(facts, options).map(f => f.message);

  it('reports a role any principal may assume as critical', () => {
    const facts = clean();
    facts.trust = { ...facts.trust!, anyPrincipal: true };
    const [finding] = auditIntegration(facts, options);
    expect(finding).toMatchObject({
      ruleId: 'trust-any-principal',
      severity: 'critical',
      resource: 'role',
      resourceArn: roleArn,
    });
    expect(fired(facts)).toEqual(['trust-any-principal:role']);
  });

  it('reports the principals trusted besides Meter, naming them', () => {
    const facts = clean();
    facts.trust = {
      ...facts.trust!,
      otherPrincipals: ['arn:aws:iam::111111111111:root', 'ec2.amazonaws.com'],
    };
    const [finding] = auditIntegration(facts, options);
    expect(finding).toMatchObject({
      ruleId: 'trust-extra-principals',
      severity: 'high',
      resource: 'role',
      resourceArn: roleArn,
      message:
        'The role\'s trust policy lets "arn:aws:iam::111111111111:root", "ec2.amazonaws.com" assume it besides Meter\'s principal.',
    });
  });

  it('says what NotAction and NotResource leave out', () => {
    expect(
      messages(
        withStatements([
          {
            actions: ['*'],
            notActions: ['iam:*'],
            resources: ['*'],
            notResources: ['arn:aws:s3:::x'],
          },
        ]),
      ),
    ).toEqual([
      'The role\'s policies allow every action but "iam:*" (NotAction); reach every resource but "arn:aws:s3:::x" (NotResource).',
    ]);
  });

  it('accepts kms:GenerateDataKey on one key of the stream’s account and region', () => {
    expect(
      fired(
        withStatements([
          { actions: write, resources: [streamArn] },
          { actions: ['kms:GenerateDataKey'], resources: [key] },
        ]),
      ),
    ).toEqual([]);
  });

  it.each<[string, Array<{ actions: string[]; resources: string[] }>, string]>([
    [
      'kms:*',
      [{ actions: ['kms:*'], resources: [key] }],
      `allow "kms:*"; reach "${key}" besides the stream`,
    ],
    [
      'any resource',
      [{ actions: ['kms:GenerateDataKey'], resources: ['*'] }],
      'allow "kms:GenerateDataKey"; reach "*" besides the stream',
    ],
    [
      'a key in another region',
      [
        {
          actions: ['kms:GenerateDataKey'],
          resources: [key.replace('eu-west-1', 'us-east-1')],
        },
      ],
      `allow "kms:GenerateDataKey"; reach "${key.replace(
        'eu-west-1',
        'us-east-1',
      )}" besides the stream`,
    ],
    [
      'two keys',
      [
        { actions: ['kms:GenerateDataKey'], resources: [key] },
        { actions: ['kms:GenerateDataKey'], resources: [`${key}0`] },
      ],
      `allow "kms:GenerateDataKey"; reach "${key}", "${key}0" besides the stream`,
    ],
    [
      'an alias',
      [
        {
          actions: ['kms:GenerateDataKey'],
          resources: [`arn:aws:kms:eu-west-1:${account}:alias/meter`],
        },
      ],
      `allow "kms:GenerateDataKey"; reach "arn:aws:kms:eu-west-1:${account}:alias/meter" besides the stream`,
    ],
  ])('flags a KMS grant on %s as too broad', (_, kms, reasons) => {
    const facts = withStatements([
      { actions: write, resources: [streamArn] },
      ...kms,
    ]);
    expect(fired(facts)).toEqual(['policy-too-broad:policy']);
    expect(messages(facts)).toEqual([`The role's policies ${reasons}.`]);
  });

  describe('a role whose policies name no particular stream', () => {
    const streamless = (
      statements: Array<{ actions: string[]; resources: string[] }>,
      unreadPolicyArns: string[] = [],
    ): AuditFacts => {
      const { streamArn: _, streamTags, ...rest } = clean();
      return { ...rest, permissions: { statements, unreadPolicyArns } };
    };

    it('is too broad with a wildcard grant, and misses no counterpart', () => {
      const facts = streamless([
        { actions: ['kinesis:*'], resources: ['arn:aws:kinesis:*:*:stream/*'] },
      ]);
      expect(fired(facts)).toEqual(['policy-too-broad:policy']);
      expect(messages(facts)).toEqual([
        'The role\'s policies allow "kinesis:*"; reach "arn:aws:kinesis:*:*:stream/*".',
      ]);
    });

    it('may write to no stream without a Kinesis grant', () => {
      expect(fired(streamless([]))).toEqual(['no-stream-grant:role']);
      const facts = streamless([
        { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::logs/*'] },
        { actions: write, resources: ['arn:aws:kms:*:*:key/*'] },
      ]);
      expect(fired(facts)).toEqual([
        'policy-too-broad:policy',
        'no-stream-grant:role',
      ]);
      expect(auditIntegration(facts, options)[1]).toMatchObject({
        severity: 'high',
        resourceArn: roleArn,
      });
    });

    it('makes no claim about grants in policies it cannot read', () => {
      expect(
        fired(
          streamless([], ['arn:aws:iam::aws:policy/AmazonKinesisFullAccess']),
        ),
      ).toEqual(['policy-too-broad:policy']);
    });
  });

  it('reports what is left behind, per kind, and no provenance', () => {
    const policy = `arn:aws:iam::${account}:policy/meter-siem-old-kinesis-write`;
    const role = `arn:aws:iam::${account}:role/meter-siem-old`;
    const facts: AuditFacts = {
      leftBehind: [
        { resource: 'policy', arn: policy, integration: 'old' },
        { resource: 'role', arn: role, integration: 'old' },
      ],
    };
    const findings = auditIntegration(facts, options);
    expect(findings.map(f => [f.ruleId, f.resource, f.resourceArn])).toEqual([
      ['left-behind', 'policy', policy],
      ['left-behind', 'role', role],
    ]);
    expect(findings[0]).toMatchObject({
      severity: 'medium',
      message: `The policy ${policy} was created by Backstage for integration "old" but is not part of a working integration: attached to no role Meter may assume.`,
    });
    expect(findings[0].remedy).toContain(
      'run the template meter-siem-integration again',
    );
    expect(parseAuditFacts(JSON.stringify(facts))).toEqual(facts);
  });

  it("says which roles' wildcards reach a stream no role names", () => {
    const facts: AuditFacts = {
      streamArn,
      streamTags: { ...tags },
      streamReachableBy: [roleArn],
    };
    expect(fired(facts)).toEqual(['counterpart-missing:role']);
    expect(messages(facts)).toEqual([
      `No role trusted by Meter names this stream; only the wildcard grants of "${roleArn}" reach it, which no integration should rely on.`,
    ]);
  });
});
