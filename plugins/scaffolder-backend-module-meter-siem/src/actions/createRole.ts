import {
  iamArn,
  parseArn,
  validateResourceArn,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ensureRole } from '../resources/role';
import { examples } from './createRole.examples';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ensureContext,
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

      const aws = await clients.forAccount({
        accountId,
        region: input.region,
        signal: ctx.signal,
      });
      const role = await ensureRole(
        aws,
        names.role,
        { principalArn, policyArn: input.policyArn },
        ensureContext(ctx, input, tags, settings, ownership),
      );

      ctx.output('roleArn', role.Arn ?? roleArn);
    },
  });
}
