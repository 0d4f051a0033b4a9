import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createFieldValidation } from '@backstage/plugin-scaffolder-react/alpha';
import { LIMITS } from '@internal/backstage-plugin-meter-siem-common';
import {
  MeterSiemField,
  meterSiemFieldValidation,
  parseInput,
} from './MeterSiemField';
import { FIELD_RULES, fieldRuleMessage } from './fieldRules';

/** The errors the field's validation adds for `value` under `rule`. */
async function validate(rule: string, value: unknown) {
  const validation = createFieldValidation();
  await meterSiemFieldValidation(value as any, validation, {
    apiHolder: { get: () => undefined },
    formData: {},
    schema: {},
    uiSchema: { 'ui:options': { rule } },
  });
  return validation.__errors ?? [];
}

const NAME_MESSAGE =
  'must be 1–40 lowercase letters, digits and hyphens, starting and ending with a letter or digit';

describe('MeterSiemField rules', () => {
  it('states the name rule in words, with the domain limits', () => {
    expect(FIELD_RULES.integrationName.message).toBe(NAME_MESSAGE);
    expect(FIELD_RULES.integrationName.message).toContain(
      `${LIMITS.integrationName.min}–${LIMITS.integrationName.max}`,
    );
  });

  it.each([
    'HQ',
    'hq_network',
    '-hq',
    'hq-',
    '',
    'x'.repeat(LIMITS.integrationName.max + 1),
  ])('refuses the name %j with the human message', async value => {
    expect(await validate('integrationName', value)).toEqual([NAME_MESSAGE]);
  });

  it.each(['hq-network', 'a', 'x'.repeat(LIMITS.integrationName.max)])(
    'accepts the name %j without a message',
    async value => {
      expect(await validate('integrationName', value)).toEqual([]);
    },
  );

  it.each([
    ['shardCount', 0, 'must be a whole number of shards from 1 to 500'],
    ['shardCount', 501, 'must be a whole number of shards from 1 to 500'],
    ['shardCount', '', 'must be a whole number of shards from 1 to 500'],
    ['retentionHours', 23, 'must be a whole number of hours from 24 to 8760'],
    ['retentionHours', '1x', 'must be a whole number of hours from 24 to 8760'],
    [
      'accountId',
      '1234',
      'must be exactly 12 digits, or empty for the main account',
    ],
    [
      'kmsKeyArn',
      'arn:aws:kms:us-east-1:123456789012:alias/siem',
      'must be the ARN of a KMS key, not an alias, such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    [
      'snsTopicArn',
      'arn:aws:sqs:us-east-1:123456789012:q',
      'must be the ARN of an SNS topic such as arn:aws:sns:us-east-1:123456789012:siem-alerts, or empty',
    ],
    ['sinceMinutes', 1441, 'must be a whole number of minutes from 1 to 1440'],
    [
      'confirm',
      '',
      "must be the integration's name as given at creation, e.g. hq-network",
    ],
  ])('refuses %s %j: %s', async (rule, value, message) => {
    expect(await validate(rule, value)).toEqual([message]);
  });

  it.each([
    ['shardCount', 1],
    ['shardCount', 500],
    ['retentionHours', 8760],
    ['accountId', '123456789012'],
    ['accountId', undefined],
    [
      'kmsKeyArn',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    ['snsTopicArn', 'arn:aws:sns:us-east-1:123456789012:siem-alerts'],
    ['snsTopicArn', undefined],
    ['sinceMinutes', 60],
    ['confirm', 'hq-network'],
  ])('accepts %s %j', async (rule, value) => {
    expect(await validate(rule, value)).toEqual([]);
  });

  it('ignores an unknown rule', () => {
    expect(fieldRuleMessage('nope', 'x', true)).toBeUndefined();
    expect(fieldRuleMessage(undefined, 'x', true)).toBeUndefined();
  });
});

describe('parseInput', () => {
  it('keeps an emptied required field as the empty string, an optional one absent', () => {
    expect(parseInput('', 'string', true)).toBe('');
    expect(parseInput('', 'string', false)).toBeUndefined();
  });

  it('turns digits of a number field into a number, and keeps other text', () => {
    expect(parseInput('12', 'integer', true)).toBe(12);
    expect(parseInput('1x', 'integer', true)).toBe('1x');
    expect(parseInput('12', 'string', true)).toBe('12');
  });
});

describe('MeterSiemField', () => {
  function Harness(props: { errors?: string[]; required?: boolean }) {
    const [value, setValue] = useState<string | number | undefined>('');
    return (
      <form>
        <MeterSiemField
          {...({} as any)}
          formData={value}
          onChange={setValue}
          required={props.required ?? true}
          rawErrors={props.errors ?? []}
          idSchema={{ $id: 'root_name' } as any}
          schema={{
            title: 'Name',
            type: 'string',
            description: 'For example hq-network.',
          }}
          uiSchema={{ 'ui:options': { rule: 'integrationName' } }}
        />
        <span data-testid="value">{JSON.stringify(value)}</span>
      </form>
    );
  }

  it('renders a labelled text box, marked required, without the native required attribute', () => {
    render(<Harness />);
    const input = screen.getByRole('textbox', { name: /Name/ });
    expect(input).not.toHaveAttribute('required');
    expect(input).toHaveAttribute('aria-required', 'true');
    expect(screen.getByText('Name').textContent).toBe('Name(Required)');
    expect(screen.getByText('For example hq-network.')).toBeInTheDocument();
  });

  it("turns off the browser's validation bubbles for its form", () => {
    const { container } = render(<Harness />);
    expect(container.querySelector('form')!.noValidate).toBe(true);
  });

  it('reports what is typed, and the empty string when emptied', async () => {
    render(<Harness />);
    const input = screen.getByRole('textbox', { name: /Name/ });
    await userEvent.type(input, 'hq');
    expect(screen.getByTestId('value')).toHaveTextContent('"hq"');
    await userEvent.clear(input);
    expect(screen.getByTestId('value')).toHaveTextContent('""');
  });

  it('marks the input invalid when the form has an error for it', () => {
    render(<Harness errors={[NAME_MESSAGE]} />);
    expect(screen.getByRole('textbox', { name: /Name/ })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
  });
});
