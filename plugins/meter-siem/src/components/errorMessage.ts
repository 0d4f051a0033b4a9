import { ResponseError } from '@backstage/errors';

// A body that is no Backstage error (a proxy's HTML page) becomes the
// cause's message whole; its start is enough to say what answered.
const MAX_CAUSE_LENGTH = 200;

/**
 * What an error alert says: the message, and for a `ResponseError` the
 * backend's reason after it, when the backend gave one.
 */
export function errorMessage(error: Error): string {
  const cause = ResponseError.is(error) ? error.cause?.message : undefined;
  if (!cause || cause === error.message) return error.message;
  const reason =
    cause.length > MAX_CAUSE_LENGTH
      ? `${cause.slice(0, MAX_CAUSE_LENGTH)}…`
      : cause;
  return `${error.message}: ${reason}`;
}
