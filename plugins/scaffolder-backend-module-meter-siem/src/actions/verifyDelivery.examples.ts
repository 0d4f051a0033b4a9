import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Checks, after "Send test event" in Meter\'s Dashboard, that the test event reached the stream of the integration picked in the form (its owning team runs it)',
    example: yaml.stringify({
      steps: [
        {
          id: 'verify',
          action: 'meter-siem:delivery:verify',
          name: 'Verify delivery',
          input: {
            integration: '${{ parameters.integration }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Reads only the last 10 minutes of the stream, to see whether the test event just sent arrived',
    example: yaml.stringify({
      steps: [
        {
          id: 'verify',
          action: 'meter-siem:delivery:verify',
          name: 'Verify delivery',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            sinceMinutes: 10,
          },
        },
      ],
    }),
  },
];
