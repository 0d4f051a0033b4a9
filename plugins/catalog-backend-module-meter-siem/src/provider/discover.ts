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
  DescribeStreamSummaryCommand,
  ListTagsForStreamCommand,
  ResourceNotFoundException,
  KinesisClient,
  ListStreamsCommand,
  ListStreamsCommandOutput,
} from '@aws-sdk/client-kinesis';
import {
  IntegrationFacts,
  LeftBehindResource,
  SilenceAlarmFacts,
  incomingRecordsStream,
  pickSilenceAlarm,
  silenceAlarmFacts,
  MANAGED_BY_VALUE,
  MeterSiemSettings,
  PolicyDocument,
  StreamFacts,
  coversStream,
  integrationNameOf,
  parseArn,
  parsePolicyDocument,
  readTrust,
  resourceName,
  streamArn as streamArnOf,
  tagsToRecord,
  writableResourcePatterns,
  writableStreamArns,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  MetricAlarm,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import { stringifyError } from '@backstage/errors';
import { MultiRegionClients as AccountClients } from '@internal/backstage-plugin-meter-siem-node';

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
}

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

async function readStream(
  clients: AccountClients,
  streamArn: string,
): Promise<StreamFacts | undefined> {
  const { region } = parseArn(streamArn);
  const StreamName = resourceName(streamArn);
  const kinesis = clients.kinesis(region);
  try {
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName }),
    );
    // By name rather than ARN: the calls are the same to AWS, and moto
    // implements only the name-based tag call. A stream has at most 50 tags.
    const { Tags } = await kinesis.send(
      new ListTagsForStreamCommand({ StreamName, Limit: 50 }),
    );
    return {
      name: StreamName,
      tags: tagsToRecord(Tags),
      status: summary?.StreamStatus,
      capacityMode: summary?.StreamModeDetails?.StreamMode,
      openShardCount: summary?.OpenShardCount,
      retentionHours: summary?.RetentionPeriodHours,
      encryptionType: summary?.EncryptionType,
      keyId: summary?.KeyId,
      enhancedMetrics: (summary?.EnhancedMonitoring ?? []).flatMap(
        m => m.ShardLevelMetrics ?? [],
      ),
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Reads the streams one by one: Kinesis throttles its control plane per
 * account, and the SDK's adaptive retry paces a single caller best.
 */
async function withStreams(
  clients: AccountClients,
  pairs: Pair[],
  failedRegions: Map<string, string>,
): Promise<IntegrationFacts[]> {
  const streams = new Map<string, StreamFacts | undefined>();
  for (const { streamArn } of pairs) {
    if (!streamArn || streams.has(streamArn)) continue;
    const { region } = parseArn(streamArn);
    if (failedRegions.has(region)) continue;
    try {
      streams.set(streamArn, await readStream(clients, streamArn));
    } catch (error) {
      // One region's Kinesis failing leaves the others' facts fresh.
      failedRegions.set(
        region,
        `Kinesis in ${region}: ${stringifyError(error)}`,
      );
    }
  }
  return pairs.map(pair => {
    if (!pair.streamArn) return pair;
    const failed = failedRegions.get(parseArn(pair.streamArn).region);
    return failed
      ? { ...pair, streamError: failed }
      : { ...pair, stream: streams.get(pair.streamArn) };
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
): Promise<IntegrationFacts[]> {
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
  const integrations = await withStreams(clients, pairs, failedRegions);
  const orphans = await leftBehindStreams(
    clients,
    scope,
    new Set(pairs.flatMap(p => (p.streamArn ? [p.streamArn] : []))),
    failedRegions,
  );
  const found = [
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
  return withAlarms(
    clients,
    [
      ...found,
      ...attachLeftBehind(found, leftBehind, clients.accountId, scope),
    ],
    scope,
  );
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
 * Streams named with the product's prefix that no role trusted by Meter
 * names: what is left of an integration whose role was deleted. Only those
 * streams are read, so a sync costs one listing per region besides.
 */
async function leftBehindStreams(
  clients: AccountClients,
  scope: DiscoveryScope,
  paired: Set<string>,
  failedRegions: Map<string, string>,
): Promise<IntegrationFacts[]> {
  const found: IntegrationFacts[] = [];
  for (const region of scope.regions) {
    if (failedRegions.has(region)) continue;
    try {
      for (const name of await listStreamNames(clients.kinesis(region))) {
        const arn = streamArnOf(region, clients.accountId, name);
        if (!name.startsWith(scope.settings.namePrefix) || paired.has(arn)) {
          continue;
        }
        const stream = await readStream(clients, arn);
        if (stream) {
          found.push({
            accountId: clients.accountId,
            region,
            streamArn: arn,
            stream,
          });
        }
      }
    } catch (error) {
      failedRegions.set(
        region,
        `Kinesis in ${region}: ${stringifyError(error)}`,
      );
    }
  }
  return found;
}

/**
 * Every stream name of a region. AWS pages ListStreams with NextToken; older
 * implementations (and moto) only with ExclusiveStartStreamName, so the loop
 * follows whichever the answer offers, as long as it says there is more.
 */
async function listStreamNames(kinesis: KinesisClient): Promise<string[]> {
  const names: string[] = [];
  let page: ListStreamsCommandOutput | undefined;
  do {
    page = await kinesis.send(
      new ListStreamsCommand(
        page?.NextToken
          ? { NextToken: page.NextToken }
          : { Limit: 100, ExclusiveStartStreamName: names[names.length - 1] },
      ),
    );
    names.push(...(page.StreamNames ?? []));
  } while (page.HasMoreStreams && (page.StreamNames?.length ?? 0) > 0);
  return names;
}

/**
 * Reads one role, and the streams it may write to, with per-role calls: the
 * quick path for an integration that was just created.
 */
export async function readRoleIntegrations(
  clients: AccountClients,
  roleName: string,
  scope: DiscoveryScope,
): Promise<IntegrationFacts[]> {
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
  return withAlarms(
    clients,
    await withStreams(
      clients,
      pairsOf(role, clients.accountId),
      scope.failedRegions ?? new Map(),
    ),
    scope,
  );
}

/**
 * Records on each stream read the alarm watching its IncomingRecords (the
 * one that catches silence, if any): one paginated DescribeAlarms per
 * region with streams, 100 alarms a call. A region whose alarms cannot be
 * read leaves its streams' alarm unknown, which the audit does not count
 * as missing.
 */
async function withAlarms(
  clients: AccountClients,
  integrations: IntegrationFacts[],
  scope: DiscoveryScope,
): Promise<IntegrationFacts[]> {
  const regions = new Set(
    integrations.flatMap(i =>
      i.stream && i.streamArn ? [parseArn(i.streamArn).region] : [],
    ),
  );
  const byRegion = new Map<string, Map<string, SilenceAlarmFacts[]>>();
  for (const region of regions) {
    try {
      byRegion.set(region, await readAlarms(clients, region));
    } catch (error) {
      scope.onWarning?.(
        `Could not read the CloudWatch alarms of AWS account ${
          clients.accountId
        } in ${region} (the audit cannot tell which streams alarm on silence): ${stringifyError(
          error,
        )}`,
      );
    }
  }
  return integrations.map(integration => {
    const { stream, streamArn } = integration;
    const alarms = streamArn && byRegion.get(parseArn(streamArn).region);
    if (!stream || !alarms) return integration;
    return {
      ...integration,
      stream: {
        ...stream,
        silenceAlarm:
          pickSilenceAlarm(stream.name, alarms.get(stream.name) ?? []) ?? null,
      },
    };
  });
}

async function readAlarms(
  clients: AccountClients,
  region: string,
): Promise<Map<string, SilenceAlarmFacts[]>> {
  const alarms = new Map<string, SilenceAlarmFacts[]>();
  const add = (alarm: MetricAlarm) => {
    const stream = incomingRecordsStream(alarm);
    if (!stream) return;
    alarms.set(stream, [
      ...(alarms.get(stream) ?? []),
      silenceAlarmFacts(alarm),
    ]);
  };
  for await (const page of paginateDescribeAlarms(
    { client: clients.cloudwatch(region), pageSize: 100 },
    { AlarmTypes: ['MetricAlarm'] },
  )) {
    (page.MetricAlarms ?? []).forEach(add);
  }
  return alarms;
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
): Promise<IntegrationFacts[]> {
  const late: IntegrationFacts[] = [];
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
export function withLateIntegrations(
  facts: IntegrationFacts[],
  late: IntegrationFacts[],
): IntegrationFacts[] {
  if (late.length === 0) return facts;
  const streams = new Set(
    late.flatMap(f => (f.stream ? [`${f.region}/${f.stream.name}`] : [])),
  );
  const policies = new Set(late.flatMap(f => (f.policy ? [f.policy.arn] : [])));
  const superseded = (f: IntegrationFacts) =>
    !f.role &&
    ((f.stream && streams.has(`${f.region}/${f.stream.name}`)) ||
      (f.policy && policies.has(f.policy.arn)));
  return [...facts.filter(f => !superseded(f)), ...late];
}
