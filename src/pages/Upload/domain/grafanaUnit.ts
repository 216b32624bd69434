import { BaseUnit } from '../../../core/threads/units';

/** Grafana's unit id for a base unit: the one map the tables, summaries and flame graph format values with. */
const GRAFANA_UNITS: Record<BaseUnit, string> = { nanoseconds: 'ns', bytes: 'bytes', count: 'short' };

export function grafanaUnit(unit: BaseUnit): string {
  return GRAFANA_UNITS[unit];
}
