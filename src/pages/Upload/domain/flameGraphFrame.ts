import { createDataFrame, DataFrame, FieldType } from '@grafana/data';
import { ThreadProfile } from '../../../core/threads/threadModel';

const UNIT = { nanoseconds: 'ns', bytes: 'bytes', count: 'short' } as const;

/**
 * The DataFrame `@grafana/flamegraph` expects: one row per call-tree node in depth-first pre-order, with
 * `level`, `label`, inclusive `value` and exclusive `self`; a `total` root at level 0.
 */
export function flameGraphFrame(thread: ThreadProfile): DataFrame {
  const { parent, frame, depth, self } = thread.tree;
  const nodeCount = parent.length;
  const total = Float64Array.from(self);
  // Children are created after their parents, so one backwards pass sums every subtree.
  for (let n = nodeCount - 1; n > 0; n--) {
    total[parent[n]] += total[n];
  }
  const children: number[][] = Array.from({ length: nodeCount }, () => []);
  for (let n = 1; n < nodeCount; n++) {
    if (total[n] > 0) {
      children[parent[n]].push(n);
    }
  }
  const names = thread.frames;
  const levels: number[] = [];
  const labels: string[] = [];
  const values: number[] = [];
  const selfs: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const n = stack.pop()!;
    levels.push(depth[n]);
    labels.push(n === 0 ? 'total' : names[frame[n]].name);
    values.push(total[n]);
    selfs.push(self[n]);
    // Heaviest first on screen means pushing the lightest first.
    const kids = children[n].sort((a, b) => total[a] - total[b]);
    stack.push(...kids);
  }
  const unit = UNIT[thread.baseUnit];
  return createDataFrame({
    name: 'response',
    meta: { preferredVisualisationType: 'flamegraph' },
    fields: [
      { name: 'level', type: FieldType.number, values: levels },
      { name: 'value', type: FieldType.number, values: values, config: { unit } },
      { name: 'self', type: FieldType.number, values: selfs, config: { unit } },
      { name: 'label', type: FieldType.string, values: labels },
    ],
  });
}
