import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Register the integration made by the previous steps',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'meter-siem:catalog:register',
          name: 'Register in the catalog',
          input: {
            name: 'hq-network',
            streamArn: '${{ steps.stream.output.streamArn }}',
            roleArn: '${{ steps.role.output.roleArn }}',
          },
        },
      ],
    }),
  },
];
