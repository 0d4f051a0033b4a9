import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  RELATION_MEMBER_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  AuthenticationError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATIONS,
  Caller,
  isIntegrationEntity,
  decideAccess,
  isProviderEmitted,
  parseArn,
} from '@internal/backstage-plugin-meter-siem-common';

/** An integration as the catalog knows it, with the ARNs of its parts. */
export interface CatalogIntegration {
  entity: Entity;
  entityRef: string;
  ownerRef?: string;
  accountId: string;
  /** Absent for a role trusted by Meter that names no specific stream. */
  region?: string;
  streamArn?: string;
  roleArn?: string;
  policyArn?: string;
}

/**
 * Who may act on an integration, decided from the catalog: the user's
 * memberships and the integration's owner. Every backend part that acts on
 * an existing integration asks it, so that the rule holds whatever
 * permission policy an adopter installs.
 *
 * @public
 */
export class IntegrationAccess {
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #adminGroupRef?: string;

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    adminGroupRef?: string;
  }) {
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#adminGroupRef = options.adminGroupRef;
  }

  /** The user and the groups the catalog says they are a member of. */
  async caller(userRef: string | undefined): Promise<Caller> {
    if (!userRef) {
      throw new AuthenticationError(
        'This needs a signed-in user: acting on a Meter SIEM integration is allowed only to members of its owning group, and a service or anonymous request belongs to none.',
      );
    }
    const user = await this.#catalog.getEntityByRef(userRef, {
      credentials: await this.#auth.getOwnServiceCredentials(),
    });
    const namespace = parseEntityRef(userRef).namespace;
    const fromRelations = (user?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
    // The spec as well: relations are computed by the catalog's processing,
    // which has not run on a user read moments after it was registered.
    const fromSpec = ((user?.spec?.memberOf as string[] | undefined) ?? []).map(
      ref =>
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'group',
            defaultNamespace: namespace,
          }),
        ),
    );
    return {
      userRef,
      groupRefs: [...new Set([...fromRelations, ...fromSpec])],
    };
  }

  /**
   * Throws `NotAllowedError` naming who, what and why unless the user may
   * act on what `ownerRef` owns (or create something owned by it).
   */
  async assertMayAct(
    userRef: string | undefined,
    ownerRef: string | undefined,
    what: string,
  ): Promise<void> {
    const decision = decideAccess(
      await this.caller(userRef),
      ownerRef,
      this.#adminGroupRef,
    );
    if (!decision.allowed) {
      throw new NotAllowedError(
        `Not allowed to ${what}: ${
          decision.reason
        }. Only members of the owning group${
          this.#adminGroupRef ? ` or of ${this.#adminGroupRef}` : ''
        } may do this; ask one of them.`,
      );
    }
  }

  /**
   * Reads an integration entity emitted by our catalog provider. Entities
   * written by hand into a registered catalog file are refused: their ARNs
   * could point anywhere.
   */
  async integration(
    ref: string | CompoundEntityRef,
  ): Promise<CatalogIntegration> {
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(
        typeof ref === 'string'
          ? parseEntityRef(ref, { defaultKind: 'resource' })
          : ref,
      );
    } catch {
      throw new InputError(
        `integration must be an entity reference such as resource:default/hq-network-123456789012, not "${ref}"`,
      );
    }
    const entity = await this.#catalog.getEntityByRef(entityRef, {
      credentials: await this.#auth.getOwnServiceCredentials(),
    });
    if (!entity || !isIntegrationEntity(entity)) {
      throw new NotFoundError(
        `No Meter SIEM integration ${entityRef} in the catalog`,
      );
    }
    const annotations = entity.metadata.annotations ?? {};
    if (!isProviderEmitted(entity)) {
      throw new NotAllowedError(
        `${entityRef} was not discovered in AWS by the Meter SIEM catalog provider (it comes from a registered catalog file), so its ARNs are not trusted. Only integrations the provider found can be acted on.`,
      );
    }
    const streamArn = annotations[ANNOTATIONS.streamArn] || undefined;
    const roleArn = annotations[ANNOTATIONS.roleArn] || undefined;
    const accountId =
      annotations[ANNOTATIONS.accountId] ||
      (streamArn && parseArn(streamArn).accountId) ||
      (roleArn && parseArn(roleArn).accountId);
    if (!accountId || (!streamArn && !roleArn)) {
      throw new NotFoundError(
        `${entityRef} names neither a stream nor a role in AWS`,
      );
    }
    return {
      entity,
      entityRef,
      ownerRef: ownerRefOf(entity),
      accountId,
      region:
        annotations[ANNOTATIONS.region] ||
        (streamArn && parseArn(streamArn).region) ||
        undefined,
      streamArn,
      roleArn,
      policyArn: annotations[ANNOTATIONS.policyArn] || undefined,
    };
  }
}

/** Logs who read which integration's external ID, never the value. */
export function logReveal(
  logger: LoggerService,
  userRef: string,
  entityRef: string,
) {
  logger.info(`External ID of ${entityRef} revealed to ${userRef}`, {
    audit: 'meter-siem.external-id.reveal',
    actor: userRef,
    integration: entityRef,
  });
}

function ownerRefOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}
