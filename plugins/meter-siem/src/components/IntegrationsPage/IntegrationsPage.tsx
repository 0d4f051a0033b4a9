import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  ButtonLink,
  Cell,
  ColumnConfig,
  Container,
  Flex,
  Link,
  SearchField,
  SortDescriptor,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import {
  INTEGRATION_FILTER,
  formatEncryption,
  formatRetention,
} from '../../integration';
import { INTEGRATION_TEMPLATE, createIntegrationRouteRef } from '../../routes';
import { errorMessage } from '../errorMessage';
import { StreamStatus } from '../StreamStatus';
import { useUrlParams } from '../useUrlParams';
import {
  FILTER_KEYS,
  FilterKey,
  Filters,
  IntegrationFilters,
  matchesFilters,
} from './IntegrationFilters';
import { IntegrationRow, matchesSearch, toRow } from './rows';
import { readOwnerEntities } from './useOwnerNames';

// The pager offers these sizes, and BUI falls back to the first one when the
// page size is not among them.
const PAGE_SIZE = 20;
const PAGE_SIZE_OPTIONS = [20, 50, 100];

function useIntegrationRows() {
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: INTEGRATION_FILTER,
    });
    // The owners' display names, read once for every row, so that the
    // table sorts, filters and searches by them.
    const owners = await readOwnerEntities(
      catalogApi,
      items.map(entity =>
        typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined,
      ),
    );
    return items.map(entity => toRow(entity, owners));
  }, [catalogApi]);
}

const SEARCH_KEY = 'q';
const URL_KEYS = [...FILTER_KEYS, SEARCH_KEY] as const;

const searchRows = (rows: IntegrationRow[], search: string) =>
  rows.filter(row => matchesSearch(row, search));

const SORT_VALUES: Record<string, (row: IntegrationRow) => string> = {
  name: row => row.view.title,
  owner: row => row.ownerName ?? '',
  account: row => `${row.view.accountId ?? ''} ${row.view.region ?? ''}`,
  environment: row => row.view.environment ?? '',
  capacity: row => row.capacity ?? '',
  encryption: row => formatEncryption(row.view.encryption) ?? '',
  status: row => row.view.streamStatus ?? '',
};

function sortRows(rows: IntegrationRow[], sort: SortDescriptor) {
  const value = SORT_VALUES[String(sort.column)];
  if (!value) return rows;
  const direction = sort.direction === 'descending' ? -1 : 1;
  return [...rows].sort((a, b) => value(a).localeCompare(value(b)) * direction);
}

/**
 * The narrowest a column may be: its header whole (the label, the sort
 * arrow beside it and the cell's padding), and at least `content`. Every
 * cell wraps rather than cuts its text, so nothing is hidden at 1280 px.
 */
function columnWidth(label: string, content = 0): number {
  // Headers are bold 14 px text: about 9 px a character (measured at
  // 1280 px in Chromium, where 8 cut "Environment" and "Encryption").
  return Math.max(label.length * 9 + 56, content);
}

const wrapStyle = { overflowWrap: 'anywhere' } as const;

/** A cell whose text wraps: a first line, and a quieter second one. */
function WrapCell(props: {
  text?: string;
  secondary?: string;
  href?: string;
  color?: 'secondary';
  /** A value read as one token (an account id): never broken. */
  noBreak?: boolean;
}) {
  const { text, secondary, href, color, noBreak } = props;
  return (
    <Cell>
      <Flex direction="column" gap="0.5">
        {href ? (
          <Link href={href} variant="body-medium" style={wrapStyle}>
            {text}
          </Link>
        ) : (
          <Text
            as="p"
            variant="body-medium"
            color={color}
            style={noBreak ? { whiteSpace: 'nowrap' } : wrapStyle}
          >
            {text}
          </Text>
        )}
        {secondary && (
          <Text as="p" variant="body-small" color="secondary" style={wrapStyle}>
            {secondary}
          </Text>
        )}
      </Flex>
    </Cell>
  );
}

function useColumns(): ColumnConfig<IntegrationRow>[] {
  const entityRoute = useRouteRef(entityRouteRef);
  return useMemo(
    () => [
      {
        id: 'name',
        label: 'Integration',
        minWidth: columnWidth('Integration', 160),
        defaultWidth: '2fr',
        isRowHeader: true,
        isSortable: true,
        cell: row => (
          <WrapCell
            text={row.view.title}
            secondary={row.view.name}
            href={entityRoute?.(row.entityRoute)}
          />
        ),
      },
      {
        id: 'owner',
        label: 'Owner',
        minWidth: columnWidth('Owner', 120),
        defaultWidth: '1.5fr',
        isSortable: true,
        cell: row => (
          <WrapCell
            text={row.ownerName ?? 'No owner'}
            color={row.ownerName ? undefined : 'secondary'}
            href={row.ownerRoute && entityRoute?.(row.ownerRoute)}
          />
        ),
      },
      {
        id: 'account',
        label: 'Account',
        minWidth: columnWidth('Account', 160),
        isSortable: true,
        cell: row => (
          <WrapCell
            text={row.view.accountId}
            secondary={row.view.region}
            noBreak
          />
        ),
      },
      {
        id: 'environment',
        label: 'Environment',
        minWidth: columnWidth('Environment'),
        isSortable: true,
        cell: row => <WrapCell text={row.view.environment} />,
      },
      {
        id: 'capacity',
        label: 'Capacity',
        minWidth: columnWidth('Capacity', 130),
        isSortable: true,
        cell: row => {
          const retention = formatRetention(row.view.retentionHours, 'short');
          return (
            <WrapCell
              text={row.capacity}
              secondary={retention && `${retention} retention`}
            />
          );
        },
      },
      {
        id: 'encryption',
        label: 'Encryption',
        minWidth: columnWidth('Encryption'),
        isSortable: true,
        cell: row => <WrapCell text={formatEncryption(row.view.encryption)} />,
      },
      {
        id: 'status',
        label: 'Status',
        minWidth: columnWidth('Status', 105),
        isSortable: true,
        cell: row => (
          <Cell>
            {row.view.streamStatus ? (
              <StreamStatus status={row.view.streamStatus} />
            ) : (
              <Text color="secondary">Unknown</Text>
            )}
          </Cell>
        ),
      },
    ],
    [entityRoute],
  );
}

/**
 * The link to the template that creates an integration; none in an app
 * without the scaffolder (the external route is then unbound).
 */
function CreateIntegrationLink() {
  const createIntegration = useRouteRef(createIntegrationRouteRef);
  if (!createIntegration) return null;
  // Primary: BUI's secondary variant has no border and, on the page's
  // background, reads as bold text rather than as a button.
  return (
    <ButtonLink
      href={createIntegration(INTEGRATION_TEMPLATE)}
      variant="primary"
      size="medium"
    >
      Create a SIEM integration
    </ButtonLink>
  );
}

function NoIntegrations() {
  return (
    <Flex direction="column" gap="3" align="start" py="6">
      <Text as="h2" variant="title-small">
        No SIEM integrations yet
      </Text>
      <Text as="p" variant="body-medium">
        An integration is the Kinesis stream, IAM policy and IAM role through
        which Meter exports its intrusion-detection and DHCP events to your AWS
        account. Create one with the Meter SIEM integration template: it creates
        and tags the AWS resources, registers them here, and gives you the
        stream ARN, role ARN and external ID to paste into Meter&apos;s
        Dashboard. Integrations made by hand appear here after the next catalog
        sync.
      </Text>
      <CreateIntegrationLink />
    </Flex>
  );
}

/** Every Meter SIEM integration in the catalog, filterable. */
export function IntegrationsPage() {
  const { value: rows, loading, error } = useIntegrationRows();
  const [params, setParams] = useUrlParams(URL_KEYS);
  const filters: Filters = params;
  const search = params[SEARCH_KEY] ?? '';
  const setFilter = (key: FilterKey, value?: string) =>
    setParams({ [key]: value });
  const columns = useColumns();
  const visibleRows = useMemo(
    () => rows?.filter(row => matchesFilters(row, filters)),
    [rows, filters],
  );
  const { tableProps } = useTable({
    mode: 'complete',
    data: visibleRows,
    // The search is in the address; the table resets to its first page
    // when it changes.
    search,
    searchFn: searchRows,
    sortFn: sortRows,
    initialSort: { column: 'name', direction: 'ascending' },
    paginationOptions: {
      pageSize: PAGE_SIZE,
      pageSizeOptions: PAGE_SIZE_OPTIONS,
    },
  });

  let content;
  if (error) {
    content = (
      <Alert
        status="danger"
        icon
        title="Could not load the SIEM integrations from the catalog"
        description={errorMessage(error)}
      />
    );
  } else if (rows && rows.length === 0) {
    content = <NoIntegrations />;
  } else {
    content = (
      <Flex direction="column" gap="4">
        <Flex
          justify="between"
          align="end"
          gap="3"
          style={{ flexWrap: 'wrap' }}
        >
          <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
            <SearchField
              label="Search"
              placeholder="Name, owner, stream or role ARN"
              style={{ minWidth: 280 }}
              value={search}
              onChange={value => setParams({ [SEARCH_KEY]: value })}
            />
            <IntegrationFilters
              rows={rows ?? []}
              filters={filters}
              onChange={setFilter}
            />
          </Flex>
          <CreateIntegrationLink />
        </Flex>
        <Table
          columnConfig={columns}
          {...tableProps}
          isPending={loading}
          emptyState={
            <Text as="p" variant="body-medium">
              {search
                ? 'No integration matches this search and these filters.'
                : 'No integration matches these filters.'}
            </Text>
          }
        />
      </Flex>
    );
  }

  return <Container py="4">{content}</Container>;
}
