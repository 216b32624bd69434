import { BaseUnit } from '../../../core/threads/units';
import { ThreadProfile } from '../../../core/threads/threadModel';

/**
 * A thread's call tree in the row order `@grafana/flamegraph` expects (depth-first pre-order, heaviest child first on
 * screen), as typed arrays that move from the worker to the page without a copy. Labels are indices into `names`,
 * which holds each frame name once.
 */
export interface FlameGraphRows {
  level: Int32Array;
  value: Float64Array;
  self: Float64Array;
  label: Int32Array;
  names: string[];
  unit: BaseUnit;
  /** Call-tree nodes left out: narrower than `drawnFraction` of the total (their weight stays in their parents). */
  leftOut: number;
  /** The share of the thread's total under which nodes are left out. */
  drawnFraction: number;
}

/**
 * The flame graph hides bars under half a pixel (`HIDE_THRESHOLD` of @grafana/flamegraph): at full width, well under
 * 2 000 pixels, nodes below 1/4 000 of the total are never drawn. Sending them anyway made the page build and lay out
 * tens of thousands of rows in one task; the thread table's totals and the push keep every node.
 */
export const DRAWN_FRACTION = 1 / 4_000;

export function flameGraphRows(thread: ThreadProfile, drawnFraction = DRAWN_FRACTION): FlameGraphRows {
  const { parent, frame, depth, self } = thread.tree;
  const nodeCount = parent.length;
  const total = Float64Array.from(self);
  // Children are created after their parents, so one backwards pass sums every subtree.
  for (let n = nodeCount - 1; n > 0; n--) {
    total[parent[n]] += total[n];
  }
  // A node's total is at most its parent's, so the nodes kept always hang from kept parents.
  const least = total[0] * drawnFraction;
  const children: number[][] = Array.from({ length: nodeCount }, () => []);
  let shown = 1;
  let leftOut = 0;
  for (let n = 1; n < nodeCount; n++) {
    if (total[n] > 0 && total[n] >= least) {
      children[parent[n]].push(n);
      shown++;
    } else if (total[n] > 0) {
      leftOut++;
    }
  }
  const rows: FlameGraphRows = {
    level: new Int32Array(shown),
    value: new Float64Array(shown),
    self: new Float64Array(shown),
    label: new Int32Array(shown),
    names: ['total'],
    unit: thread.baseUnit,
    leftOut,
    drawnFraction,
  };
  const nameIndex = new Map<number, number>();
  const stack = [0];
  for (let row = 0; stack.length > 0; row++) {
    const n = stack.pop()!;
    rows.level[row] = depth[n];
    rows.value[row] = total[n];
    rows.self[row] = self[n];
    if (n > 0) {
      let index = nameIndex.get(frame[n]);
      if (index === undefined) {
        index = rows.names.push(thread.frames[frame[n]].name) - 1;
        nameIndex.set(frame[n], index);
      }
      rows.label[row] = index;
    }
    // Heaviest first on screen means pushing the lightest first.
    const kids = children[n].sort((a, b) => total[a] - total[b]);
    for (const kid of kids) {
      stack.push(kid);
    }
  }
  return rows;
}

/**
 * How many rows the page draws first, in a task of its own. @grafana/flamegraph mounts in one go (its levels, its
 * header and its canvas), which with every drawn row takes several frames' time; with the few widest nodes it is
 * shorter, and the other rows then arrive as an update of the mounted graph, which React renders in slices where the
 * library lets it. (Drawing in more steps, 6, 16 and 32 frames first, made more long tasks, not shorter ones, when
 * the library's own top table remounted its visible rows at each step; the plugin's table has since replaced it.)
 */
export const FIRST_DRAWN_ROWS = 48;

/** The widest `maxRows` nodes (or a few more, on ties): the top of the tree, as rows of its own. */
export function firstRows(rows: FlameGraphRows, maxRows = FIRST_DRAWN_ROWS): FlameGraphRows {
  if (rows.value.length <= maxRows || !(rows.value[0] > 0)) {
    return rows;
  }
  const widest = rows.value.slice().sort().reverse();
  return coarserRows(rows, widest[maxRows - 1] / rows.value[0]);
}

/**
 * The rows of at least `fraction` of the total, from rows in pre-order: a node is never wider than its parent, so
 * the rows kept still form the tree's top, in the same order. Their names stay as they are.
 */
export function coarserRows(rows: FlameGraphRows, fraction: number): FlameGraphRows {
  if (fraction <= rows.drawnFraction) {
    return rows;
  }
  const least = rows.value[0] * fraction;
  let kept = 0;
  for (let row = 0; row < rows.value.length; row++) {
    if (row === 0 || rows.value[row] >= least) {
      kept++;
    }
  }
  const coarse: FlameGraphRows = {
    level: new Int32Array(kept),
    value: new Float64Array(kept),
    self: new Float64Array(kept),
    label: new Int32Array(kept),
    names: rows.names,
    unit: rows.unit,
    leftOut: rows.leftOut + rows.value.length - kept,
    drawnFraction: fraction,
  };
  let at = 0;
  for (let row = 0; row < rows.value.length; row++) {
    if (row === 0 || rows.value[row] >= least) {
      coarse.level[at] = rows.level[row];
      coarse.value[at] = rows.value[row];
      coarse.self[at] = rows.self[row];
      coarse.label[at] = rows.label[row];
      at++;
    }
  }
  return coarse;
}

/** The buffers to transfer along with the rows. */
export function flameGraphBuffers(rows: FlameGraphRows): ArrayBuffer[] {
  return [rows.level, rows.value, rows.self, rows.label].map((a) => a.buffer as ArrayBuffer);
}
