import {
  buildPermissionsPolicy,
  iamArn,
  parseArn,
  validatePolicyKmsKey,
  validateResourceArn,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ensurePolicy } from '../resources/policy';
import { examples } from './createPolicy.examples';
import {
  ActionOptions,
  assertInput,
  describeTarget,
  ensureContext,
  ownershipChecks,
  targetSchema,
} from './options';

/**
 * Creates the least-privilege policy that lets Meter put records on the
 * integration's stream, and nothing else; with a customer-managed key,
 * also `kms:GenerateDataKey` on exactly that key.
 *
 * @public
 */
export function createPolicyAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:policy:create',
    description:
      'Creates the IAM policy of a Meter SIEM integration: kinesis:PutRecord and kinesis:PutRecords on exactly its stream and, for a stream encrypted with a customer-managed KMS key, kms:GenerateDataKey on exactly that key; nothing else. Re-running reuses the policy it made; it never modifies a policy that is not its own or whose document differs.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...targetSchema,
        streamArn: z =>
          z.string({
            description:
              'ARN of the integration stream (the output of meter-siem:stream:create)',
          }),
        kmsKeyArn: z =>
          z
            .string({
              description:
                "ARN of the customer-managed KMS key encrypting the stream (encryption KMS_CUSTOMER_KEY): the policy also allows kms:GenerateDataKey on exactly this key. A key ARN (not an alias) in the stream's account and region; omit or leave empty otherwise.",
            })
            .optional(),
      },
      output: {
        policyArn: z => z.string({ description: 'ARN of the policy' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      const kmsKeyArn = input.kmsKeyArn || undefined;
      const streamIssues = validateResourceArn(
        input.streamArn,
        'streamArn',
        'stream',
        input,
      );
      assertInput([
        ...streamIssues,
        ...(kmsKeyArn && streamIssues.length === 0
          ? validatePolicyKmsKey(kmsKeyArn, input.streamArn)
          : []),
      ]);
      // The same builder as a re-run's comparison below: one document.
      const document = buildPermissionsPolicy(input.streamArn, { kmsKeyArn });
      const grants = `kinesis:PutRecord and kinesis:PutRecords on ${
        input.streamArn
      }${kmsKeyArn ? ` and kms:GenerateDataKey on ${kmsKeyArn}` : ''}`;
      const accountId = parseArn(input.streamArn).accountId;
      const policyArn = iamArn(input.region, accountId, 'policy', names.policy);
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create IAM policy ${names.policy} allowing ${grants}`,
        );
        ctx.output('policyArn', policyArn);
        return;
      }

      const aws = await clients.forAccount({
        accountId,
        region: input.region,
        signal: ctx.signal,
      });
      await ensurePolicy(
        aws,
        policyArn,
        document,
        {
          description: `Allows Meter to write security events to Kinesis stream ${names.stream}`,
          grants,
        },
        ensureContext(ctx, input, tags, settings, ownership),
      );
      ctx.output('policyArn', policyArn);
    },
  });
}
