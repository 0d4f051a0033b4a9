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
  validateResourceArn,
} from '@internal/backstage-plugin-meter-siem-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { send, sendIfExists } from '@internal/backstage-plugin-meter-siem-node';
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
 * integration's stream, and nothing else.
 *
 * @public
 */
export function createPolicyAction(options: ActionOptions) {
  const { clients, settings, access } = options;
  return createTemplateAction({
    id: 'meter-siem:policy:create',
    description:
      'Creates the IAM policy of a Meter SIEM integration: kinesis:PutRecord and kinesis:PutRecords on exactly its stream, nothing else. Re-running reuses the policy it made; it never modifies a policy that is not its own or whose document differs.',
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
      },
      output: {
        policyArn: z => z.string({ description: 'ARN of the policy' }),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { names, tags } = describeTarget(input, settings);
      assertInput(
        validateResourceArn(input.streamArn, 'streamArn', 'stream', input),
      );
      const document = buildPermissionsPolicy(input.streamArn);
      const accountId = parseArn(input.streamArn).accountId;
      const policyArn = iamArn(input.region, accountId, 'policy', names.policy);
      const ownership = ownershipChecks(access, settings, ctx, input);
      await ownership.newOwner();

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create IAM policy ${names.policy} allowing ${document.Statement[0].Action} on ${input.streamArn}`,
        );
        ctx.output('policyArn', policyArn);
        return;
      }

      const { iam } = await clients.forAccount({
        accountId,
        region: input.region,
      });
      const call = (permission: string) => ({
        permission,
        resource: `policy ${names.policy}`,
        accountId,
      });

      const existing = await sendIfExists(
        () => iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        call('iam:GetPolicy'),
      );
      if (existing?.Policy) {
        const current = tagsToRecord(existing.Policy.Tags);
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
            `IAM policy ${names.policy} belongs to integration ${input.name} but its document is no longer the least-privilege one (kinesis:PutRecord and kinesis:PutRecords on ${input.streamArn}). It was left untouched: restore the document in AWS, or delete the policy and run again.`,
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
        ctx.logger.info(
          `IAM policy ${names.policy} already exists with the expected document; reusing it`,
        );
      } else {
        await ctx.checkpoint({
          key: `meter-siem.policy.create.${policyArn}`,
          fn: async () => {
            await send(
              () =>
                iam.send(
                  new CreatePolicyCommand({
                    PolicyName: names.policy,
                    PolicyDocument: JSON.stringify(document),
                    Description: `Allows Meter to write security events to Kinesis stream ${names.stream}`,
                    Tags: tags,
                  }),
                ),
              call('iam:CreatePolicy'),
            );
          },
        });
        ctx.logger.info(`Created IAM policy ${names.policy}: ${policyArn}`);
      }
      ctx.output('policyArn', policyArn);
    },
  });
}
