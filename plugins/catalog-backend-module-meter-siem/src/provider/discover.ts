import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
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
  MeterSiemSettings,
  PolicyDocument,
  StreamFacts,
  parseArn,
  parsePolicyDocument,
  readTrust,
  streamArn as streamArnOf,
  tagsToRecord,
  writableStreamArns,
} from '@internal/backstage-plugin-meter-siem-common';
import { AccountClients } from './clients';

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
}

/**
 * Pairs a role Meter may assume with each stream of this account, in any
 * region, that its policies let Meter write to: IAM is global, so the roles
 * say where their integrations are.
 */
function pairsOf(
  role: RoleFacts,
  accountId: string,
): Array<Omit<IntegrationFacts, 'stream'>> {
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
  return [...byStream].map(([streamArn, policy]) => ({
    accountId,
    region: parseArn(streamArn).region,
    role: roleFacts,
    policy,
    permissions,
    streamArn,
  }));
}

function trustsMeter(role: RoleFacts, scope: DiscoveryScope): boolean {
  return readTrust(role.trustPolicy, scope.settings.meterPrincipalArn)
    .trustsMeter;
}

async function readStream(
  clients: AccountClients,
  streamArn: string,
): Promise<StreamFacts | undefined> {
  const { region, resource } = parseArn(streamArn);
  const StreamName = resource.slice('stream/'.length);
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
  pairs: Array<Omit<IntegrationFacts, 'stream'>>,
): Promise<IntegrationFacts[]> {
  const streams = new Map<string, StreamFacts | undefined>();
  for (const { streamArn } of pairs) {
    if (!streams.has(streamArn)) {
      streams.set(streamArn, await readStream(clients, streamArn));
    }
  }
  return pairs.map(pair => ({ ...pair, stream: streams.get(pair.streamArn) }));
}

/**
 * Finds every integration of one account: the IAM side in a few paginated
 * GetAccountAuthorizationDetails calls (roles with trust policies, tags and
 * policies, and the managed policies' documents), then only the streams
 * those roles may write to.
 */
export async function discoverIntegrations(
  clients: AccountClients,
  scope: DiscoveryScope,
): Promise<IntegrationFacts[]> {
  const roles = [];
  const documents = new Map<string, PolicyDocument>();
  // The largest page IAM allows: about 3 calls for 2,000 roles instead of 20.
  for await (const page of paginateGetAccountAuthorizationDetails(
    { client: clients.iam, pageSize: 1000 },
    { Filter: ['Role', 'LocalManagedPolicy'] },
  )) {
    roles.push(...(page.RoleDetailList ?? []));
    for (const policy of page.Policies ?? []) {
      const version = policy.PolicyVersionList?.find(v => v.IsDefaultVersion);
      if (policy.Arn && version?.Document) {
        documents.set(policy.Arn, parsePolicyDocument(version.Document));
      }
    }
  }

  const pairs = roles.flatMap(detail => {
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
    return trustsMeter(role, scope) ? pairsOf(role, clients.accountId) : [];
  });
  const integrations = await withStreams(clients, pairs);
  return [
    ...integrations,
    ...(await leftBehindStreams(
      clients,
      scope,
      new Set(pairs.map(p => p.streamArn)),
    )),
  ];
}

/**
 * Streams named with the product's prefix that no role trusted by Meter may
 * write to: what is left of an integration whose role was deleted. Only
 * those streams are read, so a sync costs one listing per region besides.
 */
async function leftBehindStreams(
  clients: AccountClients,
  scope: DiscoveryScope,
  paired: Set<string>,
): Promise<IntegrationFacts[]> {
  const found: IntegrationFacts[] = [];
  for (const region of scope.regions) {
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
  return withStreams(clients, pairsOf(role, clients.accountId));
}
