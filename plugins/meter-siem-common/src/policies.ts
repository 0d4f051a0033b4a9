import { METER_WRITE_ACTIONS } from './constants';

/** @public */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** @public */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * The least-privilege permissions policy: Meter may put records on this one
 * stream and do nothing else.
 *
 * @public
 */
export function buildPermissionsPolicy(streamArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...METER_WRITE_ACTIONS],
        Resource: streamArn,
      },
    ],
  };
}

/**
 * The trust policy: only Meter's service role may assume the role, and only
 * when it presents the external ID.
 *
 * @public
 */
export function buildTrustPolicy(options: {
  principalArn: string;
  externalId: string;
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: options.principalArn },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': options.externalId },
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

/** @public */
export function principalsOf(statement: PolicyStatement): string[] {
  return asList(statement.Principal?.AWS);
}

/** @public */
export function actionsOf(statement: PolicyStatement): string[] {
  return asList(statement.Action);
}

/** @public */
export function resourcesOf(statement: PolicyStatement): string[] {
  return asList(statement.Resource);
}

/** The statements of a trust policy that let Meter's principal assume the role. */
function meterStatements(
  trust: PolicyDocument,
  principalArn: string,
): PolicyStatement[] {
  const [, partition, , , principalAccount] = principalArn.split(':');
  return asList(trust.Statement).filter(
    s =>
      s.Effect === 'Allow' &&
      actionsOf(s).includes('sts:AssumeRole') &&
      principalsOf(s).some(
        p =>
          p === principalArn ||
          p === principalAccount ||
          p === `arn:${partition}:iam::${principalAccount}:root`,
      ),
  );
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
): { trustsMeter: boolean; externalId?: string } {
  const statements = meterStatements(trust, principalArn);
  if (statements.length === 0) return { trustsMeter: false };
  for (const statement of statements) {
    const ids = asList(statement.Condition?.StringEquals?.['sts:ExternalId']);
    if (ids.length === 1) return { trustsMeter: true, externalId: ids[0] };
  }
  return { trustsMeter: true };
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
  const statements = meterStatements(trust, principalArn);
  return (
    statements.length > 0 &&
    statements.every(statement =>
      // Condition keys are case-insensitive.
      Object.values(statement.Condition ?? {}).some(operator =>
        Object.entries(operator ?? {}).some(
          ([key, value]) =>
            key.toLowerCase() === 'sts:externalid' && asList(value).length > 0,
        ),
      ),
    )
  );
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
