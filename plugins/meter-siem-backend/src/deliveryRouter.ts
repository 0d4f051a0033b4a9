import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DELIVERY_LOOKBACK_MINUTES,
  resourceName,
  validateLookbackMinutes,
} from '@internal/backstage-plugin-meter-siem-common';
import {
  AwsClientFactory,
  IntegrationAccess,
  readDelivery,
} from '@internal/backstage-plugin-meter-siem-node';
import express from 'express';
import Router from 'express-promise-router';

export interface DeliveryRouterOptions {
  httpAuth: HttpAuthService;
  access: IntegrationAccess;
  clients: AwsClientFactory;
}

/**
 * `POST /integrations/:namespace/:name/verify-delivery`: reads the
 * integration's stream for Meter's test event (see `readDelivery`) and
 * answers the `DeliveryReport`, for the integration's owning group and the
 * admin group, as the verify template does. Body (optional):
 * `{"sinceMinutes": 1..1440}`. POST: every call reads AWS anew.
 */
export function createDeliveryRouter(options: DeliveryRouterOptions) {
  const { httpAuth, access, clients } = options;
  const router = Router();

  router.post(
    '/integrations/:namespace/:name/verify-delivery',
    express.json(),
    async (req, res) => {
      // Users only: a service token acts for nobody who could own it (403);
      // no token at all is a 401.
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const sinceMinutes = req.body?.sinceMinutes;
      const [issue] = validateLookbackMinutes(sinceMinutes);
      if (issue) throw new InputError(`${issue.field} ${issue.message}`);
      const entityRef = stringifyEntityRef({
        kind: 'resource',
        namespace: req.params.namespace,
        name: req.params.name,
      });
      const integration = await access.integration(entityRef);
      await access.assertMayAct(
        credentials.principal.userEntityRef,
        integration.ownerRef,
        `verify delivery of ${entityRef}`,
      );
      if (!integration.streamArn || !integration.region) {
        throw new NotFoundError(`${entityRef} has no Kinesis stream to read`);
      }
      const aws = await clients.forAccount({
        accountId: integration.accountId,
        region: integration.region,
      });
      const minutes = sinceMinutes ?? DELIVERY_LOOKBACK_MINUTES.default;
      const report = await readDelivery(
        aws,
        resourceName(integration.streamArn),
        { since: new Date(Date.now() - minutes * 60_000) },
      );
      res.set('Cache-Control', 'no-store').json(report);
    },
  );
  return router;
}
