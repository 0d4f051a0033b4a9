import { useMemo, useState } from 'react';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  Badge,
  Button,
  Cell,
  CellText,
  ColumnConfig,
  Container,
  Flex,
  Link,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import { Finding, Severity, meterSiemApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { entityRouteParams, formatOwner } from '../../integration';
import { SeverityText } from '../Severity';
import { useUrlParams } from '../useUrlParams';
import { OwnerCounts, SeverityCounts } from './AuditSummary';
import {
  AUDIT_FILTER_KEYS,
  AuditFilterKey,
  AuditFilters,
  filterOptions,
  ownerCounts,
  toQuery,
} from './findings';
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
  findings: Finding[];
  filters: AuditFilters;
  onChange: (key: AuditFilterKey, value: string | undefined) => void;
}) {
  const { findings, filters, onChange } = props;
  return (
    <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
      {AUDIT_FILTER_KEYS.map(key => (
        <FilterSelect
          key={key}
          label={LABELS[key]}
          minWidth={key === 'rule' ? 260 : 160}
          options={filterOptions(findings, key)}
          selected={filters[key]}
          onChange={value => onChange(key, value)}
        />
      ))}
    </Flex>
  );
}

function useColumns(): ColumnConfig<Finding>[] {
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
        minWidth: 90,
        cell: finding => (
          <Cell>
            <SeverityText severity={finding.severity} />
          </Cell>
        ),
      },
      {
        id: 'finding',
        label: 'Finding',
        minWidth: 200,
        isRowHeader: true,
        cell: finding => (
          <CellText title={finding.title} description={finding.ruleId} />
        ),
      },
      {
        id: 'integration',
        label: 'Integration',
        minWidth: 160,
        cell: finding => (
          <CellText
            title={finding.integration}
            description={finding.resource}
            href={linkTo(finding.entityRef)}
          />
        ),
      },
      {
        id: 'owner',
        label: 'Owner',
        minWidth: 130,
        cell: finding => (
          <Cell>
            <Flex direction="column" gap="1" align="start">
              <CellOwner owner={finding.owner} href={linkTo} />
              {finding.mine && <Badge size="small">Your team</Badge>}
            </Flex>
          </Cell>
        ),
      },
      {
        id: 'location',
        label: 'Account / region',
        minWidth: 130,
        cell: finding => (
          <CellText title={finding.accountId} description={finding.region} />
        ),
      },
      {
        id: 'message',
        label: 'Message',
        minWidth: 220,
        cell: finding => <CellText title={finding.message} />,
      },
      {
        id: 'remedy',
        label: 'Remedy',
        minWidth: 220,
        cell: finding => <CellText title={finding.remedy} />,
      },
    ];
  }, [entityRoute]);
}

function CellOwner(props: {
  owner: string;
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
  const name = formatOwner(props.owner);
  return href ? (
    <Link href={href} variant="body-medium">
      {name}
    </Link>
  ) : (
    <Text variant="body-medium">{name}</Text>
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
 * The ownership audit: counts by severity and by owner, filters, and every
 * finding with its remedy; the user's own team first. The backend filters
 * and counts; this view shows its reports in the backend's order.
 */
export function AuditPage() {
  const [filters, setFilters] = useUrlParams(AUDIT_FILTER_KEYS);
  const setFilter = (key: AuditFilterKey, value: string | undefined) =>
    setFilters({ [key]: value });
  const { all, shown, severities, owners, loading, error, retry } =
    useAuditReports(filters);
  const columns = useColumns();
  const csv = useCsvDownload(filters);

  const visible = shown?.findings;
  const owned = useMemo(() => (owners ? ownerCounts(owners) : []), [owners]);
  const mineCount = shown?.counts.mine ?? 0;

  const { tableProps } = useTable({
    mode: 'complete',
    data: visible,
    paginationOptions: {
      pageSize: PAGE_SIZE,
      pageSizeOptions: PAGE_SIZE_OPTIONS,
    },
  });

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

  if (all && all.findings.length === 0) {
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
              findings={all?.findings ?? []}
              filters={filters}
              onChange={setFilter}
            />
            <Button
              variant="secondary"
              onPress={csv.download}
              isPending={csv.downloading}
              isDisabled={!all}
            >
              Download CSV
            </Button>
          </Flex>
          {csv.error && (
            <Alert
              status="danger"
              icon
              title="Could not download the CSV"
              description={errorMessage(csv.error)}
            />
          )}
          {visible && (
            <Text variant="body-small" color="secondary">
              {visible.length} {visible.length === 1 ? 'finding' : 'findings'}
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
            {...tableProps}
            isPending={loading}
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
