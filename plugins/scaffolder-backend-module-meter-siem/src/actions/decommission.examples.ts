import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Decommissions the integration picked in the form, once the person has typed its name as given at creation (its owning team runs it)',
    example: yaml.stringify({
      steps: [
        {
          id: 'decommission',
          action: 'meter-siem:integration:decommission',
          name: 'Delete the alarm, policy, role and stream',
          input: {
            integration: '${{ parameters.integration }}',
            confirm: '${{ parameters.confirm }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Decommissions integration hq-network of account 123456789012, called through the API without the form',
    example: yaml.stringify({
      steps: [
        {
          id: 'decommission',
          action: 'meter-siem:integration:decommission',
          name: 'Decommission hq-network',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            confirm: 'hq-network',
          },
        },
      ],
    }),
  },
];
