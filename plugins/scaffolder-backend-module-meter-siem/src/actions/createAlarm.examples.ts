import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'The alarm on silence for the stream made by the previous step, notifying an SNS topic',
    example: yaml.stringify({
      steps: [
        {
          id: 'alarm',
          action: 'meter-siem:alarm:create',
          name: 'Alarm when events stop',
          input: {
            name: 'hq-network',
            region: 'us-east-1',
            owner: 'group:default/security',
            environment: 'production',
            streamArn: '${{ steps.stream.output.streamArn }}',
            alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:security-oncall',
          },
        },
      ],
    }),
  },
];
