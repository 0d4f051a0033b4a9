import { Select } from '@backstage/ui';

// react-aria needs a key for the "no filter" option.
const ANY = '__any__';

/**
 * A filter over a table column: "All" or one of the values present in the
 * data. A value from a shared link that no row has any more stays
 * selectable, so the user sees why the table is empty.
 */
export function FilterSelect(props: {
  label: string;
  options: Array<{ id: string; label: string }>;
  selected?: string;
  onChange: (value: string | undefined) => void;
  minWidth: number;
}) {
  const { label, selected, onChange, minWidth } = props;
  const options =
    selected && !props.options.some(option => option.id === selected)
      ? [...props.options, { id: selected, label: selected }]
      : props.options;
  return (
    <Select
      label={label}
      style={{ minWidth }}
      options={[{ id: ANY, label: 'All' }, ...options]}
      value={selected ?? ANY}
      onChange={value =>
        onChange(value === ANY || value === null ? undefined : String(value))
      }
    />
  );
}
