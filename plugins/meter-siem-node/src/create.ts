import { ConflictError } from '@backstage/errors';
import {
  AwsCallContext,
  alreadyExistsCause,
  explainAwsError,
  isAlreadyExists,
} from './errors';

/**
 * Runs a Create* call that AWS does not make idempotent (CreateStream,
 * CreatePolicy, CreateRole) and tells apart the two ways "already exists"
 * comes back:
 *
 * - `'existed'`: the SDK had retried the call after a timeout, a reset or a
 *   5xx, so an earlier attempt may have made the resource and its answer was
 *   lost. The caller reads the resource and adopts it only when it is its
 *   integration's, as it does with one a failed earlier run left.
 * - a `ConflictError`: the first attempt was refused, so the resource was
 *   made by someone else after the caller looked and before it created,
 *   almost always a second run for the same name at the same time. That
 *   run wins; this one stops before it changes anything.
 */
export async function createOnce(
  create: () => Promise<unknown>,
  context: AwsCallContext & { what: string },
): Promise<'created' | 'existed'> {
  try {
    await create();
    return 'created';
  } catch (error) {
    if (!isAlreadyExists(error)) throw explainAwsError(error, context);
    if (alreadyExistsCause(error) === 'retried') return 'existed';
    throw new ConflictError(
      `${context.what} was created by someone else a moment ago, after this run checked that the name was free and before it created it: most likely another run of the template for the same integration at the same time. This run stopped without changing anything. When the other run has finished the integration is there; if it failed, run this template again and it completes the integration.`,
    );
  }
}
