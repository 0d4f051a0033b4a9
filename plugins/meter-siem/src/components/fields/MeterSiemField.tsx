import { useEffect, useRef } from 'react';
import { TextField } from '@backstage/ui';
import type {
  CustomFieldValidator,
  FieldExtensionComponentProps,
} from '@backstage/plugin-scaffolder-react';
import { fieldRuleMessage } from './fieldRules';

/** The options a template gives `MeterSiemField` in `ui:options`. */
export interface MeterSiemFieldOptions {
  /** The rule the value must meet: a key of `FIELD_RULES`. */
  rule?: string;
  /**
   * A value is needed although the schema's `required` cannot say so: a
   * field of a `dependencies` branch, where `required` would keep the
   * review page from finding the field's title.
   */
  required?: boolean;
}

type Value = string | number | undefined;

/**
 * What the user typed, as the schema's type wants it: an integer field gets
 * a number when the text is one, and keeps the text otherwise so that the
 * form can name the rule it breaks. An emptied field is `''` when it is
 * required (so the form reports the rule, not "must have required
 * property"), and absent when it is optional.
 */
export function parseInput(
  text: string,
  type: unknown,
  required: boolean,
): Value {
  if (text === '') return required ? '' : undefined;
  if (type === 'integer' || type === 'number') {
    const trimmed = text.trim();
    return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : text;
  }
  return text;
}

/**
 * A text or whole-number field of the Meter SIEM templates whose rule is
 * stated in words (`ui:options.rule`), with its description kept in the
 * secondary colour when the value is wrong.
 *
 * The browser's own validation is turned off for the page's form: its
 * bubbles ("Please fill out this field.") would otherwise stop the Next
 * button before the form can say which rule a field breaks, and the
 * scaffolder's page gives templates no `noHtml5Validate` option.
 */
export const MeterSiemField = (
  props: FieldExtensionComponentProps<Value, MeterSiemFieldOptions>,
) => {
  const {
    onChange,
    formData,
    schema,
    rawErrors = [],
    disabled,
    readonly,
    idSchema,
    uiSchema,
  } = props;
  const required =
    Boolean(props.required) || Boolean(uiSchema?.['ui:options']?.required);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const form = ref.current?.closest('form');
    if (form) form.noValidate = true;
  }, []);

  return (
    <TextField
      ref={ref}
      id={idSchema?.$id}
      label={schema.title}
      description={schema.description}
      isRequired={required}
      validationBehavior="aria"
      isInvalid={rawErrors.length > 0}
      isDisabled={disabled}
      isReadOnly={readonly}
      // Only where the template asks for it (`ui:autofocus`), as rjsf's own
      // fields do: the first field of a form the user has just opened.
      // eslint-disable-next-line jsx-a11y/no-autofocus
      autoFocus={Boolean(uiSchema?.['ui:autofocus'])}
      inputMode={
        schema.type === 'integer' || schema.type === 'number'
          ? 'numeric'
          : undefined
      }
      value={formData === undefined || formData === null ? '' : `${formData}`}
      onChange={text => onChange(parseInput(text, schema.type, required))}
    />
  );
};

/**
 * The field's own check, run when the page's schema accepts the values: the
 * same rule and words as the template's `errorMessage`.
 */
export const meterSiemFieldValidation: CustomFieldValidator<
  Value,
  MeterSiemFieldOptions
> = (value, validation, context) => {
  const rule = context.uiSchema?.['ui:options']?.rule;
  // The field holds '' only when it is required (see parseInput), and then
  // an empty value breaks the rule.
  const message = fieldRuleMessage(rule, value, value === '');
  if (message) validation.addError(message);
};
