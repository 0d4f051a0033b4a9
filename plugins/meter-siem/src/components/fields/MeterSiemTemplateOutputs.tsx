import { CopyTextButton, InfoCard } from '@backstage/core-components';
import { Box, Flex, Text } from '@backstage/ui';
import { DefaultTemplateOutputs } from '@backstage/plugin-scaffolder-react/alpha';
import type { ScaffolderTaskOutput } from '@backstage/plugin-scaffolder-react';

/** The templates whose run page shows {@link MeterSiemTemplateOutputs}. */
export const OUTPUT_TEMPLATE_REFS = ['template:default/meter-siem-integration'];

/** The values Meter's Dashboard asks for, in its words, from the output. */
export const DASHBOARD_VALUES = [
  { key: 'streamArn', label: 'AWS Kinesis ARN' },
  { key: 'roleArn', label: 'Role ARN' },
] as const;

/**
 * The run page's outputs of the create template: each value Meter's
 * Dashboard asks for on one line with a copy button (the scaffolder's
 * markdown shows code blocks without one), then the template's own links
 * and text as the scaffolder shows them.
 */
export const MeterSiemTemplateOutputs = (props: {
  output?: ScaffolderTaskOutput;
}) => {
  const { output } = props;
  const values = DASHBOARD_VALUES.flatMap(({ key, label }) => {
    const value = output?.[key];
    return typeof value === 'string' && value ? [{ key, label, value }] : [];
  });
  return (
    <>
      {values.length > 0 && (
        <Box pb="4">
          <InfoCard
            title="Values for Meter's Dashboard"
            titleTypographyProps={{ component: 'h2' }}
          >
            <Flex direction="column" gap="3">
              {values.map(({ key, label, value }) => (
                <Flex key={key} direction="column" gap="1">
                  <Text as="p" weight="bold">
                    {label}
                  </Text>
                  <Flex align="center" gap="2">
                    <code
                      data-testid={`output-${key}`}
                      style={{ wordBreak: 'break-all' }}
                    >
                      {value}
                    </code>
                    <CopyTextButton
                      text={value}
                      aria-label={`Copy ${label}`}
                      tooltipText={`${label} copied`}
                    />
                  </Flex>
                </Flex>
              ))}
              <Text as="p">
                External ID: a secret Backstage does not keep. Reveal it on the
                integration's card (link below).
              </Text>
            </Flex>
          </InfoCard>
        </Box>
      )}
      <DefaultTemplateOutputs output={output} />
    </>
  );
};
