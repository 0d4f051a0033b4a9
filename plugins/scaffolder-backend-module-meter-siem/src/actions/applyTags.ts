import { Entity } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  TagKeys,
  ValidationIssue,
  ownerRefFromTag,
  parseAuditFacts,
  validateExtraTags,
  validateTag,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { announceChange, integrationSchema, openIntegration } from './existing';
import {
  TaggedResource,
  policyTags,
  reconcileTags,
  roleTags,
  streamTags,
  tagChanges,
} from '../resources/tags';
import { examples } from './applyTags.examples';
import { ActionOptions, assertInput, targetSchema } from './options';

/**
 * Sets the owner, environment and extra tags on every AWS resource of an
 * integration, and renames the product's tag keys (and the extra tags'
 * keys) spelled in another case. It writes nothing but tags, so a re-run
 * changes nothing.
 *
 * @public
 */
export function createApplyTagsAction(options: ActionOptions) {
  const keys = options.settings.tagKeys;
  return createTemplateAction({
    id: 'meter-siem:tags:apply',
    description:
      "Sets the owner, environment and extra tags on a Meter SIEM integration's Kinesis stream, IAM role and IAM policy. Only members of the integration's owning group (or the admin group) may run it; the integration must be one the catalog provider discovered, and each ARN is checked against AWS (the role trusts Meter, the policy is attached to it and grants the stream) before anything is tagged. Tagging only: it never changes anything but tags. It renames tag keys spelled in another case than the product's tag keys (Owner, Environment as Meter's guide writes them become owner, environment) or than an extra tag it is given: it removes the old key and sets the new one, with the value given to it or else the old value, so that no resource keeps both spellings. It removes no other tag, and a re-run changes nothing.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
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
      const wanted = wantedTags(input, keys);
      const { integration, connect } = await openIntegration(
        options,
        ctx,
        input.integration,
        'change the tags of',
      );
      const { streamArn, roleArn, policyArn } = integration;
      const describe = Object.entries(wanted)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      const policyKeys = Object.values(keys);

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would set ${describe} on ${[streamArn, roleArn, policyArn]
            .filter(Boolean)
            .join(', ')}${renamesOf(
            integration.entity,
            wanted,
            policyKeys,
            !!policyArn,
          )}`,
        );
        ctx.output('changed', []);
        return;
      }

      const aws = await connect();
      const changed: string[] = [];
      const resources = [
        streamArn && streamTags(aws, streamArn),
        roleArn && roleTags(aws, roleArn),
        policyArn && policyTags(aws, policyArn),
      ].filter((r): r is TaggedResource => !!r);
      for (const resource of resources) {
        if (await reconcileTags(resource, wanted, policyKeys, ctx.logger)) {
          changed.push(resource.arn);
        }
      }
      await announceChange(options.events, integration);
      ctx.output('changed', changed);
    },
  });
}

/**
 * The tags to set, from the input checked against the tag rules; throws
 * naming every broken rule's field before any AWS call.
 */
function wantedTags(
  input: { owner: string; environment: string; tags?: Record<string, string> },
  keys: TagKeys,
): Record<string, string> {
  const issues: ValidationIssue[] = [];
  const owner = ownerRefFromTag(input.owner);
  if (!owner) {
    issues.push({
      field: 'owner',
      message: 'must be a group or user reference, e.g. group:default/security',
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
  return {
    ...input.tags,
    [keys.owner]: owner!,
    [keys.environment]: input.environment,
  };
}

/**
 * For the dry run, which calls no AWS API: the keys it would rename, as the
 * catalog last read the stream's and the role's tags (the audit's
 * `tag-key-case` findings come from the same read). The catalog does not
 * hold the policy's tags: the run reads them, and the dry run says so.
 */
function renamesOf(
  entity: Entity,
  wanted: Record<string, string>,
  policyKeys: string[],
  hasPolicy: boolean,
): string {
  const annotations = entity.metadata.annotations ?? {};
  const facts = parseAuditFacts(annotations[ANNOTATIONS.auditFacts]);
  const parts = (
    [
      ['stream', facts?.streamTags],
      ['role', facts?.roleTags],
    ] as const
  ).flatMap(([what, tags]) => {
    const { renames } = tagChanges(tags ?? {}, wanted, policyKeys);
    return renames.length
      ? [
          `${renames
            .map(r => `${r.key} to ${r.expected}`)
            .join(', ')} on the ${what}`,
        ]
      : [];
  });
  const readAt = annotations[ANNOTATIONS.factsReadAt];
  const renames = parts.length
    ? `, and rename ${parts.join('; ')} (keys as the catalog last read them${
        readAt ? `, at ${readAt}` : ''
      })`
    : '';
  const policy = hasPolicy
    ? ". The catalog does not hold the policy's tags: the run reads them and renames any key spelled in another case there too"
    : '';
  return `${renames}${policy}`;
}
