import {
  account,
  policyArn,
  roleArn,
  settings,
  streamArn,
  tags,
} from '../__testUtils__/audit';
import { IntegrationFacts } from '../entities';
import { buildPermissionsPolicy, buildTrustPolicy } from '../policies';
import { parseAuditFacts, toAuditFacts } from './facts';

describe('toAuditFacts', () => {
  const externalId = 'c0ffee'.repeat(11);
  const facts: IntegrationFacts = {
    accountId: account,
    region: 'eu-west-1',
    role: {
      arn: roleArn,
      name: 'meter-siem-office',
      tags,
      trustPolicy: buildTrustPolicy({
        principalArn: settings.meterPrincipalArn,
        externalId,
      }),
    },
    policy: { arn: policyArn, name: 'meter-siem-office-kinesis-write' },
    permissions: [
      { policyArn, document: buildPermissionsPolicy(streamArn) },
      {
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Deny', Action: 'kinesis:*', Resource: '*' },
            {
              Effect: 'Allow',
              NotAction: 'iam:*',
              Resource: '*',
            } as any,
          ],
        },
      },
      { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ],
    streamArn,
    stream: { name: 'meter-siem-office', tags: { owner: 'security' } },
  };

  it('summarises tags, trust and the Allow statements, never the external ID', () => {
    const audit = toAuditFacts(facts, settings);
    expect(audit).toEqual({
      streamArn,
      streamTags: { owner: 'security' },
      roleArn,
      roleTags: tags,
      trust: { trustsMeter: true, hasExternalIdCondition: true },
      policyArn,
      permissions: {
        statements: [
          {
            actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
            resources: [streamArn],
          },
          { actions: ['*'], notActions: ['iam:*'], resources: ['*'] },
        ],
        unreadPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      },
    });
    expect(JSON.stringify(audit)).not.toContain(externalId);
  });

  it('sees a trust statement without the condition next to one with it', () => {
    const trustPolicy = buildTrustPolicy({
      principalArn: settings.meterPrincipalArn,
      externalId,
    });
    trustPolicy.Statement.push({
      ...trustPolicy.Statement[0],
      Condition: undefined,
    });
    const audit = toAuditFacts(
      { ...facts, role: { ...facts.role!, trustPolicy } },
      settings,
    );
    expect(audit.trust).toEqual({
      trustsMeter: true,
      hasExternalIdCondition: false,
    });
  });

  it('records a stream whose role is gone', () => {
    const { role, policy, permissions, ...orphan } = facts;
    expect(toAuditFacts(orphan, settings)).toEqual({
      streamArn,
      streamTags: { owner: 'security' },
    });
  });

  it('round-trips through the annotation', () => {
    const audit = toAuditFacts(facts, settings);
    expect(parseAuditFacts(JSON.stringify(audit))).toEqual(audit);
    expect(parseAuditFacts('not json')).toBeUndefined();
    expect(parseAuditFacts(undefined)).toBeUndefined();
  });

  it('records the new trust facts, the stream-less and the left behind', () => {
    const streamless: IntegrationFacts = {
      accountId: account,
      role: {
        arn: roleArn,
        name: 'meter-siem-office',
        tags,
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: [settings.meterPrincipalArn, '111111111111'] },
              Action: 'sts:*',
            },
            { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
          ],
        },
      },
      permissions: [],
      leftBehind: [
        {
          kind: 'policy',
          arn: policyArn,
          name: 'meter-siem-office-kinesis-write',
          tags: { ...tags, 'meter-siem-integration': 'office' },
        },
      ],
    };
    expect(toAuditFacts(streamless, settings)).toEqual({
      roleArn,
      roleTags: tags,
      trust: {
        trustsMeter: true,
        hasExternalIdCondition: false,
        anyPrincipal: true,
        otherPrincipals: ['111111111111'],
      },
      permissions: { statements: [], unreadPolicyArns: [] },
      leftBehind: [
        { resource: 'policy', arn: policyArn, integration: 'office' },
      ],
    });
  });
});
