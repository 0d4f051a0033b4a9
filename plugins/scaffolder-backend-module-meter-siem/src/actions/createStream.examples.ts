import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'One provisioned shard, 24 hours of retention, no encryption: what Meter recommends for most networks',
    example: yaml.stringify({
      steps: [
        {
          id: 'stream',
          action: 'meter-siem:stream:create',
          name: 'Create the Kinesis stream',
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
      'On-demand capacity for unpredictable volume, a week of retention, encrypted with the AWS-managed key, in another account',
    example: yaml.stringify({
      steps: [
        {
          id: 'stream',
          action: 'meter-siem:stream:create',
          name: 'Create the Kinesis stream',
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
  {
    description:
      'Create the stream and return while AWS is still CREATING it; the IAM steps run during that wait and meter-siem:stream:configure applies the settings last (what the meter-siem-integration template does)',
    example: yaml.stringify({
      steps: [
        {
          id: 'stream',
          action: 'meter-siem:stream:create',
          name: 'Create the Kinesis stream',
          input: {
            name: 'hq-network',
            region: 'us-east-1',
            owner: 'group:default/security',
            environment: 'production',
            capacityMode: 'PROVISIONED',
            shardCount: 1,
            retentionHours: 48,
            encryption: 'KMS_AWS_MANAGED',
            configure: false,
          },
        },
      ],
    }),
  },
];
