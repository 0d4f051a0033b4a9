import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { MeterSiemTemplateOutputs } from './MeterSiemTemplateOutputs';

const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/meter-siem-hq';
const roleArn = 'arn:aws:iam::123456789012:role/meter-siem-hq';

describe('MeterSiemTemplateOutputs', () => {
  it('shows each value for Meter on one line with a copy button, then the text', async () => {
    await renderInTestApp(
      <MeterSiemTemplateOutputs
        output={{
          streamArn,
          roleArn,
          text: [{ title: 'Finish in Meter', content: 'Paste them.' }],
        }}
      />,
    );
    expect(screen.getByTestId('output-streamArn')).toHaveTextContent(streamArn);
    expect(screen.getByTestId('output-roleArn')).toHaveTextContent(roleArn);
    expect(
      screen.getByRole('button', { name: 'Copy AWS Kinesis ARN' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Copy Role ARN' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('Paste them.')).toBeInTheDocument();
  });

  it('shows no value card when the run made no values (a failed run)', async () => {
    await renderInTestApp(<MeterSiemTemplateOutputs output={{}} />);
    expect(
      screen.queryByRole('button', { name: /^Copy / }),
    ).not.toBeInTheDocument();
  });
});
