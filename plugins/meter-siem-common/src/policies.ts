import { parseArn, tryParseArn } from './arn';
import { METER_WRITE_ACTIONS } from './constants';
import { ValidationIssue, rules } from './validation';

/**
 * The principals of a statement: `"*"` (anyone) or, per kind, one or more
 * values (`AWS` ARNs or account ids, `Service` names, `Federated` providers).
 *
 * @public
 */
export type PolicyPrincipal =
  | '*'
  | {
      AWS?: string | string[];
      Service?: string | string[];
      Federated?: string | string[];
      CanonicalUser?: string | string[];
    };

/** @public */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PolicyPrincipal;
  /** Every principal but those listed. */
  NotPrincipal?: PolicyPrincipal;
  Action?: string | string[];
  /** Every action but those listed. */
  NotAction?: string | string[];
  Resource?: string | string[];
  /** Every resource but those listed. */
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** @public */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * The only KMS action a producer needs on a customer key that encrypts a
 * stream: Kinesis asks KMS for a data key on the writer's behalf.
 *
 * @public
 */
export const KMS_PRODUCER_ACTION = 'kms:GenerateDataKey';

/**
 * The least-privilege permissions policy: Meter may put records on this one
 * stream and do nothing else. A stream encrypted with a customer-managed key
 * also needs `kms:GenerateDataKey` on exactly that key, as a second
 * statement.
 *
 * @public
 */
export function buildPermissionsPolicy(
  streamArn: string,
  options: { kmsKeyArn?: string } = {},
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...METER_WRITE_ACTIONS],
        Resource: streamArn,
      },
      ...(options.kmsKeyArn
        ? [
            {
              Effect: 'Allow' as const,
              Action: KMS_PRODUCER_ACTION,
              Resource: options.kmsKeyArn,
            },
          ]
        : []),
    ],
  };
}

/**
 * Checks the customer-managed key a permissions policy is to grant
 * `kms:GenerateDataKey` on: a key ARN (IAM grants on keys; an alias ARN in
 * a policy's resources grants nothing on the key) in the stream's account
 * and region, which is also all the audit accepts.
 *
 * @public
 */
export function validatePolicyKmsKey(
  kmsKeyArn: unknown,
  streamArn: string,
): ValidationIssue[] {
  const format = rules.kmsKeyArn(kmsKeyArn, 'kmsKeyArn');
  if (format.length > 0) return format;
  const key = parseArn(kmsKeyArn as string);
  if (!key.resource.startsWith('key/')) {
    return [
      {
        field: 'kmsKeyArn',
        message:
          'must be the ARN of the key itself (arn:…:key/…), not of an alias: IAM grants kms:GenerateDataKey on keys, and an alias ARN in a policy grants nothing',
      },
    ];
  }
  const stream = parseArn(streamArn);
  if (
    key.partition !== stream.partition ||
    key.accountId !== stream.accountId ||
    key.region !== stream.region
  ) {
    return [
      {
        field: 'kmsKeyArn',
        message: `must be a key in the stream's account ${stream.accountId} and region ${stream.region} (this key is in account ${key.accountId}, region ${key.region})`,
      },
    ];
  }
  return [];
}

/**
 * The trust policy: only Meter's service role may assume the role, and only
 * when it presents the external ID.
 *
 * @public
 */
export function buildTrustPolicy(options: {
  principalArn: string;
  /**
   * The external ID; two while a rotation is in progress (the old one
   * first), so that Meter keeps access until its Dashboard has the new one.
   */
  externalId: string | string[];
}): PolicyDocument {
  const ids = [options.externalId].flat();
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: options.principalArn },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'sts:ExternalId': ids.length === 1 ? ids[0] : ids,
          },
        },
      },
    ],
  };
}

/**
 * IAM returns policy documents URL-encoded; this reads either form.
 *
 * @public
 */
export function parsePolicyDocument(document: string): PolicyDocument {
  const text = document.trimStart().startsWith('{')
    ? document
    : decodeURIComponent(document);
  return JSON.parse(text) as PolicyDocument;
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The statements of a document. IAM accepts a single statement object in
 * place of a list, and a document read from elsewhere may have none.
 *
 * @public
 */
export function statementsOf(
  document: PolicyDocument | undefined,
): PolicyStatement[] {
  return asList<PolicyStatement>(document?.Statement);
}

/** The `AWS` principals of a statement; `"*"` when it names anyone. @public */
export function principalsOf(statement: PolicyStatement): string[] {
  const principal = statement.Principal;
  if (principal === undefined) return [];
  return principal === '*' ? ['*'] : asList(principal.AWS);
}

/** @public */
export function actionsOf(statement: PolicyStatement): string[] {
  return asList(statement.Action);
}

/** @public */
export function resourcesOf(statement: PolicyStatement): string[] {
  return asList(statement.Resource);
}

/** An IAM glob: `*` is any run of characters (colons too), `?` any one. */
function globSource(pattern: string): string {
  return pattern
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
}

/**
 * Whether an action pattern of a policy covers an action, as IAM matches
 * them: case-insensitively, with `*` and `?` wildcards (`sts:Assume*`
 * covers `sts:AssumeRole`; `sts:AssumeRoleWithSAML` does not).
 *
 * @public
 */
export function matchesAction(pattern: string, action: string): boolean {
  return new RegExp(`^${globSource(pattern)}$`, 'i').test(action);
}

/**
 * Whether a resource pattern of a policy covers an ARN, as IAM matches
 * them: case-sensitively, with `*` and `?` wildcards.
 *
 * @public
 */
export function matchesResource(pattern: string, arn: string): boolean {
  return new RegExp(`^${globSource(pattern)}$`).test(arn);
}

/**
 * Whether two glob patterns (`*`, `?`) have a string in common: whether a
 * resource pattern of a policy can reach anything of the shape of another.
 * Case-sensitive, as ARNs are. With `segmentStars`, the wildcards of the
 * second pattern stay within one ARN segment (match no colon).
 *
 * @public
 */
export function patternsOverlap(
  a: string,
  b: string,
  options: { segmentStars?: boolean } = {},
): boolean {
  // Can b's wildcard stand for this character of a (a literal, or `?`)?
  const bTakes = (c: string) => !options.segmentStars || c !== ':';
  const seen = new Map<number, boolean>();
  const overlap = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result = false;
    if (i === a.length && j === b.length) {
      result = true;
    } else if (i < a.length && a[i] === '*') {
      // The star stands for nothing more, or for one more character of b
      // (facing b's star: b's star stands for nothing more).
      result = overlap(i + 1, j) || (j < b.length && overlap(i, j + 1));
    } else if (j < b.length && b[j] === '*') {
      result =
        overlap(i, j + 1) ||
        (i < a.length && bTakes(a[i]) && overlap(i + 1, j));
    } else if (i < a.length && j < b.length) {
      result =
        (a[i] === '?' || a[i] === b[j] || (b[j] === '?' && bTakes(a[i]))) &&
        overlap(i + 1, j + 1);
    }
    seen.set(key, result);
    return result;
  };
  return overlap(0, 0);
}

/**
 * Whether an Allow or Deny statement applies to an action: one of its
 * `Action` patterns covers it, or none of its `NotAction` patterns does.
 *
 * @public
 */
export function statementCoversAction(
  statement: PolicyStatement,
  action: string,
): boolean {
  if (statement.NotAction !== undefined) {
    return !asList(statement.NotAction).some(p => matchesAction(p, action));
  }
  return actionsOf(statement).some(p => matchesAction(p, action));
}

/** The action Meter calls on the customer's role. */
const ASSUME_ROLE = 'sts:AssumeRole';

/** Every action that assumes a role, by whatever kind of principal. */
const ASSUME_ACTIONS = [
  ASSUME_ROLE,
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
];

/** Meter's principal as a trust policy may name it: its ARN, account or root. */
function isMeter(principal: string, principalArn: string): boolean {
  const meter = tryParseArn(principalArn);
  return (
    principal === principalArn ||
    (meter !== undefined &&
      (principal === meter.accountId ||
        principal === `arn:${meter.partition}:iam::${meter.accountId}:root`))
  );
}

/** Every principal value of any kind; `"*"` for anyone. */
function allPrincipals(principal: PolicyPrincipal | undefined): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['*'];
  return Object.values(principal).flatMap(value => asList(value));
}

/**
 * Whether an Allow statement lets any principal in: `"Principal": "*"`,
 * `{"AWS": "*"}`, or a `NotPrincipal` (everyone but those listed).
 */
function letsAnyoneIn(statement: PolicyStatement): boolean {
  return (
    statement.NotPrincipal !== undefined ||
    allPrincipals(statement.Principal).includes('*')
  );
}

/** Whether an Allow statement lets Meter's principal assume the role. */
function letsMeterIn(statement: PolicyStatement, principalArn: string) {
  if (statement.Effect !== 'Allow') return false;
  if (!statementCoversAction(statement, ASSUME_ROLE)) return false;
  if (statement.NotPrincipal !== undefined) {
    return !allPrincipals(statement.NotPrincipal).some(
      p => p === '*' || isMeter(p, principalArn),
    );
  }
  return principalsOf(statement).some(
    p => p === '*' || isMeter(p, principalArn),
  );
}

/** The statements of a trust policy that let Meter's principal assume the role. */
function meterStatements(
  trust: PolicyDocument,
  principalArn: string,
): PolicyStatement[] {
  return statementsOf(trust).filter(s => letsMeterIn(s, principalArn));
}

/**
 * Condition operators under which a request without `sts:ExternalId` is
 * refused. `…IfExists`, `Null`, the negated operators and `ForAllValues:`
 * all let a request without the key through.
 */
const REQUIRING_OPERATORS = [
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'foranyvalue:stringequals',
  'foranyvalue:stringequalsignorecase',
  'foranyvalue:stringlike',
];

/** Whether a statement admits only requests carrying a particular external ID. */
function requiresExternalId(statement: PolicyStatement): boolean {
  return Object.entries(statement.Condition ?? {}).some(
    ([operator, keys]) =>
      REQUIRING_OPERATORS.includes(operator.toLowerCase()) &&
      // Condition keys are case-insensitive.
      Object.entries(keys ?? {}).some(([key, value]) => {
        const values = asList(value);
        return (
          key.toLowerCase() === 'sts:externalid' &&
          values.length > 0 &&
          // `StringLike "*"` accepts any external ID.
          !(
            operator.toLowerCase().endsWith('stringlike') &&
            values.some(v => /^[*?]*$/.test(v))
          )
        );
      }),
  );
}

/** The values of `StringEquals` `sts:ExternalId`, the key in any case. */
function externalIdsOf(statement: PolicyStatement): string[] {
  const entry = Object.entries(statement.Condition?.StringEquals ?? {}).find(
    ([key]) => key.toLowerCase() === 'sts:externalid',
  );
  return asList(entry?.[1]);
}

/**
 * What a trust policy lets happen, for discovery and the audit. It holds
 * the external ID only in `externalId`, for the one caller that reveals it.
 *
 * @public
 */
export interface TrustAnalysis {
  /**
   * An Allow statement lets Meter's principal (or anyone) assume the role,
   * by any action pattern covering `sts:AssumeRole`.
   */
  trustsMeter: boolean;
  /**
   * The external ID to give Meter: of the first such statement with
   * `StringEquals` `sts:ExternalId`, its last value (the new one while a
   * rotation is in progress).
   */
  externalId?: string;
  /** All the values of that statement, oldest first. */
  externalIds: string[];
  /** Every statement letting Meter in requires an `sts:ExternalId`. */
  requiresExternalId: boolean;
  /** A statement lets any principal assume the role. */
  anyPrincipal: boolean;
  /**
   * Principals other than Meter's that may assume the role (any assume
   * action, any kind of principal), sorted.
   */
  otherPrincipals: string[];
}

/**
 * Reads a trust policy as IAM evaluates its Allow statements: actions as
 * case-insensitive globs, `NotAction` and `NotPrincipal` as "all but",
 * `"*"` as anyone.
 *
 * @public
 */
export function analyseTrust(
  trust: PolicyDocument,
  principalArn: string,
): TrustAnalysis {
  const statements = meterStatements(trust, principalArn);
  const externalIds =
    statements.map(externalIdsOf).find(ids => ids.length > 0) ?? [];
  const externalId = externalIds[externalIds.length - 1];
  const assuming = statementsOf(trust).filter(
    s =>
      s.Effect === 'Allow' &&
      ASSUME_ACTIONS.some(action => statementCoversAction(s, action)),
  );
  const others = new Set(
    assuming
      .flatMap(s => allPrincipals(s.Principal))
      .filter(p => p !== '*' && !isMeter(p, principalArn)),
  );
  return {
    trustsMeter: statements.length > 0,
    ...(externalId !== undefined && { externalId }),
    externalIds,
    requiresExternalId:
      statements.length > 0 && statements.every(requiresExternalId),
    anyPrincipal: assuming.some(letsAnyoneIn),
    otherPrincipals: [...others].sort(),
  };
}

/**
 * What a trust policy says about Meter: whether it trusts the principal and
 * the external ID it requires, if any.
 *
 * @public
 */
export function readTrust(
  trust: PolicyDocument,
  principalArn: string,
): { trustsMeter: boolean; externalId?: string; externalIds: string[] } {
  const { trustsMeter, externalId, externalIds } = analyseTrust(
    trust,
    principalArn,
  );
  return {
    trustsMeter,
    ...(externalId !== undefined && { externalId }),
    externalIds,
  };
}

/**
 * Whether every statement letting Meter assume the role requires an external
 * ID: one statement without the condition lets anyone acting as Meter's
 * principal in, whatever the others require.
 *
 * @public
 */
export function trustRequiresExternalId(
  trust: PolicyDocument,
  principalArn: string,
): boolean {
  return analyseTrust(trust, principalArn).requiresExternalId;
}

/**
 * Structural equality of two policy documents, independent of key order
 * and of whether single values are written as one-element lists.
 *
 * @public
 */
export function samePolicy(a: PolicyDocument, b: PolicyDocument): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 1) return canonical(value[0]);
    return `[${value.map(canonical).sort().join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
