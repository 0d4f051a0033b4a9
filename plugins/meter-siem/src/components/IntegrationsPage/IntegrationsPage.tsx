import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  Alert,
  ButtonLink,
  Cell,
  CellText,
  ColumnConfig,
  Container,
  Flex,
  SearchField,
  SortDescriptor,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import { INTEGRATION_FILTER, formatRetention } from '../../integration';
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
    return items.map(toRow);
  }, [catalogApi]);
}

const SEARCH_KEY = 'q';
const URL_KEYS = [...FILTER_KEYS, SEARCH_KEY] as const;

const searchRows = (rows: IntegrationRow[], search: string) =>
  rows.filter(row => matchesSearch(row, search));

const SORT_VALUES: Record<string, (row: IntegrationRow) => string> = {
  name: row => row.view.title,
  owner: row => row.owner ?? '',
  account: row => row.view.accountId ?? '',
  region: row => row.view.region ?? '',
  environment: row => row.view.environment ?? '',
  capacity: row => row.capacity ?? '',
  retention: row => (row.view.retentionHours ?? '').padStart(6, '0'),
  encryption: row => row.view.encryption ?? '',
  status: row => row.view.streamStatus ?? '',
};

function sortRows(rows: IntegrationRow[], sort: SortDescriptor) {
  const value = SORT_VALUES[String(sort.column)];
  if (!value) return rows;
  const direction = sort.direction === 'descending' ? -1 : 1;
  return [...rows].sort((a, b) => value(a).localeCompare(value(b)) * direction);
}

function useColumns(): ColumnConfig<IntegrationRow>[] {
  const entityRoute = useRouteRef(entityRouteRef);
  return useMemo(
    () => [
      {
        id: 'name',
        minWidth: 180,
        label: 'Integration',
        isRowHeader: true,
        isSortable: true,
        cell: row => (
          <CellText
            title={row.view.title}
            description={row.view.name}
            href={entityRoute?.(row.entityRoute)}
          />
        ),
      },
      {
        id: 'owner',
        minWidth: 100,
        label: 'Owner',
        isSortable: true,
        cell: row => (
          <CellText
            title={row.owner ?? 'No owner'}
            color={row.owner ? undefined : 'secondary'}
            href={row.ownerRoute && entityRoute?.(row.ownerRoute)}
          />
        ),
      },
      {
        id: 'account',
        minWidth: 135,
        label: 'Account',
        isSortable: true,
        cell: row => <CellText title={row.view.accountId ?? ''} />,
      },
      {
        id: 'region',
        minWidth: 100,
        label: 'Region',
        isSortable: true,
        cell: row => <CellText title={row.view.region ?? ''} />,
      },
      {
        id: 'environment',
        minWidth: 110,
        label: 'Environment',
        isSortable: true,
        cell: row => <CellText title={row.view.environment ?? ''} />,
      },
      {
        id: 'capacity',
        minWidth: 160,
        label: 'Mode / shards',
        isSortable: true,
        cell: row => <CellText title={row.capacity ?? ''} />,
      },
      {
        id: 'retention',
        minWidth: 100,
        label: 'Retention',
        isSortable: true,
        cell: row => (
          <CellText
            title={formatRetention(row.view.retentionHours, 'short') ?? ''}
          />
        ),
      },
      {
        id: 'encryption',
        minWidth: 120,
        label: 'Encryption',
        isSortable: true,
        cell: row => <CellText title={row.view.encryption ?? ''} />,
      },
      {
        id: 'status',
        minWidth: 90,
        label: 'Status',
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
function CreateIntegrationLink(props: { variant: 'primary' | 'secondary' }) {
  const createIntegration = useRouteRef(createIntegrationRouteRef);
  if (!createIntegration) return null;
  return (
    <ButtonLink
      href={createIntegration(INTEGRATION_TEMPLATE)}
      variant={props.variant}
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
      <CreateIntegrationLink variant="primary" />
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
          <CreateIntegrationLink variant="secondary" />
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
