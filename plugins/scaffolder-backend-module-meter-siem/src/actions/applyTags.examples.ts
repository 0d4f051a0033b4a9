import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Tags every resource of the integration picked in the form, from its entity's annotations (read by catalog:fetch)",
    example: yaml.stringify({
      steps: [
        {
          id: 'tags',
          action: 'meter-siem:tags:apply',
          name: 'Fix the ownership tags',
          input: {
            streamArn:
              "${{ steps.fetch.output.entity.metadata.annotations['meter-siem.io/stream-arn'] }}",
            roleArn:
              "${{ steps.fetch.output.entity.metadata.annotations['meter-siem.io/role-arn'] }}",
            policyArn:
              "${{ steps.fetch.output.entity.metadata.annotations['meter-siem.io/policy-arn'] }}",
            owner: '${{ parameters.owner }}',
            environment: '${{ parameters.environment }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Tags a hand-made integration, adding a tag the tagging policy requires',
    example: yaml.stringify({
      steps: [
        {
          id: 'tags',
          action: 'meter-siem:tags:apply',
          name: 'Fix the ownership tags',
          input: {
            streamArn:
              'arn:aws:kinesis:eu-west-1:123456789012:stream/meter-siem-events',
            roleArn: 'arn:aws:iam::123456789012:role/MeterSIEMIntegrationRole',
            policyArn:
              'arn:aws:iam::123456789012:policy/MeterSIEMKinesisWritePolicy',
            owner: 'group:default/security',
            environment: 'production',
            tags: { 'cost-center': 'CC-42' },
          },
        },
      ],
    }),
  },
];
