import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Start a rotation: the role accepts the old and a new external ID',
    example: yaml.stringify({
      steps: [
        {
          id: 'rotate',
          action: 'meter-siem:external-id:rotate',
          name: 'Accept a new external ID',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            step: 'start',
          },
        },
      ],
    }),
  },
  {
    description:
      'Finish it once Meter delivers with the new ID: the old one stops working',
    example: yaml.stringify({
      steps: [
        {
          id: 'rotate',
          action: 'meter-siem:external-id:rotate',
          name: 'Remove the old external ID',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            step: 'finish',
          },
        },
      ],
    }),
  },
];
