import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import { createPolicyAction } from '../actions/createPolicy';
import {
  MOTO_ACCOUNT,
  actionContext,
  actionOptions,
  baseTarget,
  sdk,
} from './moto';

/** The policy and role steps' tests: what they share. */
export const streamArnOf = (name: string) =>
  `arn:aws:kinesis:us-east-1:${MOTO_ACCOUNT}:stream/meter-siem-${name}`;

export const byKey = (tags: { Key?: string }[] = []) =>
  [...tags].sort((a, b) => a.Key!.localeCompare(b.Key!));

export const expectedTags = (name: string) => [
  { Key: 'owner', Value: 'group:default/security' },
  { Key: 'environment', Value: 'production' },
  { Key: 'managed-by', Value: 'backstage' },
  { Key: 'meter-siem-integration', Value: name },
];

/** Runs the policy step for an integration, as Jane; returns the policy ARN. */
export async function createPolicy(
  name: string,
  extra: { kmsKeyArn?: string } = {},
) {
  const { ctx, outputs } = actionContext({
    ...baseTarget,
    name,
    streamArn: streamArnOf(name),
    ...extra,
  });
  await createPolicyAction(actionOptions()).handler(ctx);
  return outputs.policyArn as string;
}

/** The default version's document of a policy, in moto. */
export async function documentOf(policyArn: string) {
  const { iam } = sdk('us-east-1');
  const { Policy } = await iam.send(
    new GetPolicyCommand({ PolicyArn: policyArn }),
  );
  const version = await iam.send(
    new GetPolicyVersionCommand({
      PolicyArn: policyArn,
      VersionId: Policy!.DefaultVersionId,
    }),
  );
  return JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!));
}
