/**
 * A list without bullets or indent whose items stack with a gap (a
 * @backstage/ui space token, e.g. `3`).
 */
export function plainListStyle(gap: '1' | '2' | '3' | '4') {
  return {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: `var(--bui-space-${gap})`,
  } as const;
}
