import { useCallback, useMemo } from 'react';
import { useAppSearchParams } from '@backstage/frontend-plugin-api';

/**
 * Some query parameters of the address as state, so that a filtered view
 * can be shared. Empty values are removed from the address; the history is
 * replaced, not pushed, so typing in a field does not fill the back button.
 */
export function useUrlParams<K extends string>(
  keys: readonly K[],
): [
  Partial<Record<K, string>>,
  (changes: Partial<Record<K, string | undefined>>) => void,
] {
  const [params, setParams] = useAppSearchParams();
  const values = useMemo(
    () =>
      Object.fromEntries(
        keys.flatMap(key => {
          const value = params.get(key);
          return value ? [[key, value]] : [];
        }),
      ) as Partial<Record<K, string>>,
    // The keys are a constant of the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [params],
  );
  const setValues = useCallback(
    (changes: Partial<Record<K, string | undefined>>) =>
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value) {
              next.set(key, value as string);
            } else {
              next.delete(key);
            }
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [values, setValues];
}
