import { Entity, makeValidator } from '@backstage/catalog-model';
import {
  ANNOTATIONS,
  INTEGRATION_ENTITY_FILTER,
  INTEGRATION_ENTITY_TYPE,
  integrationEntityName,
  isIntegrationEntity,
} from './annotations';
import { LIMITS } from './limits';

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

describe('INTEGRATION_ENTITY_FILTER and isIntegrationEntity', () => {
  const entity = (kind: string, type: unknown): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'office-123456789012' },
    spec: { type } as Entity['spec'],
  });

  it('selects Resource entities of the integration type', () => {
    expect(INTEGRATION_ENTITY_FILTER).toEqual({
      kind: 'Resource',
      'spec.type': 'meter-siem-integration',
    });
    expect(INTEGRATION_ENTITY_TYPE).toBe('meter-siem-integration');
  });

  it.each([
    ['Resource', 'meter-siem-integration', true],
    ['resource', 'meter-siem-integration', true],
    ['Resource', 'kinesis-stream', false],
    ['Component', 'meter-siem-integration', false],
  ])('takes kind %p of type %p for an integration: %p', (kind, type, is) => {
    expect(isIntegrationEntity(entity(kind, type))).toBe(is);
  });

  it('takes no entity for an integration', () => {
    expect(isIntegrationEntity(undefined)).toBe(false);
  });
});
