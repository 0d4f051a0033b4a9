import { LoggerService } from '@backstage/backend-plugin-api';
import { JsonValue } from '@backstage/types';
import {
  MeterSiemSettings,
  Tag,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsCallContext,
  createOnce,
} from '@internal/backstage-plugin-meter-siem-node';
import { ResourceLabel, assertOurs, describeResource } from './ours';

/** What every "ensure" of a resource needs from the step running it. */
export interface EnsureContext {
  integrationName: string;
  /** The tags the integration's resources carry. */
  tags: Tag[];
  tagKeys: MeterSiemSettings['tagKeys'];
  /**
   * Throws unless the user may change an existing resource with these tags
   * (`ownershipChecks().existing`).
   */
  mayChange(tags: Record<string, string>, what: string): Promise<void>;
  /** The scaffolder's `ctx.checkpoint`: a recovered task does not redo it. */
  checkpoint<T extends JsonValue | void>(options: {
    key: string;
    fn: () => Promise<T> | T;
  }): Promise<T>;
  logger: LoggerService;
  signal?: AbortSignal;
}

/**
 * Find, or create: the one way a step gets its resource.
 *
 * A resource that exists is reused only when the user may change it and it
 * is this integration's (its tags say so); otherwise nothing is touched. A
 * missing one is created once (in a checkpoint); when AWS says it exists
 * after the SDK retried the create, an earlier attempt made it and lost its
 * answer, and it is checked like any existing one.
 *
 * A create whose answer describes the resource (`fromCreate`) needs no
 * second look; otherwise, or when a recovered task skips the create, `find`
 * looks again.
 */
export async function findOrCreate<T, C = unknown>(
  ctx: EnsureContext,
  resource: {
    label: ResourceLabel;
    find(): Promise<T | undefined>;
    tagsOf(found: T): Promise<Record<string, string>>;
    create(): Promise<C>;
    fromCreate?(answer: C): T | undefined;
    call: AwsCallContext;
  },
): Promise<{ found: T; tags?: Record<string, string>; adopted: boolean }> {
  const what = describeResource(resource.label);
  const check = async (found: T) => {
    const tags = await resource.tagsOf(found);
    await ctx.mayChange(tags, what);
    assertOurs(tags, resource.label, ctx.integrationName, ctx.tagKeys);
    return tags;
  };

  const existing = await resource.find();
  if (existing) {
    return { found: existing, tags: await check(existing), adopted: true };
  }
  const { accountId, region } = resource.label;
  let made: T | undefined;
  const outcome = await ctx.checkpoint({
    key: `meter-siem.create.${accountId}.${region ?? 'global'}.${what}`,
    fn: () =>
      createOnce(
        async () => {
          // Not inside `fromCreate?.(…)`: with no fromCreate, its argument
          // would never be evaluated.
          const answer = await resource.create();
          made = resource.fromCreate?.(answer);
        },
        {
          ...resource.call,
          what: `${what} (account ${accountId}${
            region ? `, region ${region}` : ''
          })`,
        },
      ),
  });
  const found = (outcome === 'created' && made) || (await resource.find());
  if (!found) {
    throw new Error(
      `${what} was created but AWS does not show it yet; run the template again in a minute`,
    );
  }
  if (outcome === 'existed') {
    return { found, tags: await check(found), adopted: true };
  }
  ctx.logger.info(`Created ${what}`);
  return { found, adopted: false };
}
