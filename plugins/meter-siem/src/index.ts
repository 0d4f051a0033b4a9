export { meterSiemPlugin as default } from './plugin';
export {
  MeterSiemField,
  meterSiemFieldValidation,
  MeterSiemTemplateOutputs,
  FIELD_RULES,
  fieldRuleMessage,
} from './components/fields';
export type {
  MeterSiemFieldOptions,
  FieldRule,
  FieldRuleName,
} from './components/fields';
