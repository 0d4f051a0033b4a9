import { tryParseArn } from '../arn';
import { METER_WRITE_ACTIONS } from '../constants';
import { mayWriteStreams } from '../discovery';
import { KMS_PRODUCER_ACTION, matchesAction } from '../policies';
import type { AuditFacts, StatementSummary } from './facts';
import { RuleFinding, quoted, ruleFinding } from './rules';

const METER_ACTIONS = new Set(METER_WRITE_ACTIONS.map(a => a.toLowerCase()));

/** Whether a summarised statement allows an action, as IAM matches actions. */
function allows(statement: StatementSummary, action: string): boolean {
  return statement.notActions
    ? !statement.notActions.some(p => matchesAction(p, action))
    : statement.actions.some(p => matchesAction(p, action));
}

/**
 * The statements granting what a stream encrypted with a customer-managed
 * key needs: only `kms:GenerateDataKey`, on key ARNs in the stream's
 * account and region, one key in all. Anything broader is not accepted.
 */
function kmsStatements(facts: AuditFacts): Set<StatementSummary> {
  const statements = facts.permissions?.statements ?? [];
  const stream = facts.streamArn ? tryParseArn(facts.streamArn) : undefined;
  if (!stream) return new Set();
  const isKey = (arn: string) => {
    const key = tryParseArn(arn);
    return (
      key?.service === 'kms' &&
      key.partition === stream.partition &&
      key.region === stream.region &&
      key.accountId === stream.accountId &&
      /^key\/[^*?]+$/.test(key.resource)
    );
  };
  const candidates = statements.filter(
    s =>
      !s.notActions &&
      !s.notResources &&
      s.actions.length > 0 &&
      s.actions.every(
        a => a.toLowerCase() === KMS_PRODUCER_ACTION.toLowerCase(),
      ) &&
      s.resources.length > 0 &&
      s.resources.every(isKey),
  );
  const keys = new Set(candidates.flatMap(s => s.resources));
  return keys.size === 1 ? new Set(candidates) : new Set();
}

function trustRules(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [];
  const { trust } = facts;
  if (trust?.anyPrincipal) {
    found.push(
      ruleFinding(
        'trust-any-principal',
        'role',
        'The role\'s trust policy lets any principal assume it (Principal "*" or NotPrincipal): anyone in any AWS account who can meet its conditions can write wherever the role can.',
        facts.roleArn,
      ),
    );
  }
  if (trust?.trustsMeter && !trust.hasExternalIdCondition) {
    found.push(
      ruleFinding(
        'trust-without-external-id',
        'role',
        "The role's trust policy lets Meter's principal assume it without an sts:ExternalId condition: anyone who can act as that principal can write to the stream.",
        facts.roleArn,
      ),
    );
  }
  if (trust?.otherPrincipals?.length) {
    found.push(
      ruleFinding(
        'trust-extra-principals',
        'role',
        `The role's trust policy lets ${quoted(
          trust.otherPrincipals,
        )} assume it besides Meter's principal.`,
        facts.roleArn,
      ),
    );
  }
  return found;
}

function permissionRules(facts: AuditFacts): RuleFinding[] {
  if (!facts.permissions) return [];
  const found: RuleFinding[] = [];
  const { statements, unreadPolicyArns } = facts.permissions;
  const kms = kmsStatements(facts);
  const actions = new Set<string>();
  const resources = new Set<string>();
  const negations: string[] = [];
  for (const statement of statements) {
    if (kms.has(statement)) continue;
    if (statement.notActions) {
      negations.push(
        `allow every action but ${quoted(statement.notActions)} (NotAction)`,
      );
    } else {
      for (const action of statement.actions) {
        if (!METER_ACTIONS.has(action.toLowerCase())) actions.add(action);
      }
    }
    if (statement.notResources) {
      negations.push(
        `reach every resource but ${quoted(
          statement.notResources,
        )} (NotResource)`,
      );
    } else {
      for (const resource of statement.resources) {
        if (resource !== facts.streamArn) resources.add(resource);
      }
    }
  }
  const reach = quoted([...resources].sort());
  const reasons = [
    ...(actions.size > 0 ? [`allow ${quoted([...actions].sort())}`] : []),
    ...(resources.size > 0
      ? [
          facts.streamArn
            ? `reach ${reach} besides the stream`
            : `reach ${reach}`,
        ]
      : []),
    ...negations,
    ...(unreadPolicyArns.length > 0
      ? [`include the AWS-managed ${quoted(unreadPolicyArns)}`]
      : []),
  ];
  if (reasons.length > 0) {
    found.push(
      ruleFinding(
        'policy-too-broad',
        'policy',
        `The role's policies ${reasons.join('; ')}.`,
        facts.policyArn ?? facts.roleArn,
      ),
    );
  }
  // Unread (AWS-managed) policies may grant the writes: no claim then.
  const writes = statements.some(
    s =>
      METER_WRITE_ACTIONS.some(action => allows(s, action)) &&
      mayWriteStreams(s.resources),
  );
  if (
    facts.roleArn &&
    !facts.streamArn &&
    !writes &&
    unreadPolicyArns.length === 0
  ) {
    found.push(
      ruleFinding(
        'no-stream-grant',
        'role',
        "None of the role's policies lets it put records on a Kinesis stream: Meter can assume the role but cannot deliver.",
        facts.roleArn,
      ),
    );
  }
  return found;
}

function leftBehindRules(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [];
  for (const resource of ['policy', 'role'] as const) {
    const left = (facts.leftBehind ?? []).filter(r => r.resource === resource);
    if (left.length === 0) continue;
    const why =
      resource === 'policy'
        ? 'attached to no role Meter may assume'
        : "a role that does not let Meter's principal assume it";
    found.push(
      ruleFinding(
        'left-behind',
        resource,
        left
          .map(
            r =>
              `The ${resource} ${r.arn} was created by Backstage for integration "${r.integration}" but is not part of a working integration: ${why}.`,
          )
          .join(' '),
        left.length === 1 ? left[0].arn : undefined,
      ),
    );
  }
  return found;
}

/**
 * The rules on what the integration lets happen: its trust, its
 * permissions, its missing parts and what it left behind.
 */
export function securityRules(facts: AuditFacts): RuleFinding[] {
  const found: RuleFinding[] = [
    ...trustRules(facts),
    ...permissionRules(facts),
  ];
  if (
    facts.streamArn &&
    !facts.streamTags &&
    !facts.streamUnreadable &&
    facts.roleArn
  ) {
    found.push(
      ruleFinding(
        'counterpart-missing',
        'stream',
        `The role's policy grants writes to ${facts.streamArn}, which no longer exists: Meter's deliveries fail.`,
        facts.streamArn,
      ),
    );
  }
  if (!facts.roleArn && facts.streamTags) {
    const reachable = facts.streamReachableBy ?? [];
    found.push(
      ruleFinding(
        'counterpart-missing',
        'role',
        reachable.length > 0
          ? `No role trusted by Meter names this stream; only the wildcard grants of ${quoted(
              reachable,
            )} reach it, which no integration should rely on.`
          : 'No role trusted by Meter may write to this stream: Meter cannot deliver to it.',
      ),
    );
  }
  found.push(...leftBehindRules(facts));
  return found;
}
