import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  meterSiemExternalIdReadPermission,
  meterSiemIntegrationManagePermission,
} from '@internal/backstage-plugin-meter-siem-common';

/** @public */
export interface MeterSiemPolicyOptions {
  /** Members of this group read every task and act on every integration. */
  adminGroupRef?: string;
  /** What to decide for permissions this policy has no rule for. */
  otherwise: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  userInfo: UserInfoService;
}

/**
 * Ownership for Meter SIEM integrations:
 * - scaffolder tasks (their output, their log) are read and cancelled only by
 *   the user who created them, or by the admin group;
 * - an integration's external ID is read, and the integration acted on, only
 *   by its owner (members of the owning group), or by the admin group;
 * - anything else gets `otherwise`.
 *
 * @public
 */
export class MeterSiemPermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: MeterSiemPolicyOptions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const owned =
      isPermission(permission, meterSiemExternalIdReadPermission) ||
      isPermission(permission, meterSiemIntegrationManagePermission);
    const task =
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission);
    if (!owned && !task) return { result: this.options.otherwise };

    if (!user) return { result: AuthorizeResult.DENY };
    const { userEntityRef, ownershipEntityRefs } =
      await this.options.userInfo.getUserInfo(user.credentials);
    const admin = this.options.adminGroupRef?.toLowerCase();
    if (admin && ownershipEntityRefs.some(ref => ref.toLowerCase() === admin)) {
      return { result: AuthorizeResult.ALLOW };
    }

    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      return createScaffolderTaskConditionalDecision(
        permission,
        scaffolderTaskConditions.isTaskOwner({ createdBy: [userEntityRef] }),
      );
    }
    if (
      isPermission(permission, meterSiemExternalIdReadPermission) ||
      isPermission(permission, meterSiemIntegrationManagePermission)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}
