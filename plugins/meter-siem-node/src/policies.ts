import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  PolicyDocument,
  parsePolicyDocument,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import { send } from './clients';

/**
 * The document of a customer-managed policy's default version. Pass the
 * version id when a `GetPolicy` already read it, to save that call.
 *
 * @public
 */
export async function readPolicyDocument(
  aws: { iam: IAMClient; accountId: string },
  policyArn: string,
  defaultVersionId?: string,
): Promise<PolicyDocument> {
  const call = (permission: string) => ({
    permission,
    resource: `policy ${resourceName(policyArn)}`,
    accountId: aws.accountId,
  });
  const versionId =
    defaultVersionId ??
    (
      await send(
        () => aws.iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
        call('iam:GetPolicy'),
      )
    ).Policy?.DefaultVersionId;
  const { PolicyVersion } = await send(
    () =>
      aws.iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: policyArn,
          VersionId: versionId,
        }),
      ),
    call('iam:GetPolicyVersion'),
  );
  return parsePolicyDocument(PolicyVersion?.Document ?? '{}');
}
