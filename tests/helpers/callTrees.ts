import fc from 'fast-check';

/** A call-tree node as flame graph rows list them. */
export interface CallTreeNode {
  label: string;
  level: number;
  value: number;
  self: number;
}

/**
 * Random call trees in depth-first pre-order under a `total` root (level 0): each node is at most one level deeper
 * than the node before it and never a second root, and each node's value is its self plus its children's.
 */
export function callTrees(
  label: fc.Arbitrary<string>,
  self: fc.Arbitrary<number>,
  length: { minLength?: number; maxLength: number }
): fc.Arbitrary<CallTreeNode[]> {
  return fc.array(fc.record({ up: fc.nat(3), label, self }), length).map((steps) => {
    const list: CallTreeNode[] = [{ label: 'total', level: 0, value: 0, self: 0 }];
    for (const step of steps) {
      const level = Math.max(1, list[list.length - 1].level + 1 - step.up);
      list.push({ label: step.label, level, value: step.self, self: step.self });
    }
    for (let i = list.length - 1; i > 0; i--) {
      let parent = i - 1;
      while (list[parent].level >= list[i].level) {
        parent--;
      }
      list[parent].value += list[i].value;
    }
    return list;
  });
}
