import { formattedValueToString, getValueFormat } from '@grafana/data';
import { ProfileTypeChoice } from '../../../core/plan/profileTypes';
import { BaseUnit } from '../../../core/threads/units';
import { grafanaUnit } from '../domain/grafanaUnit';

/** Values in Grafana's own unit formatting: `2.48 s`, `144 B`, `1.2 K`. */
export function formatValue(value: number, unit: BaseUnit): string {
  return formattedValueToString(getValueFormat(grafanaUnit(unit))(value, unit === 'count' ? 0 : 2));
}

/** `1 thread`, `2 threads`; nouns with their own plural give it (`plural(n, 'series', 'series')`). */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? noun : pluralNoun}`;
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** Sizes in binary units, labelled as such (1 MiB = 1 048 576 bytes), as Pyroscope's limits are: `512 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${Math.round(bytes)} B`;
  }
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${BYTE_UNITS[unit]}`;
}

/** Profile types in the words people use for them. */
export const PROFILE_TYPE_LABELS: Record<ProfileTypeChoice, string> = {
  cpu: 'CPU time',
  wall: 'Wall time',
  memory: 'Memory (allocated bytes)',
  samples: 'Sample counts',
};
