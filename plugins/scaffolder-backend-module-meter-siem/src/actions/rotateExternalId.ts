import {
  ANNOTATIONS,
  ROTATION_STEPS,
  parseAuditFacts,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { NotAllowedError } from '@backstage/errors';
import { rotateExternalId } from '../resources/rotation';
import { examples } from './rotateExternalId.examples';
import { announceChange, integrationSchema, openIntegration } from './existing';
import { ActionOptions } from './options';

/**
 * Rotates an integration's external ID in two steps, so that Meter never
 * loses access: `start` makes the role accept the old and a new ID,
 * `finish` (after Meter's Dashboard has the new one) removes the old.
 *
 * @public
 */
export function createRotateExternalIdAction(options: ActionOptions) {
  return createTemplateAction({
    id: 'meter-siem:external-id:rotate',
    description:
      "Rotates the external ID of a Meter SIEM integration's role in two steps. start: generates a new external ID (32 random bytes, 64 hex characters) and makes the role's trust policy accept the old and the new one (StringEquals with both), tagging the role with the time; the owning team reveals the new ID on the integration's page, enters it in Meter's Dashboard and verifies delivery. finish: removes the old ID, so only the new one works. Neither step outputs or logs an ID. Each converges when re-run. Only members of the integration's owning group (or the admin group) may run it; a trust policy changed by hand is refused untouched.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        integration: integrationSchema,
        step: z =>
          z.enum(ROTATION_STEPS as ['start', 'finish'], {
            description:
              'start: accept a new external ID beside the old one; finish: remove the old one',
          }),
      },
      output: {
        status: z =>
          z.enum(['rotating', 'done'], {
            description:
              'rotating: the role accepts the old and the new ID; done: only one',
          }),
        summary: z => z.string({ description: 'What the step did' }),
      },
    },
    async handler(ctx) {
      const { step } = ctx.input;
      const { integration, connect } = await openIntegration(
        options,
        ctx,
        ctx.input.integration,
        'rotate the external ID of',
      );
      if (!integration.roleArn) {
        throw new NotAllowedError(
          `${integration.entityRef} has no role trusted by Meter, so no external ID to rotate.`,
        );
      }
      const roleName = resourceName(integration.roleArn);
      if (ctx.isDryRun) {
        const facts = parseAuditFacts(
          integration.entity.metadata.annotations?.[ANNOTATIONS.auditFacts],
        );
        const rotating = (facts?.trust?.externalIdCount ?? 1) > 1;
        ctx.logger.info(
          step === 'start'
            ? `Dry run: would make role ${roleName} accept a newly generated external ID beside its current one${
                rotating
                  ? ' (the catalog says a rotation is already in progress: nothing would change)'
                  : ''
              }`
            : `Dry run: would remove the old external ID from role ${roleName}, keeping the new one${
                rotating
                  ? ''
                  : ' (the catalog says no rotation is in progress: nothing would change)'
              }`,
        );
        ctx.output(
          'status',
          step === 'start' || rotating ? 'rotating' : 'done',
        );
        ctx.output('summary', 'Dry run: nothing was changed');
        return;
      }

      const result = await rotateExternalId(await connect(), roleName, step, {
        principalArn: options.settings.meterPrincipalArn,
        logger: ctx.logger,
      });
      if (result.changed) await announceChange(options.events, integration);
      ctx.output('status', result.rotating ? 'rotating' : 'done');
      ctx.output('summary', result.summary);
    },
  });
}
