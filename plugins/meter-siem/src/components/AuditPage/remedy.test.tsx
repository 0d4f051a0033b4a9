import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AUDIT_RULES } from '@internal/backstage-plugin-meter-siem-common';
import { createIntegrationRouteRef } from '../../routes';
import { REMEDY_TEMPLATES, Remedy } from './remedy';

const entityRef = 'resource:default/hq-111111111111';

function href(templateName: string, formData: object) {
  return `/create/templates/default/${templateName}?${new URLSearchParams({
    formData: JSON.stringify(formData),
  })}`;
}

describe('REMEDY_TEMPLATES', () => {
  it('links the rules whose remedy names a template to that template', () => {
    const named = Object.values(AUDIT_RULES)
      .filter(rule =>
        /meter-siem-(fix-ownership-tags|alarm|rotate-external-id)\b/.test(
          rule.remedy,
        ),
      )
      .map(rule => rule.id)
      .sort();
    expect(Object.keys(REMEDY_TEMPLATES).sort()).toEqual(named);
    for (const id of named) {
      expect(AUDIT_RULES[id].remedy).toContain(
        `(${REMEDY_TEMPLATES[id]!.templateName})`,
      );
    }
  });
});

describe('Remedy', () => {
  it('shows the remedy whole, and links its template with the integration filled in', async () => {
    await renderInTestApp(
      <Remedy
        finding={{
          ruleId: 'rotation-half-done',
          entityRef,
          remedy: AUDIT_RULES['rotation-half-done'].remedy,
        }}
        labelled
      />,
      {
        mountedRoutes: {
          '/create/templates/:namespace/:templateName':
            createIntegrationRouteRef,
        },
      },
    );
    expect(
      screen.getByText(AUDIT_RULES['rotation-half-done'].remedy),
    ).toHaveTextContent(/^Remedy: Check in Meter/);
    expect(
      screen.getByRole('link', { name: 'Finish the rotation' }),
    ).toHaveAttribute(
      'href',
      href('meter-siem-rotate-external-id', {
        integration: entityRef,
        step: 'finish',
      }),
    );
  });

  it('is text alone in an app without the scaffolder, or for other rules', async () => {
    await renderInTestApp(
      <>
        <Remedy
          finding={{ ruleId: 'owner-tag-missing', entityRef, remedy: 'Fix.' }}
        />
        <Remedy finding={{ ruleId: 'unmanaged', entityRef, remedy: 'Redo.' }} />
      </>,
    );
    expect(screen.getByText('Fix.')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });
});
