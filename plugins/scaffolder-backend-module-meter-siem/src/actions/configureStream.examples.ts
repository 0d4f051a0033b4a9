import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'After meter-siem:stream:create with configure: false and the IAM steps: one provisioned shard, 24 hours of retention, no encryption',
    example: yaml.stringify({
      steps: [
        {
          id: 'stream-settings',
          action: 'meter-siem:stream:configure',
          name: 'Apply the stream settings',
          input: {
            name: 'hq-network',
            region: 'us-east-1',
            owner: 'group:default/security',
            environment: 'production',
            capacityMode: 'PROVISIONED',
            shardCount: 1,
            retentionHours: 24,
            encryption: 'NONE',
          },
        },
      ],
    }),
  },
  {
    description:
      'On-demand, a week of retention, encrypted with the AWS-managed key, in another account: the settings applied once the stream is ACTIVE',
    example: yaml.stringify({
      steps: [
        {
          id: 'stream-settings',
          action: 'meter-siem:stream:configure',
          name: 'Apply the stream settings',
          input: {
            name: 'branch-offices',
            region: 'eu-west-1',
            accountId: '111122223333',
            owner: 'group:default/network',
            environment: 'staging',
            capacityMode: 'ON_DEMAND',
            retentionHours: 168,
            encryption: 'KMS_AWS_MANAGED',
            tags: { 'cost-center': 'netops' },
          },
        },
      ],
    }),
  },
];
