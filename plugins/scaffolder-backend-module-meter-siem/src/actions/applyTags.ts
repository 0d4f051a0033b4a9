import {
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  TagPolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  AddTagsToStreamCommand,
  ListTagsForStreamCommand,
} from '@aws-sdk/client-kinesis';
import {
  Arn,
  ResourceArnKind,
  Tag,
  ValidationIssue,
  ownerRefFromTag,
  parseArn,
  tagsToRecord,
  validateExtraTags,
  validateResourceArn,
  validateTag,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { AccountClients, send } from '../aws/clients';
import { examples } from './applyTags.examples';
import { ActionOptions, assertInput, targetSchema } from './options';

function readArn(
  kind: ResourceArnKind,
  field: string,
  value: string | undefined,
  issues: ValidationIssue[],
): Arn | undefined {
  if (value === undefined || value === '') return undefined;
  const problems = validateResourceArn(value, field, kind);
  issues.push(...problems);
  return problems.length ? undefined : parseArn(value);
}

/** The name at the end of an IAM resource, after any path. */
const lastSegment = (resource: string) =>
  resource.slice(resource.lastIndexOf('/') + 1);

/**
 * Sets the owner, environment and extra tags on every AWS resource of an
 * integration. It calls only tag reads and tag writes, adds or overwrites
 * the given keys and removes nothing, so a re-run changes nothing.
 *
 * @public
 */
export function applyTagsAction(options: ActionOptions) {
  const { clients, settings } = options;
  const keys = settings.tagKeys;
  return createTemplateAction({
    id: 'meter-siem:tags:apply',
    description:
      "Sets the owner, environment and extra tags on a Meter SIEM integration's Kinesis stream, IAM role and IAM policy (the ARNs are the integration entity's meter-siem.io annotations). Tagging only: it never changes anything but tags, never removes a tag, and a re-run changes nothing.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        streamArn: z =>
          z.string({
            description:
              'ARN of the Kinesis stream (annotation meter-siem.io/stream-arn); its account and region are those of the integration',
          }),
        roleArn: z =>
          z
            .string({
              description:
                'ARN of the IAM role (annotation meter-siem.io/role-arn); empty when the role is gone',
            })
            .optional(),
        policyArn: z =>
          z
            .string({
              description:
                'ARN of the managed IAM policy (annotation meter-siem.io/policy-arn); empty for an inline policy',
            })
            .optional(),
        owner: targetSchema.owner,
        environment: targetSchema.environment,
        tags: z =>
          z
            .record(z.string(), z.string(), {
              description:
                'Extra tags, e.g. the other required tags of meterSiem.audit.requiredTags',
            })
            .optional(),
      },
      output: {
        changed: z =>
          z.array(z.string(), {
            description: 'ARNs of the resources whose tags were changed',
          }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const issues: ValidationIssue[] = [];
      const stream = readArn('stream', 'streamArn', input.streamArn, issues);
      if (!stream) {
        issues.push({ field: 'streamArn', message: 'is required' });
      }
      const role = readArn('role', 'roleArn', input.roleArn, issues);
      const policy = readArn('policy', 'policyArn', input.policyArn, issues);
      for (const arn of [role, policy]) {
        if (arn && stream && arn.accountId !== stream.accountId) {
          issues.push({
            field: arn === role ? 'roleArn' : 'policyArn',
            message: `must be in the stream's account ${stream.accountId}`,
          });
        }
      }
      const owner = ownerRefFromTag(input.owner);
      if (!owner) {
        issues.push({
          field: 'owner',
          message:
            'must be a group or user reference, e.g. group:default/security',
        });
      }
      if (!input.environment) {
        issues.push({ field: 'environment', message: 'is required' });
      } else {
        issues.push(
          ...validateTag(keys.environment, input.environment, 'environment'),
        );
      }
      issues.push(...validateExtraTags(input.tags, keys));
      assertInput(issues);

      const wanted: Record<string, string> = {
        ...input.tags,
        [keys.owner]: owner!,
        [keys.environment]: input.environment,
      };
      const accountId = stream!.accountId;
      const region = stream!.region;
      const streamName = stream!.resource.slice('stream/'.length);
      const describe = Object.entries(wanted)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would set ${describe} on ${[
            input.streamArn,
            input.roleArn,
            input.policyArn,
          ]
            .filter(Boolean)
            .join(', ')}`,
        );
        ctx.output('changed', []);
        return;
      }

      const aws = await clients.forAccount({ accountId, region });
      const changed: string[] = [];
      const apply = async (
        arn: string,
        current: Record<string, string>,
        write: (tags: Tag[]) => Promise<unknown>,
      ) => {
        const missing = Object.entries(wanted)
          .filter(([key, value]) => current[key] !== value)
          .map(([Key, Value]) => ({ Key, Value }));
        if (missing.length === 0) {
          ctx.logger.info(`${arn} already carries ${describe}`);
          return;
        }
        await write(missing);
        changed.push(arn);
        ctx.logger.info(
          `Tagged ${arn} with ${missing
            .map(t => `${t.Key}=${t.Value}`)
            .join(', ')}`,
        );
      };

      await tagStream(aws, input.streamArn, streamName, apply);
      if (role) {
        const RoleName = lastSegment(role.resource);
        const call = (permission: string) => ({
          permission,
          resource: `role ${RoleName}`,
          accountId,
        });
        const { Tags } = await send(
          () => aws.iam.send(new ListRoleTagsCommand({ RoleName })),
          call('iam:ListRoleTags'),
        );
        await apply(input.roleArn!, tagsToRecord(Tags), tags =>
          send(
            () => aws.iam.send(new TagRoleCommand({ RoleName, Tags: tags })),
            call('iam:TagRole'),
          ),
        );
      }
      if (policy) {
        const PolicyArn = input.policyArn!;
        const call = (permission: string) => ({
          permission,
          resource: `policy ${lastSegment(policy.resource)}`,
          accountId,
        });
        const { Tags } = await send(
          () => aws.iam.send(new ListPolicyTagsCommand({ PolicyArn })),
          call('iam:ListPolicyTags'),
        );
        await apply(PolicyArn, tagsToRecord(Tags), tags =>
          send(
            () => aws.iam.send(new TagPolicyCommand({ PolicyArn, Tags: tags })),
            call('iam:TagPolicy'),
          ),
        );
      }
      ctx.output('changed', changed);
    },
  });
}

async function tagStream(
  aws: AccountClients,
  streamArn: string,
  StreamName: string,
  apply: (
    arn: string,
    current: Record<string, string>,
    write: (tags: Tag[]) => Promise<unknown>,
  ) => Promise<void>,
) {
  const call = (permission: string) => ({
    permission,
    resource: `stream ${StreamName}`,
    accountId: aws.accountId,
    region: aws.region,
  });
  // By name: moto implements only the name-based tag calls. A stream has
  // at most 50 tags.
  const { Tags } = await send(
    () =>
      aws.kinesis.send(new ListTagsForStreamCommand({ StreamName, Limit: 50 })),
    call('kinesis:ListTagsForStream'),
  );
  await apply(streamArn, tagsToRecord(Tags), tags =>
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
  );
}
