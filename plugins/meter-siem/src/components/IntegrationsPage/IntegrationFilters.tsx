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

/**
 * The values present in the rows, with their labels: owners by display
 * name, the value in the address staying the ref's short form.
 */
function optionsOf(
  rows: IntegrationRow[],
  key: FilterKey,
): Array<{ id: string; label: string }> {
  const labels = new Map<string, string>();
  for (const row of rows) {
    const value = row.filterValues[key];
    if (value && !labels.has(value)) {
      labels.set(value, (key === 'owner' && row.ownerName) || value);
    }
  }
  return [...labels]
    .map(([id, label]) => ({ id, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
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
          options={optionsOf(rows, key)}
          selected={filters[key]}
          onChange={value => onChange(key, value)}
        />
      ))}
    </Flex>
  );
}
