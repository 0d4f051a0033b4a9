import { GetRoleCommand } from '@aws-sdk/client-iam';
import { NotFoundError } from '@backstage/errors';
import {
  parseArn,
  parsePolicyDocument,
  readTrust,
  resourceName,
} from '@internal/backstage-plugin-meter-siem-common';
import { AwsClientFactory, sendIfExists } from './clients';

/**
 * Reads the external ID live from the trust policy of an integration's
 * role: Backstage stores it nowhere. Errors never carry the value.
 *
 * @public
 */
export async function readExternalId(
  clients: AwsClientFactory,
  options: { roleArn: string; region: string; meterPrincipalArn: string },
): Promise<string> {
  const { accountId } = parseArn(options.roleArn);
  const roleName = resourceName(options.roleArn);
  const { iam } = await clients.forAccount({
    accountId,
    region: options.region,
  });
  const context = {
    permission: 'iam:GetRole',
    resource: `role ${roleName}`,
    accountId,
  };
  const found = await sendIfExists(
    () => iam.send(new GetRoleCommand({ RoleName: roleName })),
    context,
  );
  if (!found?.Role) {
    throw new NotFoundError(
      `IAM role ${roleName} no longer exists in account ${accountId}`,
    );
  }
  const trust = readTrust(
    parsePolicyDocument(found.Role.AssumeRolePolicyDocument ?? '{}'),
    options.meterPrincipalArn,
  );
  if (!trust.externalId) {
    throw new NotFoundError(
      `IAM role ${roleName} requires no external ID from Meter (see the audit's trust-without-external-id finding)`,
    );
  }
  return trust.externalId;
}
