import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis';
import { LoggerService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  MANAGED_BY_VALUE,
  TagKeys,
  parseArn,
  resourceName,
  silenceAlarmName,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  AwsCallContext,
  explainAwsError,
  isNotFound,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { alarmTags, streamTags } from './tags';

/** One AWS resource of an integration, as found before anything is removed. */
export interface FoundPart {
  kind: 'CloudWatch alarm' | 'IAM policy' | 'IAM role' | 'Kinesis stream';
  arn: string;
  name: string;
  tags: Record<string, string>;
}

/** What is left in AWS of an integration (a part already gone is absent). */
export interface FoundIntegration {
  alarm?: FoundPart;
  policy?: FoundPart & {
    /** The role it is attached to, when it is attached to the integration's. */
    attachedTo?: string;
    /** Roles, users and groups besides the integration's role that use it. */
    usedElsewhere: string[];
  };
  role?: FoundPart & {
    /** Attached policies besides the integration's, and inline policies. */
    otherPolicies: string[];
  };
  stream?: FoundPart & { status?: string };
}

/** The parts to remove, in the order they go. */
export interface RemovalPlan {
  integrationName: string;
  parts: FoundPart[];
  /** Policy ARN and role name to detach it from first, when attached. */
  detach?: { policyArn: string; roleName: string };
  /** What is left alone, and why (an alarm of that name that is not ours). */
  leftAlone: string[];
}

/** True when AWS says the resource does not exist (CloudWatch's name too). */
function isGone(error: unknown): boolean {
  return (
    isNotFound(error) ||
    (error as { name?: string })?.name === 'ResourceNotFound'
  );
}

/** Runs a Delete* call: `true` when it removed something, `false` when gone. */
async function removeIfExists(
  call: () => Promise<unknown>,
  context: AwsCallContext,
): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isGone(error)) return false;
    throw explainAwsError(error, context);
  }
}

/**
 * Reads every part of an integration that still exists, with its tags and
 * what else uses it: calls that read only, so that a refusal changes
 * nothing. A part already gone (an earlier run removed it) is absent.
 */
export async function findParts(
  aws: AccountClients,
  arns: { streamArn?: string; roleArn?: string; policyArn?: string },
): Promise<FoundIntegration> {
  const { streamArn, roleArn, policyArn } = arns;
  for (const arn of [streamArn, roleArn, policyArn]) {
    if (arn && parseArn(arn).accountId !== aws.accountId) {
      throw new NotAllowedError(
        `Nothing was deleted: ${arn} is not in the integration's account ${aws.accountId}. The catalog may be behind AWS; wait for the next sync of the account and run again.`,
      );
    }
  }
  const iam = (permission: string, resource: string): AwsCallContext => ({
    permission,
    resource,
    accountId: aws.accountId,
  });
  const regional = (permission: string, resource: string) => ({
    ...iam(permission, resource),
    region: aws.region,
  });
  const found: FoundIntegration = {};
  /** The integration's role, when the policy is attached to it. */
  let attachedTo: string | undefined;

  if (streamArn) {
    const StreamName = resourceName(streamArn);
    const summary = (
      await sendIfExists(
        () =>
          aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName })),
        regional('kinesis:DescribeStreamSummary', `stream ${StreamName}`),
      )
    )?.StreamDescriptionSummary;
    if (summary) {
      found.stream = {
        kind: 'Kinesis stream',
        arn: streamArn,
        name: StreamName,
        status: summary.StreamStatus,
        tags: await streamTags(aws, streamArn).read(),
      };
    }
    const AlarmName = silenceAlarmName(StreamName);
    const [alarm] =
      (
        await send(
          () =>
            aws.cloudwatch.send(
              new DescribeAlarmsCommand({ AlarmNames: [AlarmName] }),
            ),
          regional('cloudwatch:DescribeAlarms', `alarm ${AlarmName}`),
        )
      ).MetricAlarms ?? [];
    if (alarm?.AlarmArn) {
      found.alarm = {
        kind: 'CloudWatch alarm',
        arn: alarm.AlarmArn,
        name: AlarmName,
        tags: await alarmTags(aws, alarm.AlarmArn).read(),
      };
    }
  }

  if (roleArn) {
    const RoleName = resourceName(roleArn);
    const role = (
      await sendIfExists(
        () => aws.iam.send(new GetRoleCommand({ RoleName })),
        iam('iam:GetRole', `role ${RoleName}`),
      )
    )?.Role;
    if (role) {
      const { AttachedPolicies = [] } = await send(
        () => aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName })),
        iam('iam:ListAttachedRolePolicies', `role ${RoleName}`),
      );
      const { PolicyNames = [] } = await send(
        () => aws.iam.send(new ListRolePoliciesCommand({ RoleName })),
        iam('iam:ListRolePolicies', `role ${RoleName}`),
      );
      found.role = {
        kind: 'IAM role',
        arn: roleArn,
        name: RoleName,
        tags: tagsToRecord(role.Tags),
        otherPolicies: [
          ...AttachedPolicies.filter(p => p.PolicyArn !== policyArn).map(
            p => `attached policy ${p.PolicyArn}`,
          ),
          ...PolicyNames.map(name => `inline policy ${name}`),
        ],
      };
      if (AttachedPolicies.some(p => p.PolicyArn === policyArn)) {
        attachedTo = RoleName;
      }
    }
  }

  if (policyArn) {
    const name = resourceName(policyArn);
    const policy = (
      await sendIfExists(
        () => aws.iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        iam('iam:GetPolicy', `policy ${name}`),
      )
    )?.Policy;
    if (policy) {
      const users = await send(
        () =>
          aws.iam.send(
            new ListEntitiesForPolicyCommand({ PolicyArn: policyArn }),
          ),
        iam('iam:ListEntitiesForPolicy', `policy ${name}`),
      );
      found.policy = {
        kind: 'IAM policy',
        arn: policyArn,
        name,
        tags: tagsToRecord(policy.Tags),
        attachedTo,
        usedElsewhere: [
          ...(users.PolicyRoles ?? [])
            .filter(r => r.RoleName !== attachedTo)
            .map(r => `role ${r.RoleName}`),
          ...(users.PolicyUsers ?? []).map(u => `user ${u.UserName}`),
          ...(users.PolicyGroups ?? []).map(g => `group ${g.GroupName}`),
        ],
      };
    }
  }
  return found;
}

/**
 * The integration's name as given at creation, as AWS holds it: the
 * integration tag of its role, else of its stream (then of what is left).
 */
export function liveIntegrationName(
  found: FoundIntegration,
  tagKeys: TagKeys,
): string | undefined {
  return [found.role, found.stream, found.policy, found.alarm]
    .map(part => part?.tags[tagKeys.integration])
    .find(name => !!name);
}

function isOurs(part: FoundPart, integrationName: string, keys: TagKeys) {
  return (
    part.tags[keys.integration] === integrationName &&
    part.tags[keys.managedBy] === MANAGED_BY_VALUE
  );
}

/**
 * What goes, in order (alarm, policy, role, stream), after checking that
 * every part is the integration's own: it carries the product's tags for
 * `integrationName`, and nothing else hangs on it (no other policy on the
 * role, no other user of the policy). Throws naming every problem, before
 * anything is removed. An alarm of the stream's alarm name that is not
 * ours is no part of it: it is left alone, and said so.
 */
export function planRemoval(
  found: FoundIntegration,
  integrationName: string,
  keys: TagKeys,
  entityRef: string,
): RemovalPlan {
  const problems: string[] = [];
  const { alarm, policy, role, stream } = found;
  for (const part of [policy, role, stream]) {
    if (part && !isOurs(part, integrationName, keys)) {
      problems.push(
        `${part.kind} ${part.name} was not created by Backstage for integration ${integrationName} (its tags ${keys.integration}=${integrationName} and ${keys.managedBy}=${MANAGED_BY_VALUE} are not both there)`,
      );
    }
  }
  if (role && role.otherPolicies.length > 0) {
    problems.push(
      `IAM role ${role.name} also has ${role.otherPolicies.join(
        ', ',
      )}, which the product never adds`,
    );
  }
  if (policy && policy.usedElsewhere.length > 0) {
    problems.push(
      `IAM policy ${
        policy.name
      } is also attached to ${policy.usedElsewhere.join(', ')}`,
    );
  }
  if (problems.length > 0) {
    throw new NotAllowedError(
      `Nothing was deleted: ${entityRef} has parts that are not only its own. ${problems.join(
        '; ',
      )}. Remove those resources by hand in the AWS console, or take off what was added to them, and run again.`,
    );
  }
  const ownAlarm = alarm && isOurs(alarm, integrationName, keys);
  return {
    integrationName,
    parts: [ownAlarm ? alarm : undefined, policy, role, stream].filter(
      (part): part is FoundPart => !!part,
    ),
    detach:
      policy?.attachedTo !== undefined
        ? { policyArn: policy.arn, roleName: policy.attachedTo }
        : undefined,
    leftAlone:
      alarm && !ownAlarm
        ? [
            `CloudWatch alarm ${alarm.name} was left alone: it was not created by Backstage for integration ${integrationName}. Delete it by hand if it only watched this stream.`,
          ]
        : [],
  };
}

/**
 * Removes the planned parts in order; each skips what is already gone, so
 * that a re-run after a failure finishes the job. Returns the ARNs removed.
 */
export async function removeParts(
  aws: AccountClients,
  plan: RemovalPlan,
  logger: LoggerService,
): Promise<string[]> {
  const removed: string[] = [];
  const iam = (permission: string, resource: string): AwsCallContext => ({
    permission,
    resource,
    accountId: aws.accountId,
  });
  const regional = (permission: string, resource: string) => ({
    ...iam(permission, resource),
    region: aws.region,
  });
  if (plan.detach) {
    const { policyArn: PolicyArn, roleName: RoleName } = plan.detach;
    const detached = await removeIfExists(
      () => aws.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })),
      iam('iam:DetachRolePolicy', `role ${RoleName}`),
    );
    if (detached) logger.info(`Detached ${PolicyArn} from role ${RoleName}`);
  }
  const removers: Record<
    FoundPart['kind'],
    (part: FoundPart) => Promise<boolean>
  > = {
    'CloudWatch alarm': part =>
      removeIfExists(
        () =>
          aws.cloudwatch.send(
            new DeleteAlarmsCommand({ AlarmNames: [part.name] }),
          ),
        regional('cloudwatch:DeleteAlarms', `alarm ${part.name}`),
      ),
    'IAM policy': async part => {
      const PolicyArn = part.arn;
      const versions = await sendIfExists(
        () => aws.iam.send(new ListPolicyVersionsCommand({ PolicyArn })),
        iam('iam:ListPolicyVersions', `policy ${part.name}`),
      );
      if (!versions) return false;
      for (const version of versions.Versions ?? []) {
        if (version.IsDefaultVersion) continue;
        await removeIfExists(
          () =>
            aws.iam.send(
              new DeletePolicyVersionCommand({
                PolicyArn,
                VersionId: version.VersionId,
              }),
            ),
          iam('iam:DeletePolicyVersion', `policy ${part.name}`),
        );
      }
      return removeIfExists(
        () => aws.iam.send(new DeletePolicyCommand({ PolicyArn })),
        iam('iam:DeletePolicy', `policy ${part.name}`),
      );
    },
    'IAM role': part =>
      removeIfExists(
        () => aws.iam.send(new DeleteRoleCommand({ RoleName: part.name })),
        iam('iam:DeleteRole', `role ${part.name}`),
      ),
    // AWS deletes a stream in the background (DELETING, then gone): Meter's
    // events stop at once, and there is nothing to wait for.
    'Kinesis stream': part =>
      removeIfExists(
        () =>
          aws.kinesis.send(new DeleteStreamCommand({ StreamName: part.name })),
        regional('kinesis:DeleteStream', `stream ${part.name}`),
      ),
  };
  for (const part of plan.parts) {
    if ((part as FoundIntegration['stream'])?.status === 'DELETING') {
      logger.info(`${part.kind} ${part.name} is already being deleted`);
    } else if (await removers[part.kind](part)) {
      removed.push(part.arn);
      logger.info(`Deleted ${part.kind} ${part.name} (${part.arn})`);
    } else {
      logger.info(`${part.kind} ${part.name} was already gone`);
    }
  }
  return removed;
}
