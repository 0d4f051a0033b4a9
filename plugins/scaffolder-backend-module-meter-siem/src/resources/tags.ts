import {
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UntagPolicyCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  ListTagsForStreamCommand,
  RemoveTagsFromStreamCommand,
} from '@aws-sdk/client-kinesis';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Tag,
  resourceName,
  tagsToRecord,
  wrongCaseTagKeys,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  send,
} from '@internal/backstage-plugin-meter-siem-node';

/** The tag calls of one AWS resource. */
export interface TaggedResource {
  arn: string;
  read(): Promise<Record<string, string>>;
  tag(tags: Tag[]): Promise<unknown>;
  untag(keys: string[]): Promise<unknown>;
  /**
   * IAM takes keys that differ only in case for one key, so a rename there
   * removes the old spelling before writing the new; Kinesis keeps both, so
   * it writes first and never leaves the resource without the tag.
   */
  keysIgnoreCase: boolean;
}

/** The tag calls of one CloudWatch alarm. */
export function alarmTags(aws: AccountClients, arn: string): TaggedResource {
  const call = (permission: string) => ({
    permission,
    resource: `alarm ${arn.slice(arn.indexOf(':alarm:') + ':alarm:'.length)}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  return {
    arn,
    keysIgnoreCase: false,
    read: async () =>
      tagsToRecord(
        (
          await send(
            () =>
              aws.cloudwatch.send(
                new ListTagsForResourceCommand({ ResourceARN: arn }),
              ),
            call('cloudwatch:ListTagsForResource'),
          )
        ).Tags,
      ),
    tag: Tags =>
      send(
        () =>
          aws.cloudwatch.send(
            new TagResourceCommand({ ResourceARN: arn, Tags }),
          ),
        call('cloudwatch:TagResource'),
      ),
    untag: TagKeys =>
      send(
        () =>
          aws.cloudwatch.send(
            new UntagResourceCommand({ ResourceARN: arn, TagKeys }),
          ),
        call('cloudwatch:UntagResource'),
      ),
  };
}

export function streamTags(aws: AccountClients, arn: string): TaggedResource {
  const StreamName = resourceName(arn);
  const call = (permission: string) => ({
    permission,
    resource: `stream ${StreamName}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  return {
    arn,
    keysIgnoreCase: false,
    // By name: moto implements only the name-based tag calls. A stream has
    // at most 50 tags.
    read: async () =>
      tagsToRecord(
        (
          await send(
            () =>
              aws.kinesis.send(
                new ListTagsForStreamCommand({ StreamName, Limit: 50 }),
              ),
            call('kinesis:ListTagsForStream'),
          )
        ).Tags,
      ),
    tag: tags =>
      send(
        () =>
          aws.kinesis.send(
            new AddTagsToStreamCommand({
              StreamName,
              Tags: Object.fromEntries(tags.map(t => [t.Key, t.Value])),
            }),
          ),
        call('kinesis:AddTagsToStream'),
      ),
    untag: TagKeys =>
      send(
        () =>
          aws.kinesis.send(
            new RemoveTagsFromStreamCommand({ StreamName, TagKeys }),
          ),
        call('kinesis:RemoveTagsFromStream'),
      ),
  };
}

export function roleTags(aws: AccountClients, arn: string): TaggedResource {
  const RoleName = resourceName(arn);
  const call = (permission: string) => ({
    permission,
    resource: `role ${RoleName}`,
    accountId: aws.accountId,
  });
  return {
    arn,
    keysIgnoreCase: true,
    read: async () =>
      tagsToRecord(
        (
          await send(
            () => aws.iam.send(new ListRoleTagsCommand({ RoleName })),
            call('iam:ListRoleTags'),
          )
        ).Tags,
      ),
    tag: Tags =>
      send(
        () => aws.iam.send(new TagRoleCommand({ RoleName, Tags })),
        call('iam:TagRole'),
      ),
    untag: TagKeys =>
      send(
        () => aws.iam.send(new UntagRoleCommand({ RoleName, TagKeys })),
        call('iam:UntagRole'),
      ),
  };
}

export function policyTags(aws: AccountClients, arn: string): TaggedResource {
  const call = (permission: string) => ({
    permission,
    resource: `policy ${resourceName(arn)}`,
    accountId: aws.accountId,
  });
  return {
    arn,
    keysIgnoreCase: true,
    read: async () =>
      tagsToRecord(
        (
          await send(
            () => aws.iam.send(new ListPolicyTagsCommand({ PolicyArn: arn })),
            call('iam:ListPolicyTags'),
          )
        ).Tags,
      ),
    tag: Tags =>
      send(
        () => aws.iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags })),
        call('iam:TagPolicy'),
      ),
    untag: TagKeys =>
      send(
        () => aws.iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys })),
        call('iam:UntagPolicy'),
      ),
  };
}

/**
 * What to change on one resource: the wanted tags it lacks, and the keys of
 * the tagging policy it spells in another case, renamed to the policy's
 * spelling (keeping their value unless a wanted one replaces it).
 */
export function tagChanges(
  current: Record<string, string>,
  wanted: Record<string, string>,
  policyKeys: string[],
): { set: Tag[]; renames: Array<{ key: string; expected: string }> } {
  const renames = wrongCaseTagKeys(current, [
    ...Object.keys(wanted),
    ...policyKeys,
  ]);
  const target: Record<string, string> = {};
  for (const { key, expected } of renames) {
    if (!(expected in current)) target[expected] = current[key];
  }
  Object.assign(target, wanted);
  const renamed = new Set(renames.map(r => r.expected));
  const set = Object.entries(target)
    .filter(([key, value]) => current[key] !== value || renamed.has(key))
    .map(([Key, Value]) => ({ Key, Value }));
  return { set, renames };
}

/**
 * Brings one resource's tags to `wanted` and the policy's spelling. Returns
 * whether anything was written; a second call writes nothing.
 */
export async function reconcileTags(
  resource: TaggedResource,
  wanted: Record<string, string>,
  policyKeys: string[],
  logger: LoggerService,
): Promise<boolean> {
  const { set, renames } = tagChanges(
    await resource.read(),
    wanted,
    policyKeys,
  );
  if (set.length === 0 && renames.length === 0) {
    logger.info(`${resource.arn} already carries the wanted tags`);
    return false;
  }
  const old = renames.map(r => r.key);
  if (resource.keysIgnoreCase && old.length > 0) await resource.untag(old);
  if (set.length > 0) await resource.tag(set);
  if (!resource.keysIgnoreCase && old.length > 0) await resource.untag(old);
  if (renames.length > 0) {
    logger.info(
      `Renamed ${renames.map(r => `${r.key} to ${r.expected}`).join(', ')} on ${
        resource.arn
      }`,
    );
  }
  logger.info(
    `Tagged ${resource.arn} with ${set
      .map(t => `${t.Key}=${t.Value}`)
      .join(', ')}`,
  );
  return true;
}

/**
 * Writes the wanted tags a resource lacks, and only those: what a create
 * step does to a resource it made or adopted (changing a value is the fix
 * template's job, not a re-run's).
 */
export async function addMissingTags(
  resource: TaggedResource,
  wanted: Tag[],
  current?: Record<string, string>,
): Promise<void> {
  const have = current ?? (await resource.read());
  const missing = wanted.filter(t => have[t.Key] === undefined);
  if (missing.length > 0) await resource.tag(missing);
}
