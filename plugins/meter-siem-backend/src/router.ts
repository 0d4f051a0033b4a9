import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AUDIT_RULES,
  AUDIT_SEVERITIES,
  AuditReport,
  FindingFilters,
  INTEGRATION_ENTITY_FILTER,
  comparableOwner,
  countFindings,
  isIntegrationEntity,
  ownerRefFromTag,
} from '@internal/backstage-plugin-meter-siem-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  AuditIndex,
  IndexedIntegration,
  buildSnapshot,
  queryFindings,
} from './auditIndex';
import { catalogReadVisibility } from './catalogAccess';
import { AuditConfig } from './config';
import { findingsToCsv } from './report';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  permissions: PermissionsService;
  audit: AuditConfig;
  /** The findings of every integration, kept up to date with the catalog. */
  index: AuditIndex;
  logger: LoggerService;
}

/**
 * Only what the audit reads, to keep the catalog's answer small, when it
 * reads the catalog for a request.
 */
const INTEGRATION_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  // Annotation keys hold dots, which field paths cannot address.
  'metadata.annotations',
  'spec.owner',
];

/** A query parameter given repeatedly, comma-separated, or both. */
function listParam(req: Request, name: string): string[] {
  const raw = req.query[name];
  const values = ([] as unknown[]).concat(raw ?? []);
  return values
    .filter((v): v is string => typeof v === 'string')
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
}

function oneOf(name: string, values: string[], allowed: readonly string[]) {
  const lower = values.map(v => v.toLowerCase());
  const unknown = lower.filter(v => !allowed.includes(v));
  if (unknown.length > 0) {
    throw new InputError(
      `Unknown ${name} ${unknown
        .map(v => `"${v}"`)
        .join(', ')}; expected one of ${allowed.join(', ')}`,
    );
  }
  return lower;
}

/** An owner filter value in the form the report's owners are matched in. */
function ownerParam(value: string): string {
  if (!ownerRefFromTag(value)) {
    throw new InputError(`owner "${value}" is not an entity reference`);
  }
  return comparableOwner(value);
}

function readFilters(req: Request): FindingFilters {
  return {
    owner: listParam(req, 'owner').map(ownerParam),
    account: listParam(req, 'account').map(v => v.toLowerCase()),
    region: listParam(req, 'region').map(v => v.toLowerCase()),
    rule: oneOf('rule', listParam(req, 'rule'), Object.keys(AUDIT_RULES)),
    severity: oneOf('severity', listParam(req, 'severity'), AUDIT_SEVERITIES),
  };
}

/** A file-name part: lower case letters, digits and `.`, joined by `-`. */
function fileNamePart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
}

/** `security` for `group:default/security`, `user-jane` for a user. */
function ownerFileNamePart(owner: string): string {
  try {
    const { kind, namespace, name } = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    return fileNamePart(
      [
        kind.toLowerCase() === 'group' ? '' : kind,
        namespace.toLowerCase() === 'default' ? '' : namespace,
        name,
      ]
        .filter(Boolean)
        .join('-'),
    );
  } catch {
    return fileNamePart(owner);
  }
}

const MAX_FILENAME_FILTER_LENGTH = 120;

/**
 * The CSV's file name, after what it holds and when it was made, so that
 * two downloads do not overwrite one another:
 * `meter-siem-findings-all-2026-11-28.csv`,
 * `meter-siem-findings-owner-security-severity-critical_high-2026-11-28.csv`,
 * `meter-siem-findings-hq-111111111111-2026-11-28.csv` for one integration.
 * The date is the server's, in UTC.
 */
export function findingsCsvFilename(
  filters: FindingFilters,
  entityRef: string | undefined,
  now: Date,
): string {
  const parts: string[] = [];
  if (entityRef) {
    try {
      parts.push(
        fileNamePart(
          parseEntityRef(entityRef, { defaultKind: 'resource' }).name,
        ),
      );
    } catch {
      parts.push(fileNamePart(entityRef));
    }
  }
  for (const [key, values] of Object.entries(filters)) {
    const named = (values ?? [])
      .map(value =>
        key === 'owner' ? ownerFileNamePart(value) : fileNamePart(value),
      )
      .filter(Boolean);
    if (named.length > 0) parts.push(`${key}-${named.join('_')}`);
  }
  const what =
    parts
      .join('-')
      .slice(0, MAX_FILENAME_FILTER_LENGTH)
      .replace(/[._-]+$/, '') || 'all';
  return `meter-siem-findings-${what}-${now.toISOString().slice(0, 10)}.csv`;
}

function wantsCsv(req: Request): boolean {
  const format = req.query.format;
  if (format === undefined) {
    return req.accepts(['application/json', 'text/csv']) === 'text/csv';
  }
  if (format !== 'json' && format !== 'csv') {
    throw new InputError('format must be json or csv');
  }
  return format === 'csv';
}

/** `limit` or `offset`: a whole number from 0, given once, or nothing. */
function countParam(req: Request, name: 'limit' | 'offset') {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new InputError(`${name} must be given once`);
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new InputError(
      `${name} must be a whole number from 0${
        name === 'limit' ? ' (0 for the counts alone)' : ''
      }; got "${raw.slice(0, 40)}"`,
    );
  }
  return value;
}

/**
 * The page of the JSON report asked for: from `offset` (default 0), at most
 * `limit` findings (default all of them). The CSV is never paged.
 */
function readPage(req: Request, csv: boolean) {
  const limit = countParam(req, 'limit');
  const offset = countParam(req, 'offset');
  if (csv && (limit !== undefined || offset !== undefined)) {
    throw new InputError(
      'limit and offset page the JSON report; the CSV always holds every finding that passes the filters: leave them out',
    );
  }
  return { limit, offset: offset ?? 0 };
}

function readEntityRef(req: Request): CompoundEntityRef | undefined {
  const entityRef = req.query.entityRef;
  if (entityRef === undefined) return undefined;
  if (typeof entityRef !== 'string') {
    throw new InputError('entityRef must be given once');
  }
  try {
    return parseEntityRef(entityRef, { defaultKind: 'resource' });
  } catch {
    throw new InputError(`entityRef "${entityRef}" is not an entity reference`);
  }
}

function notAnIntegration(ref: CompoundEntityRef) {
  return new NotFoundError(
    `No Meter SIEM integration ${stringifyEntityRef(ref)} in the catalog`,
  );
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    httpAuth,
    auth,
    userInfo,
    catalog,
    permissions,
    audit,
    index,
    logger,
  } = options;
  const router = Router();

  /**
   * The integrations' findings as the caller may see them: from the index,
   * with the catalog's read permission applied in memory; from the catalog
   * itself, with the caller's credentials, only when the permission's
   * conditions need the catalog, or for an integration not indexed yet.
   */
  async function findingsFor(
    credentials: BackstageCredentials,
    filters: FindingFilters,
    entityRef: CompoundEntityRef | undefined,
    now: number,
  ) {
    const [snapshot, visibility, ownership] = await Promise.all([
      index.snapshot().catch(error => {
        throw new ServiceUnavailableError(
          `The audit could not read the catalog: ${error}`,
        );
      }),
      catalogReadVisibility(permissions, credentials),
      auth.isPrincipal(credentials, 'user')
        ? userInfo
            .getUserInfo(credentials)
            .then(info => info.ownershipEntityRefs)
        : Promise.resolve([]),
    ]);
    const query = {
      filters,
      ownershipRefs: new Set(ownership.map(ref => ref.toLowerCase())),
      now,
    };
    // Straight from the catalog, as the caller may read it.
    const fromCatalog = async () => {
      const source = buildSnapshot(
        await readIntegrations(catalog, credentials, entityRef),
        snapshot.knownOwners,
        audit,
        now,
      );
      return queryFindings(
        source,
        { ...query, only: entityRef && source.integrations[0] },
        audit,
      );
    };

    if (visibility.type === 'unsupported') {
      logger.debug(
        `Reading the catalog for the audit of this request: the catalog read permission's ${visibility.reason} cannot be applied in memory`,
      );
      return fromCatalog();
    }
    let visible: ((i: IndexedIntegration) => boolean) | undefined;
    if (visibility.type === 'none') {
      visible = () => false;
    } else if (visibility.type === 'some') {
      visible = i => visibility.matches(i.searchTable);
    }
    if (!entityRef) {
      return queryFindings(snapshot, { ...query, visible }, audit);
    }
    const only = snapshot.byRef(stringifyEntityRef(entityRef));
    if (only) {
      if (visible && !visible(only)) throw notAnIntegration(entityRef);
      return queryFindings(snapshot, { ...query, only }, audit);
    }
    if (visibility.type === 'none') throw notAnIntegration(entityRef);
    // Not indexed yet: registered since the index was built, perhaps.
    return fromCatalog();
  }

  router.get('/findings', async (req, res) => {
    // The default auth policy has already refused anonymous requests.
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const filters = readFilters(req);
    const csv = wantsCsv(req);
    const { limit, offset } = readPage(req, csv);
    const entityRef = readEntityRef(req);
    const now = Date.now();
    const { findings, factsReadAt } = await findingsFor(
      credentials,
      filters,
      entityRef,
      now,
    );

    if (csv) {
      // The app may be served from another origin (3000 beside 7007 in
      // development): without this the browser hides the file name from it.
      res.append('Access-Control-Expose-Headers', 'Content-Disposition');
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment(
          findingsCsvFilename(
            filters,
            entityRef && stringifyEntityRef(entityRef),
            new Date(now),
          ),
        )
        .send(findingsToCsv(findings));
      return;
    }
    const report: AuditReport = {
      findings:
        limit === undefined
          ? findings.slice(offset)
          : findings.slice(offset, offset + limit),
      totalFindings: findings.length,
      offset,
      ...(limit !== undefined && { limit }),
      counts: countFindings(findings),
      generatedAt: new Date(now).toISOString(),
      ...(factsReadAt && { factsReadAt }),
    };
    res.status(200).json(report);
  });

  return router;
}

/** The integrations as the caller may read them, from the catalog. */
async function readIntegrations(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  entityRef: CompoundEntityRef | undefined,
): Promise<Entity[]> {
  if (entityRef !== undefined) {
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity || !isIntegrationEntity(entity)) {
      throw notAnIntegration(entityRef);
    }
    return [entity];
  }
  const { items } = await catalog.getEntities(
    {
      filter: INTEGRATION_ENTITY_FILTER,
      fields: INTEGRATION_FIELDS,
    },
    { credentials },
  );
  return items;
}
