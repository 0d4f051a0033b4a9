import { GetPolicyCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { ConflictError } from '@backstage/errors';
import {
  MANAGED_BY_VALUE,
  MeterSiemSettings,
  iamArn,
  parseArn,
  tagsToRecord,
  writableStreamArns,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  readPolicyDocument,
  sendIfExists,
} from '@internal/backstage-plugin-meter-siem-node';

/**
 * Before the first AWS write of a run: the IAM names the run will use
 * (account-wide, unlike the stream's) must be free, or this integration's
 * in this region. Otherwise the run would create a stream and then fail on
 * the policy, leaving the stream behind. Every clash is named in one
 * message; the owner tags of what exists are checked with `existing`.
 */
export async function assertIamNamesFree(
  aws: AccountClients,
  options: {
    integrationName: string;
    names: { policy: string; role: string };
    streamArn: string;
    settings: MeterSiemSettings;
    existing: (tags: Record<string, string>, what: string) => Promise<void>;
  },
): Promise<void> {
  const { integrationName, names, streamArn, settings } = options;
  const { accountId, region } = aws;
  const keys = settings.tagKeys;
  const ours = (tags: Record<string, string>) =>
    tags[keys.integration] === integrationName &&
    tags[keys.managedBy] === MANAGED_BY_VALUE;
  const call = (permission: string, resource: string) => ({
    permission,
    resource,
    accountId,
  });
  const clashes: string[] = [];

  const policyArn = iamArn(region, accountId, 'policy', names.policy);
  const policy = (
    await sendIfExists(
      () => aws.iam.send(new GetPolicyCommand({ PolicyArn: policyArn })),
      call('iam:GetPolicy', `policy ${names.policy}`),
    )
  )?.Policy;
  if (policy) {
    const tags = tagsToRecord(policy.Tags);
    if (!ours(tags)) {
      clashes.push(
        `IAM policy ${names.policy} exists in account ${accountId} and was not created by Backstage for integration ${integrationName}`,
      );
    } else {
      await options.existing(tags, `IAM policy ${names.policy}`);
      const granted = writableStreamArns(
        await readPolicyDocument(aws, policyArn, policy.DefaultVersionId),
      );
      const elsewhere = granted.filter(arn => arn !== streamArn);
      if (!granted.includes(streamArn) && elsewhere.length > 0) {
        clashes.push(
          `IAM policy ${names.policy} and role ${
            names.role
          } belong to integration ${integrationName} in ${elsewhere
            .map(arn => `region ${parseArn(arn).region}`)
            .join(
              ', ',
            )} of account ${accountId} (IAM names are account-wide, so the name ${integrationName} is taken in this account)`,
        );
      }
    }
  }

  const role = (
    await sendIfExists(
      () => aws.iam.send(new GetRoleCommand({ RoleName: names.role })),
      call('iam:GetRole', `role ${names.role}`),
    )
  )?.Role;
  if (role) {
    const tags = tagsToRecord(role.Tags);
    if (!ours(tags)) {
      clashes.push(
        `IAM role ${names.role} exists in account ${accountId} and was not created by Backstage for integration ${integrationName}`,
      );
    } else {
      await options.existing(tags, `IAM role ${names.role}`);
    }
  }

  if (clashes.length > 0) {
    throw new ConflictError(
      `Integration name ${integrationName} cannot be used in account ${accountId}, region ${region}: ${clashes.join(
        '; ',
      )}. Nothing was created. Choose another integration name.`,
    );
  }
}
