import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Resizes the integration picked in the form to 4 shards (2 UpdateShardCount calls: 1 → 2 → 4) and keeps records 48 hours; its owning team runs it',
    example: yaml.stringify({
      steps: [
        {
          id: 'update',
          action: 'meter-siem:stream:update',
          name: 'Resize and reconfigure the stream',
          input: {
            integration: '${{ parameters.integration }}',
            capacityMode: 'PROVISIONED',
            shardCount: 4,
            retentionHours: 48,
          },
        },
      ],
    }),
  },
  {
    description:
      "Switches an integration's stream to ON_DEMAND and encrypts it with a customer KMS key, which the write policy is first made to grant",
    example: yaml.stringify({
      steps: [
        {
          id: 'update',
          action: 'meter-siem:stream:update',
          name: 'Resize and reconfigure the stream',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            capacityMode: 'ON_DEMAND',
            encryption: 'KMS_CUSTOMER_KEY',
            kmsKeyArn:
              'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          },
        },
      ],
    }),
  },
];
