import { StackTree } from '../../src/core/threads/threadModel';

/**
 * A stack tree from fast-check's raw numbers, for property tests: node n's parent is `parents[n - 1] % n` (so every
 * parent comes before its child) and its frame `frameChoices[n - 1] % frameCount`. `self` is left at zero.
 */
export function randomStackTree(parents: number[], frameChoices: number[], frameCount: number): StackTree {
  const nodes = parents.length + 1;
  const parent = new Int32Array(nodes);
  const frame = new Int32Array(nodes);
  const depth = new Int32Array(nodes);
  parent[0] = -1;
  frame[0] = -1;
  for (let n = 1; n < nodes; n++) {
    parent[n] = parents[n - 1] % n;
    frame[n] = frameChoices[n - 1] % frameCount;
    depth[n] = depth[parent[n]] + 1;
  }
  return { parent, frame, depth, self: new Float64Array(nodes) };
}
