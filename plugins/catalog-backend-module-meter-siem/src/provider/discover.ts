import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListPolicyTagsCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import {
  IntegrationFacts,
  LeftBehindResource,
  MANAGED_BY_VALUE,
  MeterSiemSettings,
  PolicyDocument,
  coversStream,
  integrationNameOf,
  parseArn,
  parsePolicyDocument,
  readTrust,
  resourceName,
  tagsToRecord,
  writableResourcePatterns,
  writableStreamArns,
} from '@internal/backstage-plugin-meter-siem-common';
import { MultiRegionClients as AccountClients } from '@internal/backstage-plugin-meter-siem-node';
import {
  StreamFactsReader,
  StreamFactsSource,
  StreamOutcome,
} from './kinesisFacts';

/** A role as both discovery paths read it: trust, tags and permissions. */
interface RoleFacts {
  arn: string;
  name: string;
  tags: Record<string, string>;
  trustPolicy: PolicyDocument;
  /** Each permissions policy, with the managed policy's identity if any. */
  grants: Array<{
    policy?: { arn: string; name: string };
    document: PolicyDocument;
  }>;
  /** Attached policies whose document was not read (AWS-managed ones). */
  unreadPolicyArns: string[];
}

/** What to look for and where. */
export interface DiscoveryScope {
  /** Where to look for streams left behind; roles' grants name their own. */
  regions: string[];
  settings: MeterSiemSettings;
  /**
   * Filled with the regions whose Kinesis could not be read, and why: their
   * integrations carry `streamError` instead of stream facts, and their
   * streams left behind are not listed.
   */
  failedRegions?: Map<string, string>;
  /** Told what could not be read without failing the sync (alarms). */
  onWarning?: (message: string) => void;
  /**
   * Where the streams' facts come from: a sync's cache and budget. Without
   * it, every stream is read now.
   */
  streams?: StreamFactsSource;
}

/**
 * What discovery found about one integration. `streamPending`: its stream
 * was never read and this sync's budget did not reach it (`streamError`
 * says so); the audit then reports its facts as not read yet
 * (`toAuditFacts` records it), not the stream as missing.
 */
export type DiscoveredIntegration = IntegrationFacts & {
  streamPending?: boolean;
};

/** The `streamError` of a stream not read yet. */
export const STREAM_NOT_READ_YET =
  "Not read yet: the stream's facts wait for a sync with time left to read them (catalog.providers.meterSiem.readBudget); the next syncs read it";

/** An integration before its stream is read. */
type Pair = Omit<IntegrationFacts, 'stream'>;

/**
 * Pairs a role Meter may assume with each stream of this account, in any
 * region, that its policies name: IAM is global, so the roles say where
 * their integrations are. A role whose policies name no particular stream
 * of this account (wildcards, another account's stream, no Kinesis grant at
 * all) is one integration without a stream: every role Meter may assume is
 * in the catalog, whatever it grants.
 */
function pairsOf(role: RoleFacts, accountId: string): Pair[] {
  const byStream = new Map<string, { arn: string; name: string } | undefined>();
  for (const grant of role.grants) {
    for (const streamArn of writableStreamArns(grant.document)) {
      const arn = parseArn(streamArn);
      if (arn.accountId !== accountId) continue;
      // A managed policy identifies the grant better than an inline one.
      if (!byStream.get(streamArn)) byStream.set(streamArn, grant.policy);
    }
  }
  const { grants, unreadPolicyArns, ...roleFacts } = role;
  // The audit judges everything the role may do, not only the writes.
  const permissions = [
    ...grants.map(grant => ({
      policyArn: grant.policy?.arn,
      document: grant.document,
    })),
    ...unreadPolicyArns.map(policyArn => ({ policyArn })),
  ];
  if (byStream.size === 0) {
    // The managed policy that grants writes anywhere, else the first one.
    const managed = grants.filter(grant => grant.policy);
    const policy = (
      managed.find(grant => writableResourcePatterns(grant.document).length) ??
      managed[0]
    )?.policy;
    return [{ accountId, role: roleFacts, policy, permissions }];
  }
  return [...byStream].map(([streamArn, policy]) => ({
    accountId,
    region: parseArn(streamArn).region,
    role: roleFacts,
    policy,
    permissions,
    streamArn,
  }));
}

/** Every resource pattern a role's policies let it write to streams on. */
function writablePatternsOf(role: RoleFacts): string[] {
  return role.grants.flatMap(grant => writableResourcePatterns(grant.document));
}

/** Whether tags are the ones Backstage writes on what it creates. */
function carriesOurTags(
  tags: Record<string, string>,
  settings: MeterSiemSettings,
): boolean {
  const keys = settings.tagKeys;
  return tags[keys.managedBy] === MANAGED_BY_VALUE && !!tags[keys.integration];
}

function trustsMeter(role: RoleFacts, scope: DiscoveryScope): boolean {
  return readTrust(role.trustPolicy, scope.settings.meterPrincipalArn)
    .trustsMeter;
}

/**
 * Gives each integration its stream's facts: what the source read or
 * reused, `streamError` for a stream of a failed region or one not read yet.
 */
function withStreamFacts(
  pairs: Pair[],
  streams: Map<string, StreamOutcome>,
  failedRegions: Map<string, string>,
): DiscoveredIntegration[] {
  return pairs.map(pair => {
    if (!pair.streamArn) return pair;
    const failed = failedRegions.get(parseArn(pair.streamArn).region);
    if (failed) return { ...pair, streamError: failed };
    const outcome = streams.get(pair.streamArn);
    if (!outcome || outcome === 'pending') {
      return { ...pair, streamError: STREAM_NOT_READ_YET, streamPending: true };
    }
    return { ...pair, stream: outcome.stream };
  });
}

/**
 * Finds every integration of one account: the IAM side in a few paginated
 * GetAccountAuthorizationDetails calls (roles with trust policies, tags and
 * policies, and the managed policies' documents), then only the streams
 * those roles may write to, the streams left behind and the IAM resources
 * left behind.
 */
export async function discoverIntegrations(
  clients: AccountClients,
  scope: DiscoveryScope,
): Promise<DiscoveredIntegration[]> {
  const roles = [];
  const documents = new Map<string, PolicyDocument>();
  const policyNames = new Map<string, string>();
  // The largest page IAM allows: about 3 calls for 2,000 roles instead of 20.
  for await (const page of paginateGetAccountAuthorizationDetails(
    { client: clients.iam, pageSize: 1000 },
    { Filter: ['Role', 'LocalManagedPolicy'] },
  )) {
    roles.push(...(page.RoleDetailList ?? []));
    for (const policy of page.Policies ?? []) {
      if (!policy.Arn) continue;
      policyNames.set(
        policy.Arn,
        policy.PolicyName ?? resourceName(policy.Arn),
      );
      const version = policy.PolicyVersionList?.find(v => v.IsDefaultVersion);
      if (version?.Document) {
        documents.set(policy.Arn, parsePolicyDocument(version.Document));
      }
    }
  }

  const meterRoles: RoleFacts[] = [];
  const otherRoles: RoleFacts[] = [];
  for (const detail of roles) {
    const role: RoleFacts = {
      arn: detail.Arn!,
      name: detail.RoleName!,
      tags: tagsToRecord(detail.Tags),
      trustPolicy: parsePolicyDocument(detail.AssumeRolePolicyDocument ?? '{}'),
      grants: [
        ...(detail.RolePolicyList ?? []).map(inline => ({
          document: parsePolicyDocument(inline.PolicyDocument ?? '{}'),
        })),
        // AWS-managed policies are not in the listing; they grant no
        // particular stream anyway, and the audit reports them by ARN.
        ...(detail.AttachedManagedPolicies ?? []).flatMap(attached => {
          const document = documents.get(attached.PolicyArn!);
          return document
            ? [
                {
                  policy: {
                    arn: attached.PolicyArn!,
                    name: attached.PolicyName!,
                  },
                  document,
                },
              ]
            : [];
        }),
      ],
      unreadPolicyArns: (detail.AttachedManagedPolicies ?? [])
        .map(attached => attached.PolicyArn!)
        .filter(arn => !documents.has(arn)),
    };
    (trustsMeter(role, scope) ? meterRoles : otherRoles).push(role);
  }

  const pairs = meterRoles.flatMap(role => pairsOf(role, clients.accountId));
  const failedRegions = scope.failedRegions ?? new Map<string, string>();
  const source =
    scope.streams ??
    new StreamFactsReader({ clients, onWarning: scope.onWarning });
  // The streams roles name, and the streams left behind: named with the
  // product's prefix, no role trusted by Meter names them (what is left of
  // an integration whose role was deleted).
  const collected = await source.collect({
    paired: [
      ...new Set(pairs.flatMap(p => (p.streamArn ? [p.streamArn] : []))),
    ],
    listRegions: scope.regions,
    isCandidate: name => name.startsWith(scope.settings.namePrefix),
    failedRegions,
  });
  const integrations = withStreamFacts(pairs, collected.streams, failedRegions);
  // A stream left behind not read yet waits for the sync that reads it.
  const orphans: IntegrationFacts[] = collected.leftBehind.flatMap(arn => {
    const outcome = collected.streams.get(arn);
    return outcome && outcome !== 'pending' && outcome.stream
      ? [
          {
            accountId: clients.accountId,
            region: parseArn(arn).region,
            streamArn: arn,
            stream: outcome.stream,
          },
        ]
      : [];
  });
  const found: DiscoveredIntegration[] = [
    ...integrations,
    ...joinReachable(integrations, orphans, meterRoles, scope),
  ];
  const leftBehind = await leftBehindIam(clients, scope, {
    otherRoles,
    policyNames,
    inUse: new Set(
      meterRoles.flatMap(role =>
        role.grants.flatMap(grant => (grant.policy ? [grant.policy.arn] : [])),
      ),
    ),
  });
  return [
    ...found,
    ...attachLeftBehind(found, leftBehind, clients.accountId, scope),
  ];
}

/**
 * Streams left behind that a role trusted by Meter reaches with a wildcard
 * grant (IAM's matching: case-sensitive, `*` and `?`). When that role has
 * no stream of its own and bears the stream's integration name, they are
 * one integration (the template's names, with a widened policy); otherwise
 * the stream stays on its own and records which roles reach it.
 */
function joinReachable(
  integrations: IntegrationFacts[],
  orphans: IntegrationFacts[],
  meterRoles: RoleFacts[],
  scope: DiscoveryScope,
): IntegrationFacts[] {
  const patterns = new Map(meterRoles.map(r => [r.arn, writablePatternsOf(r)]));
  const remaining: IntegrationFacts[] = [];
  for (const orphan of orphans) {
    const reachableBy = meterRoles
      .filter(role => coversStream(patterns.get(role.arn)!, orphan.streamArn!))
      .map(role => role.arn)
      .sort();
    const name = integrationNameOf(orphan, scope.settings);
    const owner = integrations.find(
      i =>
        !i.streamArn &&
        i.role &&
        reachableBy.includes(i.role.arn) &&
        integrationNameOf(i, scope.settings) === name,
    );
    if (owner) {
      Object.assign(owner, {
        streamArn: orphan.streamArn,
        region: orphan.region,
        stream: orphan.stream,
      });
    } else {
      remaining.push(reachableBy.length ? { ...orphan, reachableBy } : orphan);
    }
  }
  return remaining;
}

/**
 * Roles and customer-managed policies carrying Backstage's tags that are
 * part of no integration: roles that do not let Meter in, and policies
 * attached to no role that does. GetAccountAuthorizationDetails gives no
 * policy tags, so ListPolicyTags is called for the unused policies named
 * with the product's prefix only.
 */
async function leftBehindIam(
  clients: AccountClients,
  scope: DiscoveryScope,
  found: {
    otherRoles: RoleFacts[];
    policyNames: Map<string, string>;
    inUse: Set<string>;
  },
): Promise<LeftBehindResource[]> {
  const { settings } = scope;
  const left: LeftBehindResource[] = found.otherRoles
    .filter(role => carriesOurTags(role.tags, settings))
    .map(role => ({
      kind: 'role',
      arn: role.arn,
      name: role.name,
      tags: role.tags,
    }));
  for (const [arn, name] of found.policyNames) {
    if (found.inUse.has(arn) || !name.startsWith(settings.namePrefix)) continue;
    const tags = await policyTags(clients.iam, arn);
    if (carriesOurTags(tags, settings)) {
      left.push({ kind: 'policy', arn, name, tags });
    }
  }
  return left;
}

async function policyTags(
  iam: IAMClient,
  PolicyArn: string,
): Promise<Record<string, string>> {
  // A policy has at most 50 tags: one page.
  const { Tags } = await iam.send(
    new ListPolicyTagsCommand({ PolicyArn, MaxItems: 100 }),
  );
  return tagsToRecord(Tags);
}

/**
 * Places what was left behind on the integration of the same name in the
 * account (the stream an abandoned run made, say), or else makes one
 * integration of it per integration name.
 */
function attachLeftBehind(
  found: IntegrationFacts[],
  leftBehind: LeftBehindResource[],
  accountId: string,
  scope: DiscoveryScope,
): IntegrationFacts[] {
  const key = scope.settings.tagKeys.integration;
  const added: IntegrationFacts[] = [];
  for (const resource of leftBehind) {
    const name = resource.tags[key];
    const home =
      found.find(i => integrationNameOf(i, scope.settings) === name) ??
      added.find(i => integrationNameOf(i, scope.settings) === name);
    if (home) {
      home.leftBehind = [...(home.leftBehind ?? []), resource];
    } else {
      added.push({ accountId, leftBehind: [resource] });
    }
  }
  return added;
}

/**
 * Reads one role, and the streams it may write to, with per-role calls: the
 * quick path for an integration that was just created.
 */
export async function readRoleIntegrations(
  clients: AccountClients,
  roleName: string,
  scope: DiscoveryScope,
): Promise<DiscoveredIntegration[]> {
  const { iam } = clients;
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const grants: RoleFacts['grants'] = [];
  for await (const page of paginateListRolePolicies(
    { client: iam },
    { RoleName: roleName },
  )) {
    for (const PolicyName of page.PolicyNames ?? []) {
      const inline = await iam.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName }),
      );
      grants.push({
        document: parsePolicyDocument(inline.PolicyDocument ?? '{}'),
      });
    }
  }
  for await (const page of paginateListAttachedRolePolicies(
    { client: iam },
    { RoleName: roleName },
  )) {
    for (const attached of page.AttachedPolicies ?? []) {
      const { Policy } = await iam.send(
        new GetPolicyCommand({ PolicyArn: attached.PolicyArn }),
      );
      const { PolicyVersion } = await iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: attached.PolicyArn,
          VersionId: Policy?.DefaultVersionId,
        }),
      );
      grants.push({
        policy: { arn: attached.PolicyArn!, name: attached.PolicyName! },
        document: parsePolicyDocument(PolicyVersion?.Document ?? '{}'),
      });
    }
  }
  const role: RoleFacts = {
    arn: Role!.Arn!,
    name: Role!.RoleName!,
    tags: tagsToRecord(Role!.Tags),
    trustPolicy: parsePolicyDocument(Role!.AssumeRolePolicyDocument ?? '{}'),
    grants,
    unreadPolicyArns: [],
  };
  if (!trustsMeter(role, scope)) return [];
  const pairs = pairsOf(role, clients.accountId);
  const failedRegions = scope.failedRegions ?? new Map<string, string>();
  const source =
    scope.streams ??
    new StreamFactsReader({ clients, onWarning: scope.onWarning });
  const streams = await source.readNow(
    [...new Set(pairs.flatMap(p => (p.streamArn ? [p.streamArn] : [])))],
    failedRegions,
  );
  return withStreamFacts(pairs, streams, failedRegions);
}

/**
 * The integrations whose role was created at or after `since` and is not
 * among `known`: what a sync that started earlier could not see. One
 * ListRoles pass (at most 1,000 roles a call) and the new roles' reads.
 *
 * A full sync commits only after this re-read, so that an integration a
 * template run registered meanwhile, on this replica or another, is not
 * removed by a list made before it existed.
 */
export async function readIntegrationsCreatedSince(
  clients: AccountClients,
  since: Date,
  known: Set<string>,
  scope: DiscoveryScope,
): Promise<DiscoveredIntegration[]> {
  const late: DiscoveredIntegration[] = [];
  for await (const page of paginateListRoles(
    { client: clients.iam, pageSize: 1000 },
    {},
  )) {
    for (const role of page.Roles ?? []) {
      if (!role.RoleName || known.has(role.RoleName)) continue;
      if (!role.CreateDate || role.CreateDate < since) continue;
      const trust = parsePolicyDocument(role.AssumeRolePolicyDocument ?? '{}');
      if (!readTrust(trust, scope.settings.meterPrincipalArn).trustsMeter) {
        continue;
      }
      late.push(...(await readRoleIntegrations(clients, role.RoleName, scope)));
    }
  }
  return late;
}

/**
 * Adds what {@link readIntegrationsCreatedSince} found to a sync's facts. A
 * stream or policy of such an integration may already be among them as
 * left behind (listed after its role was missed): the complete integration
 * replaces it.
 */
export function withLateIntegrations<T extends IntegrationFacts>(
  facts: T[],
  late: T[],
): T[] {
  if (late.length === 0) return facts;
  const streams = new Set(
    late.flatMap(f => (f.stream ? [`${f.region}/${f.stream.name}`] : [])),
  );
  const policies = new Set(late.flatMap(f => (f.policy ? [f.policy.arn] : [])));
  const superseded = (f: T) =>
    !f.role &&
    ((f.stream && streams.has(`${f.region}/${f.stream.name}`)) ||
      (f.policy && policies.has(f.policy.arn)));
  return [...facts.filter(f => !superseded(f)), ...late];
}
