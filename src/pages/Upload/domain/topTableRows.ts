/**
 * The flame graph's nodes as @grafana/flamegraph's data container gives them: depth-first pre-order, one label, level,
 * inclusive value and self value per node.
 */
export interface FlameGraphNodes {
  data: { length: number };
  getLabel(index: number): string;
  getLevel(index: number): number;
  getValue(index: number): number;
  getSelf(index: number): number;
}

/** One function of the top table: its self value summed over its nodes, and its total counted once per stack. */
export interface TopTableRow {
  symbol: string;
  self: number;
  total: number;
}

export type TopTableColumn = 'symbol' | 'self' | 'total';

export interface TopTableSort {
  column: TopTableColumn;
  desc: boolean;
}

/**
 * One row per function, as the library's own top table counts it: `self` adds every node's self value; `total` adds
 * a node's value only where the function is not already on the stack above it, so recursion is not counted twice.
 * Linear in the nodes: a count per function of its frames on the current stack replaces a search up the stack.
 */
export function topTableRows(nodes: FlameGraphNodes): TopTableRow[] {
  const rows: TopTableRow[] = [];
  const rowOf = new Map<string, number>();
  const onStack: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < nodes.data.length; i++) {
    const level = nodes.getLevel(i);
    while (stack.length > level) {
      onStack[stack.pop()!]--;
    }
    const symbol = nodes.getLabel(i);
    let row = rowOf.get(symbol);
    if (row === undefined) {
      row = rows.push({ symbol, self: 0, total: 0 }) - 1;
      rowOf.set(symbol, row);
      onStack.push(0);
    }
    rows[row].self += nodes.getSelf(i);
    if (onStack[row] === 0) {
      rows[row].total += nodes.getValue(i);
    }
    onStack[row]++;
    stack.push(row);
  }
  return rows;
}

/** A new array in the chosen order; ties keep the rows' order (the graph's, heaviest first). */
export function sortTopTableRows(rows: readonly TopTableRow[], { column, desc }: TopTableSort): TopTableRow[] {
  const sign = desc ? -1 : 1;
  const compare =
    column === 'symbol'
      ? (a: TopTableRow, b: TopTableRow) => sign * (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)
      : (a: TopTableRow, b: TopTableRow) => sign * (a[column] - b[column]);
  return [...rows].sort(compare);
}

/** The library's label search names the matching functions; without a search every row shows. */
export function matchingRows(rows: TopTableRow[], matched: ReadonlySet<string> | undefined): TopTableRow[] {
  return matched ? rows.filter((row) => matched.has(row.symbol)) : rows;
}
