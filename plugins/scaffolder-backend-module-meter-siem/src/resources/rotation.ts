import {
  GetRoleCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ROTATION_TAG_KEY,
  RotationStep,
  analyseTrust,
  generateExternalId,
  parsePolicyDocument,
  planRotation,
  redact,
  tagsToRecord,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AccountClients,
  send,
} from '@internal/backstage-plugin-meter-siem-node';

/**
 * One step of a rotation of the role's external ID (see `planRotation`):
 * the trust policy first, then the tag recording the start, so that a
 * re-run after a failure between the two completes the step. No ID ever
 * reaches a log or an error message.
 */
export async function rotateExternalId(
  aws: AccountClients,
  roleName: string,
  step: RotationStep,
  options: { principalArn: string; logger: LoggerService },
): Promise<{ changed: boolean; rotating: boolean; summary: string }> {
  const call = (permission: string) => ({
    permission,
    resource: `role ${roleName}`,
    accountId: aws.accountId,
  });
  const { Role } = await send(
    () => aws.iam.send(new GetRoleCommand({ RoleName: roleName })),
    call('iam:GetRole'),
  );
  const trust = parsePolicyDocument(Role?.AssumeRolePolicyDocument ?? '{}');
  const secrets = analyseTrust(trust, options.principalArn).externalIds;
  let plan;
  try {
    plan = planRotation(step, trust, {
      principalArn: options.principalArn,
      newId: generateExternalId,
      now: new Date(),
      tagged: !!tagsToRecord(Role?.Tags)[ROTATION_TAG_KEY],
    });
  } catch (error) {
    throw new ConflictError(
      `IAM role ${roleName} was not changed: ${redact(
        (error as Error).message,
        secrets,
      )}.`,
    );
  }
  if (plan.trust) {
    const document = JSON.stringify(plan.trust);
    await send(
      () =>
        aws.iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: roleName,
            PolicyDocument: document,
          }),
        ),
      call('iam:UpdateAssumeRolePolicy'),
    ).catch(error => {
      // An AWS message may quote the document: never let an ID through.
      const ids = analyseTrust(plan.trust!, options.principalArn).externalIds;
      (error as Error).message = redact((error as Error).message, ids);
      throw error;
    });
  }
  const tag = plan.tag;
  if (tag === 'remove') {
    await send(
      () =>
        aws.iam.send(
          new UntagRoleCommand({
            RoleName: roleName,
            TagKeys: [ROTATION_TAG_KEY],
          }),
        ),
      call('iam:UntagRole'),
    );
  } else if (tag) {
    await send(
      () =>
        aws.iam.send(
          new TagRoleCommand({
            RoleName: roleName,
            Tags: [{ Key: ROTATION_TAG_KEY, Value: tag.set }],
          }),
        ),
      call('iam:TagRole'),
    );
  }
  options.logger.info(`Role ${roleName}: ${plan.summary}`);
  const rotating =
    step === 'start' ||
    (!plan.trust && secrets.length === 2 && step !== 'finish');
  return {
    changed: !!plan.trust || !!plan.tag,
    rotating,
    summary: plan.summary,
  };
}
