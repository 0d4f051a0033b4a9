import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Tags every resource of the integration picked in the form (its owning team runs it)',
    example: yaml.stringify({
      steps: [
        {
          id: 'tags',
          action: 'meter-siem:tags:apply',
          name: 'Fix the ownership tags',
          input: {
            integration: '${{ parameters.integration }}',
            owner: '${{ parameters.owner }}',
            environment: '${{ parameters.environment }}',
          },
        },
      ],
    }),
  },
  {
    description:
      "Tags a hand-made integration found by the catalog provider, tagged as Meter's guide writes it (Owner, Environment): renames those keys to owner and environment (the old keys are removed), and adds a tag the tagging policy requires",
    example: yaml.stringify({
      steps: [
        {
          id: 'tags',
          action: 'meter-siem:tags:apply',
          name: 'Fix the ownership tags',
          input: {
            integration:
              'resource:default/MeterSIEMIntegrationRole-123456789012',
            owner: 'group:default/security',
            environment: 'production',
            tags: { 'cost-center': 'CC-42' },
          },
        },
      ],
    }),
  },
];
