import { InputError } from '@backstage/errors';
import { EventsService } from '@backstage/plugin-events-node';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { EnsureContext } from '../resources/ensure';
import type { z as zod } from 'zod/v3';
import {
  IntegrationTarget,
  LIMITS,
  MANAGED_BY_VALUE,
  MeterSiemSettings,
  StreamSettings,
  Tag,
  ownerRefFromTag,
  ValidationIssue,
  buildIntegrationTags,
  resourceNames,
  tagValue,
  validateStreamSettings,
  validateTarget,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  IntegrationAccess,
} from '@internal/backstage-plugin-meter-siem-node';

/** What every action of the module is built with. */
export interface ActionOptions {
  clients: AwsClientFactory;
  settings: MeterSiemSettings;
  /** Who may act on an integration, from the catalog's memberships. */
  access: IntegrationAccess;
  /** To tell the catalog provider about a change at once (optional). */
  events?: EventsService;
}

type Z = typeof zod;

/** Zod fields shared by every action: where the integration lives, how it is tagged. */
export const targetSchema = {
  name: (z: Z) =>
    z.string({
      description: `Integration name: lowercase letters, digits and hyphens, at most ${LIMITS.integrationName.max} characters, starting and ending with a letter or digit. The AWS resources are named meter-siem-<name>.`,
    }),
  region: (z: Z) =>
    z.string({
      description: 'AWS region of the Kinesis stream, e.g. us-east-1',
    }),
  accountId: (z: Z) =>
    z
      .string({
        description:
          'AWS account id (12 digits). Omit to use the main account of the aws config.',
      })
      .optional(),
  owner: (z: Z) =>
    z.string({
      description:
        'Catalog owner of the integration, e.g. group:default/security; written to the owner tag',
    }),
  environment: (z: Z) =>
    z.string({ description: 'Environment tag value, e.g. production' }),
  system: (z: Z) =>
    z
      .string({ description: 'Catalog system the integration belongs to' })
      .optional(),
  tags: (z: Z) =>
    z
      .record(z.string(), z.string(), {
        description: `Extra AWS tags for every resource: at most ${LIMITS.tagCount.max} tags in all on a resource, the 4 or 5 the product writes included`,
      })
      .optional(),
};

/** The stream's settings, as the create and configure steps take them. */
export const streamSettingsSchema = {
  capacityMode: (z: Z) =>
    z.enum(['PROVISIONED', 'ON_DEMAND'], {
      description:
        'PROVISIONED with a fixed shard count (one shard suits most networks), or ON_DEMAND for unpredictable volume',
    }),
  shardCount: (z: Z) =>
    z
      .number({
        description: `Shards for PROVISIONED mode (${LIMITS.shardCount.min} to ${LIMITS.shardCount.max}); ignored for ON_DEMAND`,
      })
      .int()
      .optional(),
  retentionHours: (z: Z) =>
    z
      .number({
        description: `How long records are kept, ${LIMITS.retentionHours.min} to ${LIMITS.retentionHours.max} hours; longer retention costs more`,
      })
      .int(),
  encryption: (z: Z) =>
    z.enum(['NONE', 'KMS_AWS_MANAGED', 'KMS_CUSTOMER_KEY'], {
      description:
        'Server-side encryption: none, the AWS-managed key alias/aws/kinesis, or a customer key',
    }),
  kmsKeyArn: (z: Z) =>
    z
      .string({
        description:
          'ARN of the customer KMS key (only with KMS_CUSTOMER_KEY), in the stream region',
      })
      .optional(),
};

/** The stream settings of a step's input, checked against the domain rules. */
export function readStreamSettings(input: {
  region: string;
  capacityMode: StreamSettings['capacityMode'];
  shardCount?: number;
  retentionHours: number;
  encryption: StreamSettings['encryption'];
  kmsKeyArn?: string;
}): StreamSettings {
  const wanted: StreamSettings = {
    capacityMode: input.capacityMode,
    shardCount: input.shardCount ?? 1,
    retentionHours: input.retentionHours,
    encryption: input.encryption,
    kmsKeyArn: input.kmsKeyArn || undefined,
  };
  assertInput(validateStreamSettings(wanted, input.region));
  return wanted;
}

/**
 * Checks the input against the domain rules and throws one error naming
 * every broken rule's field, before any AWS call.
 */
export function assertInput(issues: ValidationIssue[]): void {
  if (issues.length > 0) {
    throw new InputError(
      `Invalid input: ${issues
        .map(issue => `${issue.field} ${issue.message}`)
        .join('; ')}`,
    );
  }
}

/** The names and tags every action derives from the target the same way. */
export function describeTarget(
  target: IntegrationTarget,
  settings: MeterSiemSettings,
) {
  assertInput(validateTarget(target, settings.tagKeys));
  return {
    names: resourceNames(target.name, settings.namePrefix),
    tags: buildIntegrationTags({
      integrationName: target.name,
      owner: target.owner,
      environment: target.environment,
      system: target.system || undefined,
      extraTags: target.tags,
      tagKeys: settings.tagKeys,
    }),
  };
}

/**
 * The ownership checks every provisioning action makes, whatever permission
 * policy is installed: the user running the task must belong to the group
 * that will own the integration, and to the group that owns what already
 * exists under its names (its owner tag; an untagged resource is the admin
 * group's alone).
 */
export function ownershipChecks(
  access: IntegrationAccess,
  settings: MeterSiemSettings,
  ctx: { user?: { ref?: string } },
  target: IntegrationTarget,
) {
  const userRef = ctx.user?.ref;
  return {
    /** Before anything else, dry run included. */
    newOwner: () =>
      access.assertMayAct(
        userRef,
        ownerRefFromTag(target.owner),
        `create Meter SIEM integration ${target.name} for ${target.owner}`,
      ),
    /**
     * Before reusing or changing a resource that already exists. One that is
     * not this integration's is left to the action's conflict check, which
     * refuses it with a better message.
     */
    existing: async (tags: Record<string, string>, what: string) => {
      const keys = settings.tagKeys;
      if (
        tags[keys.integration] !== target.name ||
        tags[keys.managedBy] !== MANAGED_BY_VALUE
      ) {
        return;
      }
      // The owner as the catalog reads it: `Owner` counts as `owner`.
      const owner = tagValue(tags, keys.owner);
      await access.assertMayAct(
        userRef,
        ownerRefFromTag(owner),
        `change ${what}, which already exists and belongs to ${
          owner || 'no owner (no owner tag)'
        }`,
      );
    },
  };
}

/**
 * What the ensure functions of `../resources` need from a step: the
 * integration, its tags, the ownership check for what exists, and the
 * scaffolder's checkpoint, logger and abort signal.
 */
export function ensureContext(
  ctx: Pick<ActionContext<any, any>, 'logger' | 'signal' | 'checkpoint'>,
  target: { name: string },
  tags: Tag[],
  settings: MeterSiemSettings,
  ownership: ReturnType<typeof ownershipChecks>,
): EnsureContext {
  return {
    integrationName: target.name,
    tags,
    tagKeys: settings.tagKeys,
    mayChange: ownership.existing,
    checkpoint: step => ctx.checkpoint(step),
    logger: ctx.logger,
    signal: ctx.signal,
  };
}
