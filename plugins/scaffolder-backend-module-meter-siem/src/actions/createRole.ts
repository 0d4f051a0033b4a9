import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  Role,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import {
  MANAGED_BY_VALUE,
  buildTrustPolicy,
  generateExternalId,
  iamArn,
  parseArn,
  parsePolicyDocument,
  readTrust,
  samePolicy,
  tagsToRecord,
  validateResourceArn,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createOnce,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { examples } from './createRole.examples';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ownershipChecks,
  targetSchema,
} from './options';

/**
 * Creates the role Meter assumes, trusted only by Meter's service role with
 * the external ID, with the integration policy attached.
 *
 * @public
 */
export function createRoleAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:role:create',
    description: `Creates the IAM role of a Meter SIEM integration: trusted only by Meter's service role (${settings.meterPrincipalArn}) under an sts:ExternalId condition, with the integration policy attached and tagged. Generates the external ID (64 hex characters from a cryptographic source) and keeps it only in the role's trust policy: it is never output, logged or stored in Backstage; the owning team reveals it from the integration's catalog page. Re-running reuses the role it made, and its external ID.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...targetSchema,
        policyArn: z =>
          z.string({
            description:
              'ARN of the integration policy (the output of meter-siem:policy:create)',
          }),
      },
      output: {
        roleArn: z => z.string({ description: 'ARN of the role' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      assertInput(
        validateResourceArn(input.policyArn, 'policyArn', 'policy', input),
      );
      const accountId = parseArn(input.policyArn).accountId;
      const roleArn = iamArn(input.region, accountId, 'role', names.role);
      const principalArn = settings.meterPrincipalArn;
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create IAM role ${names.role} trusted by ${principalArn} with an sts:ExternalId condition (a newly generated external ID), and attach ${input.policyArn}`,
        );
        ctx.output('roleArn', roleArn);
        return;
      }

      const { iam } = await clients.forAccount({
        accountId,
        region: input.region,
        signal: ctx.signal,
      });
      const secrets: string[] = [];
      const call = (permission: string) => ({
        permission,
        resource: `role ${names.role}`,
        accountId,
        secrets,
      });

      let role = (
        await sendIfExists(
          () => iam.send(new GetRoleCommand({ RoleName: names.role })),
          call('iam:GetRole'),
        )
      )?.Role;

      if (role) {
        await ownership.existing(
          tagsToRecord(role.Tags),
          `IAM role ${names.role}`,
        );
        secrets.push(
          assertOurRole(role, {
            integrationName: input.name,
            tagKeys: settings.tagKeys,
            principalArn,
            accountId,
          }),
        );
        ctx.logger.info(
          `IAM role ${names.role} already exists, trusts Meter with an external ID and belongs to integration ${input.name}; reusing it`,
        );
      } else {
        const generated = generateExternalId();
        secrets.push(generated);
        const created = await ctx.checkpoint({
          key: `meter-siem.role.create.${roleArn}`,
          // The checkpoint keeps only what the step returns ('created' or
          // 'existed'), so the external ID is not persisted with the task.
          fn: () =>
            createOnce(
              () =>
                iam.send(
                  new CreateRoleCommand({
                    RoleName: names.role,
                    AssumeRolePolicyDocument: JSON.stringify(
                      buildTrustPolicy({ principalArn, externalId: generated }),
                    ),
                    Description:
                      'Allows Meter to publish security events to Kinesis',
                    MaxSessionDuration: 3600,
                    Tags: tags,
                  }),
                ),
              {
                ...call('iam:CreateRole'),
                what: `IAM role ${names.role} (account ${accountId})`,
              },
            ),
        });
        // Read back rather than trust memory: after a recovered checkpoint,
        // or a create whose answer was lost, the role holds the external ID
        // of the attempt that made it.
        role = (
          await send(
            () => iam.send(new GetRoleCommand({ RoleName: names.role })),
            call('iam:GetRole'),
          )
        ).Role!;
        if (created === 'existed') {
          await ownership.existing(
            tagsToRecord(role.Tags),
            `IAM role ${names.role}`,
          );
        }
        secrets.push(
          assertOurRole(role, {
            integrationName: input.name,
            tagKeys: settings.tagKeys,
            principalArn,
            accountId,
          }),
        );
        ctx.logger.info(
          `Created IAM role ${names.role} trusted by ${principalArn}`,
        );
      }

      const current = tagsToRecord(role.Tags);
      const missing = tags.filter(t => current[t.Key] === undefined);
      if (missing.length > 0) {
        await send(
          () =>
            iam.send(
              new TagRoleCommand({ RoleName: names.role, Tags: missing }),
            ),
          call('iam:TagRole'),
        );
      }
      await attach(iam, names.role, input.policyArn, call);
      ctx.logger.info(
        `Policy ${input.policyArn} is attached to role ${names.role}`,
      );

      ctx.output('roleArn', role.Arn ?? roleArn);
    },
  });
}

type CallContext = (permission: string) => {
  permission: string;
  resource: string;
  accountId: string;
  secrets: string[];
};

async function attach(
  iam: IAMClient,
  roleName: string,
  policyArn: string,
  call: CallContext,
) {
  const attached = await send(
    () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    call('iam:ListAttachedRolePolicies'),
  );
  if (attached.AttachedPolicies?.some(p => p.PolicyArn === policyArn)) return;
  await send(
    () =>
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: roleName,
          PolicyArn: policyArn,
        }),
      ),
    call('iam:AttachRolePolicy'),
  );
}

/**
 * An existing role is reused only when it is ours and still trusts exactly
 * Meter with an external ID; the ID it holds is returned.
 */
function assertOurRole(
  role: Role,
  expected: {
    integrationName: string;
    tagKeys: { integration: string; managedBy: string };
    principalArn: string;
    accountId: string;
  },
): string {
  const name = role.RoleName;
  const tags = tagsToRecord(role.Tags);
  if (
    tags[expected.tagKeys.integration] !== expected.integrationName ||
    tags[expected.tagKeys.managedBy] !== MANAGED_BY_VALUE
  ) {
    throw new ConflictError(
      `An IAM role named ${name} already exists in account ${expected.accountId} and was not created by Backstage for integration ${expected.integrationName}. It was left untouched. Choose another integration name, or remove that role.`,
    );
  }
  const trust = parsePolicyDocument(role.AssumeRolePolicyDocument ?? '{}');
  const { externalId } = readTrust(trust, expected.principalArn);
  if (
    !externalId ||
    !samePolicy(
      trust,
      buildTrustPolicy({ principalArn: expected.principalArn, externalId }),
    )
  ) {
    throw new ConflictError(
      `IAM role ${name} belongs to integration ${expected.integrationName} but its trust policy no longer allows only ${expected.principalArn} with an sts:ExternalId condition. It was left untouched: restore the trust policy in AWS, or delete the role and run again.`,
    );
  }
  return externalId;
}
