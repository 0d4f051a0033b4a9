import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'The role Meter assumes, with a generated external ID, attached to the policy made by the previous step',
    example: yaml.stringify({
      steps: [
        {
          id: 'role',
          action: 'meter-siem:role:create',
          name: 'Create the role Meter assumes',
          input: {
            name: 'hq-network',
            region: 'us-east-1',
            owner: 'group:default/security',
            environment: 'production',
            policyArn: '${{ steps.policy.output.policyArn }}',
          },
        },
      ],
    }),
  },
];
