import {
  AuthService,
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AUDIT_RULES,
  AUDIT_SEVERITIES,
  AuditFinding,
  FindingFilters,
  INTEGRATION_ENTITY_FILTER,
  comparableOwner,
  filterFindings,
  isIntegrationEntity,
  ownerRefFromTag,
} from '@internal/backstage-plugin-meter-siem-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { AuditConfig } from './config';
import {
  buildReport,
  findingsOf,
  findingsToCsv,
  oldestFactsReadAt,
} from './report';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  audit: AuditConfig;
}

/** Only what the audit reads, to keep the catalog's answer small. */
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

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auth, userInfo, catalog, audit } = options;
  const router = Router();

  router.get('/findings', async (req, res) => {
    // The default auth policy has already refused anonymous requests.
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const filters = readFilters(req);
    const csv = wantsCsv(req);
    const entityRef =
      typeof req.query.entityRef === 'string' ? req.query.entityRef : undefined;

    // The integrations as the caller may see them; the owners with the
    // plugin's own credentials, so that an owner hidden from the caller is
    // not reported as unknown.
    const now = Date.now();
    const ownCredentials = await auth.getOwnServiceCredentials();
    const [integrations, owners, ownership] = await Promise.all([
      readIntegrations(catalog, credentials, entityRef),
      catalog.getEntities(
        {
          filter: [{ kind: 'Group' }, { kind: 'User' }],
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials: ownCredentials },
      ),
      auth.isPrincipal(credentials, 'user')
        ? userInfo
            .getUserInfo(credentials)
            .then(info => info.ownershipEntityRefs)
        : Promise.resolve([]),
    ]);
    const knownOwners = new Set(
      owners.items.map(e => stringifyEntityRef(e).toLowerCase()),
    );
    const findings: AuditFinding[] = filterFindings(
      findingsOf(
        integrations,
        {
          ...audit,
          knownOwners,
          staleness: {
            now,
            staleAfterMs: audit.staleAfterMs,
            rotationMaxAgeMs: audit.rotationMaxAgeMs,
          },
        },
        new Set(ownership.map(ref => ref.toLowerCase())),
      ),
      filters,
    );
    const report = buildReport(findings, oldestFactsReadAt(integrations));

    if (csv) {
      // The app may be served from another origin (3000 beside 7007 in
      // development): without this the browser hides the file name from it.
      res.append('Access-Control-Expose-Headers', 'Content-Disposition');
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment(findingsCsvFilename(filters, entityRef, new Date(now)))
        .send(findingsToCsv(report.findings));
      return;
    }
    res.status(200).json(report);
  });

  return router;
}

async function readIntegrations(
  catalog: CatalogService,
  credentials: Awaited<ReturnType<HttpAuthService['credentials']>>,
  entityRef: string | undefined,
): Promise<Entity[]> {
  if (entityRef !== undefined) {
    let ref;
    try {
      ref = parseEntityRef(entityRef, { defaultKind: 'resource' });
    } catch {
      throw new InputError(
        `entityRef "${entityRef}" is not an entity reference`,
      );
    }
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity || !isIntegrationEntity(entity)) {
      throw new NotFoundError(
        `No Meter SIEM integration ${stringifyEntityRef(ref)} in the catalog`,
      );
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
