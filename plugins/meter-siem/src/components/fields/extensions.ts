import {
  createFormField,
  FormFieldBlueprint,
  scaffolderTemplateOutputsBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
import {
  MeterSiemTemplateOutputs,
  OUTPUT_TEMPLATE_REFS,
} from './MeterSiemTemplateOutputs';

/**
 * `ui:field: MeterSiemField` in the Meter SIEM templates: a text or
 * whole-number field whose rule (`ui:options.rule`) the form states in words.
 */
export const meterSiemFormField = FormFieldBlueprint.make({
  name: 'meter-siem-field',
  params: {
    field: () =>
      import('./MeterSiemField').then(m =>
        createFormField({
          name: 'MeterSiemField',
          component: m.MeterSiemField,
          validation: m.meterSiemFieldValidation,
        }),
      ),
  },
});

/**
 * The run page of the create template: the values for Meter's Dashboard,
 * each with a copy button, above the template's links and text.
 */
export const meterSiemTemplateOutputs = scaffolderTemplateOutputsBlueprint.make(
  {
    name: 'meter-siem-integration',
    params: {
      templateRefs: OUTPUT_TEMPLATE_REFS,
      component: MeterSiemTemplateOutputs,
    },
  },
);
