import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  Role,
} from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import {
  buildTrustPolicy,
  generateExternalId,
  parsePolicyDocument,
  readTrust,
  samePolicy,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { EnsureContext, findOrCreate } from './ensure';
import { addMissingTags, roleTags } from './tags';

/**
 * The role Meter assumes: trusted only by `principalArn` under an
 * sts:ExternalId condition, with `policyArn` attached. A new role gets a
 * newly generated external ID, which lives only in its trust policy (the
 * create's checkpoint stores nothing); a reused one keeps its own. The ID
 * is redacted from every AWS error message, and never returned.
 */
export async function ensureRole(
  aws: AccountClients,
  name: string,
  options: { principalArn: string; policyArn: string },
  ctx: EnsureContext,
): Promise<Role> {
  const { principalArn, policyArn } = options;
  const secrets: string[] = [];
  const call = (permission: string) => ({
    permission,
    resource: `role ${name}`,
    accountId: aws.accountId,
    secrets,
  });
  const generated = generateExternalId();
  secrets.push(generated);

  const { found: role, tags } = await findOrCreate(ctx, {
    label: { kind: 'IAM role', name, accountId: aws.accountId },
    find: async () =>
      (
        await sendIfExists(
          () => aws.iam.send(new GetRoleCommand({ RoleName: name })),
          call('iam:GetRole'),
        )
      )?.Role,
    tagsOf: async found => tagsToRecord(found.Tags),
    create: () =>
      aws.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify(
            buildTrustPolicy({ principalArn, externalId: generated }),
          ),
          Description: 'Allows Meter to publish security events to Kinesis',
          MaxSessionDuration: 3600,
          Tags: ctx.tags,
        }),
      ),
    // CreateRole answers with the role, its trust policy and tags.
    fromCreate: answer => answer.Role,
    call: call('iam:CreateRole'),
  });
  // Whichever run made it, the role holds the external ID of that run.
  secrets.push(
    ...assertTrustsOnlyMeter(role, principalArn, ctx.integrationName),
  );

  // GetRole brought the tags: no second read.
  await addMissingTags(
    roleTags(aws, role.Arn!),
    ctx.tags,
    tags ?? tagsToRecord(role.Tags),
  );
  const attached = await send(
    () => aws.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })),
    call('iam:ListAttachedRolePolicies'),
  );
  if (!attached.AttachedPolicies?.some(p => p.PolicyArn === policyArn)) {
    await send(
      () =>
        aws.iam.send(
          new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policyArn }),
        ),
      call('iam:AttachRolePolicy'),
    );
  }
  ctx.logger.info(`Policy ${policyArn} is attached to role ${name}`);
  return role;
}

/**
 * A role is used only while it still trusts exactly Meter with an external
 * ID (two during a rotation); the IDs it holds are returned (to be
 * redacted, never shown).
 */
function assertTrustsOnlyMeter(
  role: Role,
  principalArn: string,
  integrationName: string,
): string[] {
  const trust = parsePolicyDocument(role.AssumeRolePolicyDocument ?? '{}');
  const { externalIds } = readTrust(trust, principalArn);
  if (
    externalIds.length === 0 ||
    externalIds.length > 2 ||
    !samePolicy(
      trust,
      buildTrustPolicy({ principalArn, externalId: externalIds }),
    )
  ) {
    throw new ConflictError(
      `IAM role ${role.RoleName} belongs to integration ${integrationName} but its trust policy no longer allows only ${principalArn} with an sts:ExternalId condition. It was left untouched: restore the trust policy in AWS, or delete the role and run again.`,
    );
  }
  return externalIds;
}
