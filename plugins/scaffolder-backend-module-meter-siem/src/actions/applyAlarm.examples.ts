import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Alarm when an existing integration goes silent, notifying the on-call topic',
    example: yaml.stringify({
      steps: [
        {
          id: 'alarm',
          action: 'meter-siem:alarm:apply',
          name: 'Alarm when events stop',
          input: {
            integration: 'resource:default/hq-network-123456789012',
            alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:security-oncall',
          },
        },
      ],
    }),
  },
];
