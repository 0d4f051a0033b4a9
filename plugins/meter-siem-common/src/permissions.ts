import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading an integration's external ID (the reveal endpoint and the card's
 * "Reveal external ID"). A resource permission on the integration's catalog
 * entity, so a policy can decide it with the catalog's conditions
 * (`isEntityOwner`).
 *
 * @public
 */
export const meterSiemExternalIdReadPermission = createPermission({
  name: 'meter-siem.integration.external-id.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Acting on an existing integration: the fix-tags template and the day-two
 * actions (verify, alarm, update, rotate, decommission).
 *
 * @public
 */
export const meterSiemIntegrationManagePermission = createPermission({
  name: 'meter-siem.integration.manage',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const meterSiemPermissions = [
  meterSiemExternalIdReadPermission,
  meterSiemIntegrationManagePermission,
];
