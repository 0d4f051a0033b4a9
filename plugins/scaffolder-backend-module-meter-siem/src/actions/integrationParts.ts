import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { NotAllowedError } from '@backstage/errors';
import {
  MeterSiemSettings,
  PolicyDocument,
  parseArn,
  parsePolicyDocument,
  readTrust,
  resourceName,
  writableStreamArns,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  CatalogIntegration,
  readPolicyDocument,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';

/**
 * Checks in AWS, before anything is changed, that every ARN of a catalog
 * integration still belongs to it: the role (if any) trusts Meter's
 * principal, the policy (if any) is attached to that role, and the role's
 * policies grant writes on the stream. A role without one is a stream left
 * behind, which must carry the product's name prefix.
 */
export async function assertPartsOf(
  aws: AccountClients,
  integration: CatalogIntegration,
  settings: MeterSiemSettings,
): Promise<void> {
  const { streamArn, roleArn, policyArn, entityRef } = integration;
  const refuse = (why: string) =>
    new NotAllowedError(
      `${entityRef} was not changed: ${why}. The catalog may be behind AWS; wait for the next sync of the account and run again.`,
    );
  for (const arn of [streamArn, roleArn, policyArn]) {
    if (arn && parseArn(arn).accountId !== aws.accountId) {
      throw refuse(
        `${arn} is not in the integration's account ${aws.accountId}`,
      );
    }
  }
  if (!roleArn) {
    if (
      !streamArn ||
      !resourceName(streamArn).startsWith(settings.namePrefix)
    ) {
      throw refuse(
        `stream ${streamArn} has no role and is not named ${settings.namePrefix}…`,
      );
    }
    return;
  }

  const RoleName = resourceName(roleArn);
  const call = (permission: string) => ({
    permission,
    resource: `role ${RoleName}`,
    accountId: aws.accountId,
  });
  const role = (
    await sendIfExists(
      () => aws.iam.send(new GetRoleCommand({ RoleName })),
      call('iam:GetRole'),
    )
  )?.Role;
  if (!role || role.Arn !== roleArn) {
    throw refuse(`role ${roleArn} no longer exists`);
  }
  const trust = parsePolicyDocument(role.AssumeRolePolicyDocument ?? '{}');
  if (!readTrust(trust, settings.meterPrincipalArn).trustsMeter) {
    throw refuse(
      `role ${roleArn} does not trust Meter's principal ${settings.meterPrincipalArn}`,
    );
  }

  const documents: PolicyDocument[] = [];
  const { AttachedPolicies = [] } = await send(
    () => aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName })),
    call('iam:ListAttachedRolePolicies'),
  );
  if (policyArn && !AttachedPolicies.some(p => p.PolicyArn === policyArn)) {
    throw refuse(`policy ${policyArn} is not attached to role ${roleArn}`);
  }
  if (policyArn) {
    documents.push(await readPolicyDocument(aws, policyArn));
  } else {
    const { PolicyNames = [] } = await send(
      () => aws.iam.send(new ListRolePoliciesCommand({ RoleName })),
      call('iam:ListRolePolicies'),
    );
    for (const PolicyName of PolicyNames) {
      const { PolicyDocument: document } = await send(
        () => aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName })),
        call('iam:GetRolePolicy'),
      );
      documents.push(parsePolicyDocument(document ?? '{}'));
    }
  }
  // A role that names no specific stream has nothing more to check.
  if (
    streamArn &&
    !documents.some(doc => writableStreamArns(doc).includes(streamArn))
  ) {
    throw refuse(
      `the policies of role ${roleArn} do not grant writes on stream ${streamArn}`,
    );
  }
}
