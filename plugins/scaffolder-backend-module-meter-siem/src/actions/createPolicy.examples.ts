import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'The least-privilege policy for the stream made by the previous step',
    example: yaml.stringify({
      steps: [
        {
          id: 'policy',
          action: 'meter-siem:policy:create',
          name: 'Create the write policy',
          input: {
            name: 'hq-network',
            region: 'us-east-1',
            owner: 'group:default/security',
            environment: 'production',
            streamArn: '${{ steps.stream.output.streamArn }}',
          },
        },
      ],
    }),
  },
];
