import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AWS_REGIONS,
  MeterSiemSettings,
  meterSiemExternalIdReadPermission,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  IntegrationAccess,
  logReveal,
  readExternalId,
} from '@internal/backstage-plugin-meter-siem-node';
import Router from 'express-promise-router';

export interface ExternalIdRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  access: IntegrationAccess;
  clients: AwsClientFactory;
  settings: MeterSiemSettings;
}

/**
 * `GET /integrations/:namespace/:name/external-id`: the external ID, read
 * live from the role's trust policy, for the integration's owning group and
 * the admin group. The permission policy decides first; the membership
 * check then holds whatever policy is installed.
 */
export function createExternalIdRouter(options: ExternalIdRouterOptions) {
  const { httpAuth, permissions, logger, access, clients, settings } = options;
  const router = Router();

  router.get('/integrations/:namespace/:name/external-id', async (req, res) => {
    // Users only: a service token acts for nobody who could own it (403);
    // no token at all is a 401.
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const userRef = credentials.principal.userEntityRef;
    const entityRef = stringifyEntityRef({
      kind: 'resource',
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const what = `read the external ID of ${entityRef}`;

    const [decision] = await permissions.authorize(
      [
        {
          permission: meterSiemExternalIdReadPermission,
          resourceRef: entityRef,
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to ${what}: only its owning team may read it`,
      );
    }
    const integration = await access.integration(entityRef);
    await access.assertMayAct(userRef, integration.ownerRef, what);
    if (!integration.roleArn) {
      throw new NotFoundError(
        `${entityRef} has no IAM role trusted by Meter, so it has no external ID`,
      );
    }
    const externalId = await readExternalId(clients, {
      roleArn: integration.roleArn,
      // IAM is global; any region signs the call.
      region: integration.region ?? AWS_REGIONS[0],
      meterPrincipalArn: settings.meterPrincipalArn,
    });
    logReveal(logger, userRef, entityRef);
    res.set('Cache-Control', 'no-store').json({ externalId });
  });
  return router;
}
