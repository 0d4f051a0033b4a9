/**
 * The names of an integration's AWS resources, derived from its name so
 * that a re-run finds what an earlier run made.
 *
 * @public
 */
export interface ResourceNames {
  stream: string;
  policy: string;
  role: string;
}

/** @public */
export const DEFAULT_NAME_PREFIX = 'meter-siem-';

/**
 * `meter-siem-<name>` for the stream and the role (the console guide's
 * `meter-siem-events` pattern), with `-kinesis-write` for the policy.
 *
 * @public
 */
export function resourceNames(
  integrationName: string,
  prefix: string = DEFAULT_NAME_PREFIX,
): ResourceNames {
  const base = `${prefix}${integrationName}`;
  return { stream: base, role: base, policy: `${base}-kinesis-write` };
}
