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
  AWS_REGIONS,
  Tag,
  ValidationIssue,
  ownerRefFromTag,
  resourceName,
  tagsToRecord,
  validateExtraTags,
  validateTag,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  AccountClients,
  send,
} from '@internal/backstage-plugin-meter-siem-node';
import { assertPartsOf } from './integrationParts';
import { examples } from './applyTags.examples';
import { ActionOptions, assertInput, targetSchema } from './options';

/**
 * Sets the owner, environment and extra tags on every AWS resource of an
 * integration. It calls only tag reads and tag writes, adds or overwrites
 * the given keys and removes nothing, so a re-run changes nothing.
 *
 * @public
 */
export function applyTagsAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  const keys = settings.tagKeys;
  return createTemplateAction({
    id: 'meter-siem:tags:apply',
    description:
      "Sets the owner, environment and extra tags on a Meter SIEM integration's Kinesis stream, IAM role and IAM policy. Only members of the integration's owning group (or the admin group) may run it; the integration must be one the catalog provider discovered, and each ARN is checked against AWS (the role trusts Meter, the policy is attached to it and grants the stream) before anything is tagged. Tagging only: it never changes anything but tags, never removes a tag, and a re-run changes nothing.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: z =>
          z.string({
            description:
              'Entity ref of the integration, e.g. resource:default/hq-network-123456789012. It must be an entity the Meter SIEM catalog provider discovered; the ARNs to tag are read from it and checked against AWS.',
          }),
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
      const integration = await access.integration(input.integration);
      await access.assertMayAct(
        ctx.user?.ref,
        integration.ownerRef,
        `change the tags of ${integration.entityRef}`,
      );
      const { streamArn, roleArn, policyArn, accountId } = integration;
      // IAM is global: a role without a stream is reached from any region.
      const region = integration.region ?? AWS_REGIONS[0];
      const describe = Object.entries(wanted)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would set ${describe} on ${[streamArn, roleArn, policyArn]
            .filter(Boolean)
            .join(', ')}`,
        );
        ctx.output('changed', []);
        return;
      }

      const aws = await clients.forAccount({ accountId, region });
      await assertPartsOf(aws, integration, settings);
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

      if (streamArn) {
        await tagStream(aws, streamArn, resourceName(streamArn), apply);
      }
      if (roleArn) {
        const RoleName = resourceName(roleArn);
        const call = (permission: string) => ({
          permission,
          resource: `role ${RoleName}`,
          accountId,
        });
        const { Tags } = await send(
          () => aws.iam.send(new ListRoleTagsCommand({ RoleName })),
          call('iam:ListRoleTags'),
        );
        await apply(roleArn, tagsToRecord(Tags), tags =>
          send(
            () => aws.iam.send(new TagRoleCommand({ RoleName, Tags: tags })),
            call('iam:TagRole'),
          ),
        );
      }
      if (policyArn) {
        const PolicyArn = policyArn;
        const call = (permission: string) => ({
          permission,
          resource: `policy ${resourceName(policyArn)}`,
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
