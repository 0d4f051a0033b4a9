import { makeValidator } from '@backstage/catalog-model';
import { ANNOTATIONS, integrationEntityName } from './annotations';
import { LIMITS } from './validation';

describe('integrationEntityName', () => {
  const validator = makeValidator();

  it('joins the integration name and the account', () => {
    expect(integrationEntityName('corp-hq', '123456789012')).toBe(
      'corp-hq-123456789012',
    );
  });

  it('is a valid catalog entity name for the longest integration name', () => {
    const name = integrationEntityName(
      'a'.repeat(LIMITS.integrationName.max),
      '123456789012',
    );
    expect(validator.isValidEntityName(name)).toBe(true);
  });

  it('uses valid annotation keys', () => {
    for (const key of Object.values(ANNOTATIONS)) {
      expect(validator.isValidAnnotationKey(key)).toBe(true);
    }
  });
});
