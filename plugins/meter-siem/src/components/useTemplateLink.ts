import { useRouteRef } from '@backstage/frontend-plugin-api';
import { createIntegrationRouteRef } from '../routes';

/**
 * Links to the product's templates' pages, the form pre-filled (the
 * scaffolder reads `?formData=` as the form's initial values); `undefined`
 * when the app binds no scaffolder.
 */
export function useTemplateLink() {
  const templatePage = useRouteRef(createIntegrationRouteRef);
  return (templateName: string, formData?: Record<string, unknown>) => {
    if (!templatePage) return undefined;
    const page = templatePage({ namespace: 'default', templateName });
    return formData
      ? `${page}?${new URLSearchParams({
          formData: JSON.stringify(formData),
        })}`
      : page;
  };
}
