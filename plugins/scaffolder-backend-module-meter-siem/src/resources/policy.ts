import { CreatePolicyCommand, GetPolicyCommand } from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import {
  PolicyDocument,
  resourceName,
  samePolicy,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  readPolicyDocument,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';
import { EnsureContext, findOrCreate } from './ensure';
import { addMissingTags, policyTags } from './tags';

/**
 * The integration's managed policy with exactly `document`: created, or
 * reused when it is this integration's and still says the same (a policy
 * whose document was changed is refused, not rewritten).
 */
export async function ensurePolicy(
  aws: AccountClients,
  policyArn: string,
  document: PolicyDocument,
  options: { description: string; grants: string },
  ctx: EnsureContext,
): Promise<void> {
  const name = resourceName(policyArn);
  const call = (permission: string) => ({
    permission,
    resource: `policy ${name}`,
    accountId: aws.accountId,
  });
  const { found, tags, adopted } = await findOrCreate(ctx, {
    label: { kind: 'IAM policy', name, accountId: aws.accountId },
    find: async () =>
      (
        await sendIfExists(
          () => aws.iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
          call('iam:GetPolicy'),
        )
      )?.Policy,
    tagsOf: async policy => tagsToRecord(policy.Tags),
    create: () =>
      aws.iam.send(
        new CreatePolicyCommand({
          PolicyName: name,
          PolicyDocument: JSON.stringify(document),
          Description: options.description,
          Tags: ctx.tags,
        }),
      ),
    fromCreate: answer => answer.Policy,
    call: call('iam:CreatePolicy'),
  });
  if (!adopted) return;

  const current = await readPolicyDocument(
    aws,
    policyArn,
    found.DefaultVersionId,
  );
  if (!samePolicy(current, document)) {
    throw new ConflictError(
      `IAM policy ${name} belongs to integration ${ctx.integrationName} but its document is no longer the least-privilege one (${options.grants}). It was left untouched: restore the document in AWS, or delete the policy and run again.`,
    );
  }
  await addMissingTags(policyTags(aws, policyArn), ctx.tags, tags);
  ctx.logger.info(
    `IAM policy ${name} already exists with the expected document; reusing it`,
  );
}
