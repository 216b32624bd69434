import fc from 'fast-check';
import { FlameGraphNodes, matchingRows, sortTopTableRows, TopTableRow, topTableRows } from '../topTableRows';
import { callTrees, CallTreeNode as Node } from '../../../../../tests/helpers/callTrees';

const nodes = (list: Node[]): FlameGraphNodes => ({
  data: { length: list.length },
  getLabel: (i) => list[i].label,
  getLevel: (i) => list[i].level,
  getValue: (i) => list[i].value,
  getSelf: (i) => list[i].self,
});

/** The library's own way: a node's value counts unless its function is found on the stack above it. */
function naiveRows(list: Node[]): TopTableRow[] {
  const rows = new Map<string, TopTableRow>();
  const stack: string[] = [];
  for (const node of list) {
    stack.length = node.level;
    const row = rows.get(node.label) ?? { symbol: node.label, self: 0, total: 0 };
    rows.set(node.label, row);
    row.self += node.self;
    if (!stack.includes(node.label)) {
      row.total += node.value;
    }
    stack.push(node.label);
  }
  return [...rows.values()];
}

/** Random call trees over a few names, so they repeat. */
const trees = callTrees(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(50), { maxLength: 60 });

describe('topTableRows', () => {
  it('counts a recursive function’s total once per stack, and adds every self value', () => {
    // total > a > b > a > c, and a second b beside the first a.
    const rows = topTableRows(
      nodes([
        { label: 'total', level: 0, value: 12, self: 0 },
        { label: 'a', level: 1, value: 10, self: 1 },
        { label: 'b', level: 2, value: 9, self: 2 },
        { label: 'a', level: 3, value: 7, self: 3 },
        { label: 'c', level: 4, value: 4, self: 4 },
        { label: 'b', level: 1, value: 2, self: 2 },
      ])
    );
    expect(rows).toEqual([
      { symbol: 'total', self: 0, total: 12 },
      { symbol: 'a', self: 4, total: 10 },
      { symbol: 'b', self: 4, total: 11 },
      { symbol: 'c', self: 4, total: 4 },
    ]);
  });

  it('gives the same rows as a search up the stack, on any call tree', () => {
    fc.assert(fc.property(trees, (list) => expect(topTableRows(nodes(list))).toEqual(naiveRows(list))));
  });

  it('sorts by a column either way, ties in the graph’s order, without changing its input', () => {
    const rows: TopTableRow[] = [
      { symbol: 'total', self: 0, total: 14 },
      { symbol: 'a', self: 0, total: 14 },
      { symbol: 'b', self: 5, total: 14 },
      { symbol: 'c', self: 5, total: 5 },
      { symbol: 'd', self: 4, total: 4 },
    ];
    const symbols = (sorted: TopTableRow[]) => sorted.map((row) => row.symbol);
    expect(symbols(sortTopTableRows(rows, { column: 'self', desc: true }))).toEqual(['b', 'c', 'd', 'total', 'a']);
    expect(symbols(sortTopTableRows(rows, { column: 'self', desc: false }))).toEqual(['total', 'a', 'd', 'b', 'c']);
    expect(symbols(sortTopTableRows(rows, { column: 'total', desc: true }))).toEqual(['total', 'a', 'b', 'c', 'd']);
    expect(symbols(sortTopTableRows(rows, { column: 'symbol', desc: false }))).toEqual(['a', 'b', 'c', 'd', 'total']);
    expect(symbols(sortTopTableRows(rows, { column: 'symbol', desc: true }))).toEqual(['total', 'd', 'c', 'b', 'a']);
    expect(symbols(rows)).toEqual(['total', 'a', 'b', 'c', 'd']);
  });

  it('keeps the functions the graph’s search matched, or all without a search', () => {
    const rows = topTableRows(
      nodes([
        { label: 'total', level: 0, value: 3, self: 0 },
        { label: 'main', level: 1, value: 3, self: 1 },
        { label: 'work', level: 2, value: 2, self: 2 },
      ])
    );
    expect(matchingRows(rows, new Set(['work'])).map((row) => row.symbol)).toEqual(['work']);
    expect(matchingRows(rows, undefined)).toBe(rows);
  });
});
