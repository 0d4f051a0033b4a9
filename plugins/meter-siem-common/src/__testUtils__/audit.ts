import { resolveSettings } from '../settings';

/** One integration's ARNs and tags, shared by the audit's tests. */
export const settings = resolveSettings();
export const account = '210987654321';
export const streamArn = `arn:aws:kinesis:eu-west-1:${account}:stream/meter-siem-office`;
export const roleArn = `arn:aws:iam::${account}:role/meter-siem-office`;
export const policyArn = `arn:aws:iam::${account}:policy/meter-siem-office-kinesis-write`;
export const tags = {
  owner: 'group:default/network',
  environment: 'production',
  'managed-by': 'backstage',
};
