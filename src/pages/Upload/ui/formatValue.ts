import { formattedValueToString, getValueFormat } from '@grafana/data';
import { BaseUnit } from '../../../core/threads/units';
import { grafanaUnit } from '../domain/grafanaUnit';

/** Values in Grafana's own unit formatting: `2.48 s`, `144 B`, `1.2 K`. */
export function formatValue(value: number, unit: BaseUnit): string {
  return formattedValueToString(getValueFormat(grafanaUnit(unit))(value, unit === 'count' ? 0 : 2));
}

export function plural(count: number, noun: string): string {
  return `${count.toLocaleString()} ${noun}${count === 1 ? '' : 's'}`;
}
