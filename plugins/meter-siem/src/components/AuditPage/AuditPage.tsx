import { useDeferredValue, useMemo, useState } from 'react';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  Badge,
  Button,
  Cell,
  ColumnConfig,
  Container,
  Flex,
  Link,
  Table,
  Text,
} from '@backstage/ui';
import { Finding, FindingsReport, Severity, meterSiemApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { entityRouteParams } from '../../integration';
import { useOwnerNames } from '../IntegrationsPage/useOwnerNames';
import { SeverityText } from '../Severity';
import { useUrlParams } from '../useUrlParams';
import { OwnerCounts, SeverityCounts } from './AuditSummary';
import {
  AUDIT_FILTER_KEYS,
  AuditFilterKey,
  AuditFilters,
  ownerCounts,
  pageOf,
  reportFilterOptions,
  toQuery,
} from './findings';
import { Remedy } from './remedy';
import { saveFile } from './saveFile';
import { useAuditReports } from './useAuditReports';
import { FilterSelect } from '../FilterSelect';

export const NO_FINDINGS =
  'No findings: every integration follows the tagging policy';

const PAGE_SIZE = 20;
const PAGE_SIZE_OPTIONS = [20, 50, 100];

const NO_COUNTS: Record<Severity, number> = {
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
};

const LABELS: Record<AuditFilterKey, string> = {
  owner: 'Owner',
  account: 'Account',
  region: 'Region',
  rule: 'Rule',
  severity: 'Severity',
};

function AuditFilterSelects(props: {
  report?: FindingsReport;
  filters: AuditFilters;
  onChange: (key: AuditFilterKey, value: string | undefined) => void;
  ownerName: OwnerName;
}) {
  const { filters, onChange, ownerName } = props;
  // The options after the table's rows: a new report draws its findings
  // first (the selects keep their size, showing their value meanwhile).
  const report = useDeferredValue(props.report);
  return (
    <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
      {AUDIT_FILTER_KEYS.map(key => (
        <FilterSelect
          key={key}
          label={LABELS[key]}
          minWidth={key === 'rule' ? 260 : 160}
          options={report ? reportFilterOptions(report, key, ownerName) : []}
          selected={filters[key]}
          onChange={value => onChange(key, value)}
        />
      ))}
    </Flex>
  );
}

const wrapStyle = { overflowWrap: 'anywhere' } as const;

/**
 * The narrowest a column may be: its header whole and its cells' padding,
 * and at least `content`. Every cell wraps rather than cuts its text.
 */
function columnWidth(label: string, content = 0): number {
  return Math.max(label.length * 8 + 32, content);
}

type OwnerName = (owner: string | undefined) => string | undefined;

/**
 * The findings' columns. Message and remedy are shown whole: the message
 * under the finding's title, the remedy with the link to the template that
 * does it; the rows grow rather than cut them.
 */
function useColumns(ownerName: OwnerName): ColumnConfig<Finding>[] {
  const entityRoute = useRouteRef(entityRouteRef);
  return useMemo(() => {
    const linkTo = (ref: string, defaultKind?: string) => {
      const params = entityRouteParams(ref, defaultKind);
      return params && entityRoute?.(params);
    };
    return [
      {
        id: 'severity',
        label: 'Severity',
        minWidth: columnWidth('Severity', 96),
        cell: finding => (
          <Cell>
            <SeverityText severity={finding.severity} />
          </Cell>
        ),
      },
      {
        id: 'finding',
        label: 'Finding',
        minWidth: columnWidth('Finding', 240),
        defaultWidth: '3fr',
        isRowHeader: true,
        cell: finding => (
          <Cell>
            <Flex direction="column" gap="1">
              <Text
                as="p"
                variant="body-medium"
                weight="bold"
                style={wrapStyle}
              >
                {finding.title}
              </Text>
              <Text as="p" variant="body-small" color="secondary">
                {finding.ruleId}
              </Text>
              <Text as="p" variant="body-medium" style={wrapStyle}>
                {finding.message}
              </Text>
            </Flex>
          </Cell>
        ),
      },
      {
        id: 'integration',
        label: 'Integration',
        minWidth: columnWidth('Integration', 150),
        defaultWidth: '1.5fr',
        cell: finding => {
          const href = linkTo(finding.entityRef);
          return (
            <Cell>
              <Flex direction="column" gap="0.5">
                {href ? (
                  <Link href={href} variant="body-medium" style={wrapStyle}>
                    {finding.integration}
                  </Link>
                ) : (
                  <Text as="p" variant="body-medium" style={wrapStyle}>
                    {finding.integration}
                  </Text>
                )}
                <Text as="p" variant="body-small" color="secondary">
                  {finding.resource}
                </Text>
                <Text as="p" variant="body-small" color="secondary">
                  {finding.accountId}
                </Text>
                <Text as="p" variant="body-small" color="secondary">
                  {finding.region}
                </Text>
              </Flex>
            </Cell>
          );
        },
      },
      {
        id: 'owner',
        label: 'Owner',
        minWidth: columnWidth('Owner', 130),
        defaultWidth: '1.5fr',
        cell: finding => (
          <Cell>
            <Flex direction="column" gap="1" align="start">
              <CellOwner
                owner={finding.owner}
                name={ownerName(finding.owner)}
                href={linkTo}
              />
              {finding.mine && <Badge size="small">Your team</Badge>}
            </Flex>
          </Cell>
        ),
      },
      {
        id: 'remedy',
        label: 'Remedy',
        minWidth: columnWidth('Remedy', 240),
        defaultWidth: '3fr',
        cell: finding => (
          <Cell>
            <Flex direction="column" gap="1" align="start">
              <Remedy finding={finding} />
            </Flex>
          </Cell>
        ),
      },
    ];
  }, [entityRoute, ownerName]);
}

function CellOwner(props: {
  owner: string;
  name?: string;
  href: (ref: string, defaultKind?: string) => string | undefined;
}) {
  if (!props.owner) {
    return (
      <Text variant="body-medium" color="secondary">
        No owner
      </Text>
    );
  }
  const href = props.href(props.owner, 'group');
  const name = props.name ?? props.owner;
  return href ? (
    <Link href={href} variant="body-medium" style={wrapStyle}>
      {name}
    </Link>
  ) : (
    <Text variant="body-medium" style={wrapStyle}>
      {name}
    </Text>
  );
}

function useCsvDownload(filters: AuditFilters) {
  const api = useApi(meterSiemApiRef);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<Error>();
  const download = async () => {
    setDownloading(true);
    setError(undefined);
    try {
      const { blob, filename } = await api.getFindingsCsv(toQuery(filters));
      saveFile(blob, filename);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setDownloading(false);
    }
  };
  return { download, downloading, error };
}

/**
 * The CSV of the current filters, whatever they hold: an empty report can
 * be kept as evidence too. The backend names the file after the filters and
 * the day.
 */
function CsvButton(props: {
  csv: ReturnType<typeof useCsvDownload>;
  isDisabled: boolean;
}) {
  const { csv, isDisabled } = props;
  return (
    <Button
      variant="secondary"
      onPress={csv.download}
      isPending={csv.downloading}
      isDisabled={isDisabled}
    >
      Download CSV
    </Button>
  );
}

function CsvError(props: { error?: Error }) {
  if (!props.error) return null;
  return (
    <Alert
      status="danger"
      icon
      title="Could not download the CSV"
      description={errorMessage(props.error)}
    />
  );
}

/** How many rows the table draws first, when it has none yet. */
const FIRST_ROWS = 5;

/**
 * The rows to draw: when the table has none yet, the first few at once and
 * the others in a render right after (the table's rows are costly to
 * draw, and those below the first few are out of sight on arrival).
 */
function useRowsFirstDrawn(rows: Finding[] | undefined) {
  const later = useDeferredValue(rows);
  const [drawn, setDrawn] = useState(false);
  if (rows && !drawn && later === rows) setDrawn(true);
  return drawn || later === rows ? rows : rows?.slice(0, FIRST_ROWS);
}

/**
 * The table's page: back to the first whenever the filters change.
 */
function usePaging(filters: AuditFilters) {
  const filterKey = AUDIT_FILTER_KEYS.map(key => filters[key] ?? '').join('\n');
  const [paging, setPaging] = useState({
    filterKey,
    offset: 0,
    pageSize: PAGE_SIZE,
  });
  const offset = paging.filterKey === filterKey ? paging.offset : 0;
  return {
    offset,
    pageSize: paging.pageSize,
    setOffset: (next: number) =>
      setPaging({ ...paging, filterKey, offset: Math.max(0, next) }),
    setPageSize: (pageSize: number) =>
      setPaging({ filterKey, offset: 0, pageSize }),
  };
}

/**
 * The ownership audit: counts by severity and by owner, filters, and the
 * findings with their remedy, a page at a time; the user's own team first.
 * The backend filters, counts and pages; this view shows its reports in the
 * backend's order.
 */
export function AuditPage() {
  const [filters, setFilters] = useUrlParams(AUDIT_FILTER_KEYS);
  const setFilter = (key: AuditFilterKey, value: string | undefined) =>
    setFilters({ [key]: value });
  const paging = usePaging(filters);
  const { offset, pageSize } = paging;
  const { all, shown, severities, owners, loading, error, retry } =
    useAuditReports(filters, { offset, pageSize });
  const ownerName = useOwnerNames(
    useMemo(() => all && Object.keys(all.counts.byOwner), [all]),
  );
  const columns = useColumns(ownerName);
  const csv = useCsvDownload(filters);
  const csvButton = <CsvButton csv={csv} isDisabled={!all} />;

  const page = useMemo(
    () => shown && pageOf(shown, offset, pageSize),
    [shown, offset, pageSize],
  );
  const rows = useRowsFirstDrawn(page?.rows);
  const total = page?.total;
  const owned = useMemo(() => (owners ? ownerCounts(owners) : []), [owners]);
  const mineCount = shown?.counts.mine ?? 0;

  if (error) {
    return (
      <Container py="4">
        <Alert
          status="danger"
          icon
          title="Could not load the audit findings"
          description={errorMessage(error)}
          customActions={
            <Button variant="secondary" size="small" onPress={retry}>
              Try again
            </Button>
          }
        />
      </Container>
    );
  }

  if (all && (all.totalFindings ?? all.findings.length) === 0) {
    return (
      <Container py="4">
        <Flex direction="column" gap="2" py="6">
          <Text as="h2" variant="title-small">
            {NO_FINDINGS}
          </Text>
          <Text as="p" variant="body-medium" color="secondary">
            Every stream and role has its owner and required tags, every owner
            is a group or user of the catalog, and every role and policy is as
            narrow as Meter needs.
          </Text>
          {/* An empty report is evidence too: it can be kept. */}
          <Flex direction="column" gap="2" align="start">
            {csvButton}
            <CsvError error={csv.error} />
          </Flex>
        </Flex>
      </Container>
    );
  }

  return (
    <Container py="4">
      <Flex direction="column" gap="5">
        <SeverityCounts
          counts={severities?.counts.bySeverity ?? NO_COUNTS}
          selected={filters.severity}
          onSelect={(severity?: Severity) => setFilter('severity', severity)}
        />
        <OwnerCounts
          owners={owned}
          ownerName={ownerName}
          selected={filters.owner}
          onSelect={owner => setFilter('owner', owner)}
        />
        <Flex direction="column" gap="3">
          <Flex
            justify="between"
            align="end"
            gap="3"
            style={{ flexWrap: 'wrap' }}
          >
            <AuditFilterSelects
              report={all}
              filters={filters}
              onChange={setFilter}
              ownerName={ownerName}
            />
            {csvButton}
          </Flex>
          <CsvError error={csv.error} />
          {total !== undefined && (
            <Text variant="body-small" color="secondary">
              {total} {total === 1 ? 'finding' : 'findings'}
              {mineCount > 0 && `, ${mineCount} of your team's, shown first`}
              {all?.factsReadAt
                ? `. Facts read from AWS ${factsAgeText(
                    all.factsReadAt,
                  )} (the oldest)`
                : all?.generatedAt &&
                  `. Report of ${new Date(all.generatedAt).toLocaleString()}`}
            </Text>
          )}
          <Table
            columnConfig={columns}
            data={rows}
            isPending={loading}
            isStale={loading && !!page}
            pagination={{
              type: 'page',
              pageSize,
              pageSizeOptions: PAGE_SIZE_OPTIONS,
              offset,
              totalCount: total,
              hasPreviousPage: offset > 0,
              hasNextPage: total !== undefined && offset + pageSize < total,
              onPreviousPage: () => paging.setOffset(offset - pageSize),
              onNextPage: () => paging.setOffset(offset + pageSize),
              onPageSizeChange: paging.setPageSize,
            }}
            emptyState={
              <Text as="p" variant="body-medium">
                No finding matches these filters.
              </Text>
            }
          />
        </Flex>
      </Flex>
    </Container>
  );
}

/** "5 minutes ago" for a past time, in the reader's words. */
export function factsAgeText(readAt: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(readAt)) / 60_000));
  if (minutes < 1) return 'less than a minute ago';
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours ago`;
  return `${Math.round(hours / 24)} days ago`;
}
