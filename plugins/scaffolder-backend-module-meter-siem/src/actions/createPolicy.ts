import {
  CreatePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  TagPolicyCommand,
} from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import {
  MANAGED_BY_VALUE,
  buildPermissionsPolicy,
  iamArn,
  parseArn,
  parsePolicyDocument,
  samePolicy,
  tagsToRecord,
  validatePolicyKmsKey,
  validateResourceArn,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  createOnce,
  send,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { examples } from './createPolicy.examples';
import {
  ActionOptions,
  assertInput,
  describeTarget,
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

      const { iam } = await clients.forAccount({
        accountId,
        region: input.region,
        signal: ctx.signal,
      });
      const call = (permission: string) => ({
        permission,
        resource: `policy ${names.policy}`,
        accountId,
      });

      /** A policy of this name exists: reuse it only when it is ours. */
      const reuse = async () => {
        const existing = await send(
          () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
          call('iam:GetPolicy'),
        );
        const current = tagsToRecord(existing.Policy!.Tags);
        await ownership.existing(current, `IAM policy ${names.policy}`);
        if (
          current[settings.tagKeys.integration] !== input.name ||
          current[settings.tagKeys.managedBy] !== MANAGED_BY_VALUE
        ) {
          throw new ConflictError(
            `An IAM policy named ${names.policy} already exists in account ${accountId} and was not created by Backstage for integration ${input.name}. It was left untouched. Choose another integration name, or remove that policy.`,
          );
        }
        const version = await send(
          () =>
            iam.send(
              new GetPolicyVersionCommand({
                PolicyArn: policyArn,
                VersionId: existing.Policy!.DefaultVersionId,
              }),
            ),
          call('iam:GetPolicyVersion'),
        );
        if (
          !samePolicy(
            parsePolicyDocument(version.PolicyVersion!.Document!),
            document,
          )
        ) {
          throw new ConflictError(
            `IAM policy ${names.policy} belongs to integration ${input.name} but its document is no longer the least-privilege one (${grants}). It was left untouched: restore the document in AWS, or delete the policy and run again.`,
          );
        }
        const missing = tags.filter(t => current[t.Key] === undefined);
        if (missing.length > 0) {
          await send(
            () =>
              iam.send(
                new TagPolicyCommand({ PolicyArn: policyArn, Tags: missing }),
              ),
            call('iam:TagPolicy'),
          );
        }
      };

      const exists = await sendIfExists(
        () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        call('iam:GetPolicy'),
      );
      if (exists?.Policy) {
        await reuse();
        ctx.logger.info(
          `IAM policy ${names.policy} already exists with the expected document; reusing it`,
        );
      } else {
        const created = await ctx.checkpoint({
          key: `meter-siem.policy.create.${policyArn}`,
          fn: () =>
            createOnce(
              () =>
                iam.send(
                  new CreatePolicyCommand({
                    PolicyName: names.policy,
                    PolicyDocument: JSON.stringify(document),
                    Description: `Allows Meter to write security events to Kinesis stream ${names.stream}`,
                    Tags: tags,
                  }),
                ),
              {
                ...call('iam:CreatePolicy'),
                what: `IAM policy ${names.policy} (account ${accountId})`,
              },
            ),
        });
        // An attempt whose answer was lost made it: check it like any other.
        if (created === 'existed') await reuse();
        ctx.logger.info(`Created IAM policy ${names.policy}: ${policyArn}`);
      }
      ctx.output('policyArn', policyArn);
    },
  });
}
