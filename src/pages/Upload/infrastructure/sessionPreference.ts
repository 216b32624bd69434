import { PLUGIN_ID } from '../../../constants';

const keyOf = (name: string) => `${PLUGIN_ID}.${name}`;

/** A yes/no choice remembered for the browser tab's session; storage that is unavailable (privacy modes) is no choice. */
export function readSessionFlag(name: string): boolean | undefined {
  try {
    const value = window.sessionStorage.getItem(keyOf(name));
    return value === null ? undefined : value === 'true';
  } catch {
    return undefined;
  }
}

export function writeSessionFlag(name: string, value: boolean): void {
  try {
    window.sessionStorage.setItem(keyOf(name), String(value));
  } catch {
    // Not remembered: the page still works for this visit.
  }
}
