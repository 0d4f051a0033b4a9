export { meterSiemFormField, meterSiemTemplateOutputs } from './extensions';
export { MeterSiemField, meterSiemFieldValidation } from './MeterSiemField';
export type { MeterSiemFieldOptions } from './MeterSiemField';
export { FIELD_RULES, fieldRuleMessage } from './fieldRules';
export type { FieldRule, FieldRuleName } from './fieldRules';
export {
  MeterSiemTemplateOutputs,
  DASHBOARD_VALUES,
  OUTPUT_TEMPLATE_REFS,
} from './MeterSiemTemplateOutputs';
