import type { AuditFacts } from './audit/facts';
import { RuleFinding, ruleFinding } from './audit/rules';
import {
  PolicyDocument,
  analyseTrust,
  buildTrustPolicy,
  samePolicy,
} from './policies';

/**
 * The role tag recording when a rotation of the external ID started (ISO
 * 8601): between the two steps the trust policy accepts the old and the new
 * ID, and the audit reports a rotation left half-done.
 *
 * @public
 */
export const ROTATION_TAG_KEY = 'meter-siem-rotation-started';

/** The two steps of a rotation. @public */
export type RotationStep = 'start' | 'finish';

/** @public */
export const ROTATION_STEPS: readonly RotationStep[] = ['start', 'finish'];

/**
 * What a step does to a role's trust policy, decided before any AWS write:
 * `trust` is the document to write (absent when nothing is to change).
 * It holds the new external ID, so it is given only to the AWS call.
 *
 * @public
 */
export interface RotationPlan {
  trust?: PolicyDocument;
  /** Set the rotation tag to this time, or remove it. */
  tag?: { set: string } | 'remove';
  /** For the log and the task output: never an ID. */
  summary: string;
}

/**
 * Plans a step of the rotation on a role whose trust policy must be the
 * product's (Meter's principal alone, `StringEquals` `sts:ExternalId`, one
 * ID or the two of a rotation); anything else is refused, since rewriting
 * it would drop what someone added by hand.
 *
 * - start: with one ID, accept it and `newId` (old first); during a
 *   rotation, change nothing (a re-run converges).
 * - finish: with two IDs, keep only the newer; with one, change nothing.
 *
 * Throws an Error whose message says why; the caller names the role.
 *
 * @public
 */
export function planRotation(
  step: RotationStep,
  current: PolicyDocument,
  options: {
    principalArn: string;
    newId: () => string;
    now: Date;
    tagged: boolean;
  },
): RotationPlan {
  const { principalArn } = options;
  const ids = analyseTrust(current, principalArn).externalIds;
  if (
    ids.length === 0 ||
    ids.length > 2 ||
    !samePolicy(current, buildTrustPolicy({ principalArn, externalId: ids }))
  ) {
    throw new Error(
      `its trust policy is not the one Backstage writes (only ${principalArn}, with one sts:ExternalId, or two during a rotation), so rotating would drop what was changed by hand. Restore the trust policy, or rotate by hand`,
    );
  }
  if (step === 'start') {
    if (ids.length === 2) {
      return {
        ...(!options.tagged && {
          tag: { set: options.now.toISOString() },
        }),
        summary:
          'A rotation is already in progress: the role accepts the old and the new external ID. Reveal the new one on the integration page, enter it in Meter, verify delivery, then run the finish step.',
      };
    }
    return {
      trust: buildTrustPolicy({
        principalArn,
        externalId: [ids[0], options.newId()],
      }),
      tag: { set: options.now.toISOString() },
      summary:
        'The role now accepts the old and a new external ID. Reveal the new one on the integration page (only your team can), enter it in Meter\'s Dashboard, press "Send test event", verify delivery, then run the finish step to remove the old ID.',
    };
  }
  if (ids.length === 1) {
    return {
      ...(options.tagged && { tag: 'remove' as const }),
      summary:
        'No rotation is in progress: the role accepts one external ID. Nothing to finish.',
    };
  }
  return {
    trust: buildTrustPolicy({ principalArn, externalId: ids[1] }),
    tag: 'remove',
    summary:
      'The old external ID was removed: the role accepts only the new one, which Meter now uses.',
  };
}

/**
 * The `rotation-half-done` finding: the role accepts two external IDs for
 * longer than `maxAgeMs` (or since an unknown time, without the tag).
 *
 * @public
 */
export function rotationFinding(
  facts: Pick<AuditFacts, 'roleArn' | 'trust'>,
  options: { now: number; rotationMaxAgeMs: number },
): RuleFinding | undefined {
  const trust = facts.trust;
  if (!trust || (trust.externalIdCount ?? 1) < 2) return undefined;
  const started = trust.rotationStartedAt
    ? Date.parse(trust.rotationStartedAt)
    : NaN;
  if (
    !Number.isNaN(started) &&
    options.now - started <= options.rotationMaxAgeMs
  ) {
    return undefined;
  }
  const hours = Math.round((options.now - started) / 3_600_000);
  return ruleFinding(
    'rotation-half-done',
    'role',
    Number.isNaN(started)
      ? `The role accepts ${trust.externalIdCount} external IDs, and no rotation was started by Backstage: whoever holds the old one can still assume it.`
      : `A rotation of the external ID started ${hours} hours ago (${trust.rotationStartedAt}) was not finished: the old ID still works.`,
    facts.roleArn,
  );
}
