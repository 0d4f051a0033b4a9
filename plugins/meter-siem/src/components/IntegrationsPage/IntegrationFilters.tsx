import { Flex } from '@backstage/ui';
import { FilterSelect } from '../FilterSelect';
import { IntegrationRow } from './rows';

/** The columns a user can filter by, and their query parameter names. */
export const FILTER_KEYS = [
  'owner',
  'account',
  'region',
  'environment',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];

export type Filters = Partial<Record<FilterKey, string>>;

const LABELS: Record<FilterKey, string> = {
  owner: 'Owner',
  account: 'Account',
  region: 'Region',
  environment: 'Environment',
};

function valuesOf(rows: IntegrationRow[], key: FilterKey): string[] {
  const values = new Set<string>();
  for (const row of rows) {
    const value = row.filterValues[key];
    if (value) values.add(value);
  }
  return [...values].sort((a, b) => a.localeCompare(b));
}

/** Whether a row passes every chosen filter. */
export function matchesFilters(row: IntegrationRow, filters: Filters) {
  return FILTER_KEYS.every(
    key => !filters[key] || row.filterValues[key] === filters[key],
  );
}

/** One select per filter, offering the values present in the data. */
export function IntegrationFilters(props: {
  rows: IntegrationRow[];
  filters: Filters;
  onChange: (key: FilterKey, value: string | undefined) => void;
}) {
  const { rows, filters, onChange } = props;
  return (
    <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
      {FILTER_KEYS.map(key => (
        <FilterSelect
          key={key}
          label={LABELS[key]}
          minWidth={180}
          options={valuesOf(rows, key).map(value => ({
            id: value,
            label: value,
          }))}
          selected={filters[key]}
          onChange={value => onChange(key, value)}
        />
      ))}
    </Flex>
  );
}
