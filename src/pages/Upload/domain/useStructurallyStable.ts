import { useMemo } from 'react';

/**
 * The same value as long as its JSON is the same. Parse progress replaces the file entries many times a second;
 * without this, every tick would make a new plan input and the plan's debounce would never settle.
 */
export function useStructurallyStable<T>(value: T): T {
  const json = JSON.stringify(value);
  // Keyed by the JSON on purpose: a new object with the same content keeps the first one.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => value, [json]);
}
