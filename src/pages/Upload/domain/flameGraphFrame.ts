import { createDataFrame, DataFrame, FieldType } from '@grafana/data';
import { FlameGraphRows } from './flameGraphRows';
import { grafanaUnit } from './grafanaUnit';

/**
 * The DataFrame `@grafana/flamegraph` expects: one row per call-tree node in depth-first pre-order, with
 * `level`, `label`, inclusive `value` and exclusive `self`; a `total` root at level 0.
 */
export function flameGraphFrame(rows: FlameGraphRows): DataFrame {
  const unit = grafanaUnit(rows.unit);
  const labels = Array.from(rows.label, (i) => rows.names[i]);
  return createDataFrame({
    name: 'response',
    meta: { preferredVisualisationType: 'flamegraph' },
    fields: [
      { name: 'level', type: FieldType.number, values: Array.from(rows.level) },
      { name: 'value', type: FieldType.number, values: Array.from(rows.value), config: { unit } },
      { name: 'self', type: FieldType.number, values: Array.from(rows.self), config: { unit } },
      { name: 'label', type: FieldType.string, values: labels },
    ],
  });
}
