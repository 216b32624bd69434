import { StackTree } from './threadModel';

export const ROOT_NODE = 0;

/** Small to start with: a file may hold 200 000 tiny profiles. Arrays double as they fill. */
const INITIAL_NODES = 16;

/**
 * Builds a StackTree by walking frames from the root. Children are found through an open-addressing hash table over
 * (parent, frame) pairs kept in typed arrays: no Map, no per-node object, and no limit from the number of frames, so
 * the tree can be built before the file's frame table has been read.
 */
export class StackTreeBuilder {
  private parent = new Int32Array(INITIAL_NODES);
  private frame = new Int32Array(INITIAL_NODES);
  private depth = new Int32Array(INITIAL_NODES);
  private self = new Float64Array(INITIAL_NODES);
  /** The child last found under each node: most paths through a profile repeat, so this answers most lookups. */
  private lastChild = new Int32Array(INITIAL_NODES);
  private count = 1;
  /** Node id + 1 per slot, 0 for an empty slot; the table is kept at most half full. */
  private slots = new Int32Array(2 * INITIAL_NODES);

  constructor() {
    this.parent[0] = -1;
    this.frame[0] = -1;
  }

  /** The child of `parentNode` for `frameIndex` (a non-negative int32), created on first use. */
  child(parentNode: number, frameIndex: number): number {
    const last = this.lastChild[parentNode];
    if (last !== 0 && this.frame[last] === frameIndex) {
      return last;
    }
    const found = this.lookup(parentNode, frameIndex);
    this.lastChild[parentNode] = found;
    return found;
  }

  /**
   * The node reached from `node` through `frames[from..to)` (each a non-negative int32), created where missing:
   * `child` for each, with the arrays in locals while the path repeats one already walked.
   */
  descend(node: number, frames: Float64Array, from: number, to: number): number {
    let lastChild = this.lastChild;
    let frame = this.frame;
    let at = node;
    for (let i = from; i < to; i++) {
      const frameIndex = frames[i];
      const last = lastChild[at];
      if (last !== 0 && frame[last] === frameIndex) {
        at = last;
        continue;
      }
      const found = this.lookup(at, frameIndex);
      // The lookup may have grown the arrays.
      lastChild = this.lastChild;
      frame = this.frame;
      lastChild[at] = found;
      at = found;
    }
    return at;
  }

  private lookup(parentNode: number, frameIndex: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hashPair(parentNode, frameIndex) & mask;
    for (;;) {
      const entry = slots[slot];
      if (entry === 0) {
        break;
      }
      const node = entry - 1;
      if (this.frame[node] === frameIndex && this.parent[node] === parentNode) {
        return node;
      }
      slot = (slot + 1) & mask;
    }
    const node = this.count;
    if (node === this.parent.length) {
      this.growNodes();
    }
    this.parent[node] = parentNode;
    this.frame[node] = frameIndex;
    this.depth[node] = this.depth[parentNode] + 1;
    this.count = node + 1;
    slots[slot] = node + 1;
    if (this.count * 2 > slots.length) {
      this.growSlots();
    }
    return node;
  }

  frameOf(node: number): number {
    return this.frame[node];
  }

  addSelf(node: number, value: number): void {
    this.self[node] += value;
  }

  build(): StackTree {
    const n = this.count;
    return {
      parent: this.parent.slice(0, n),
      frame: this.frame.slice(0, n),
      depth: this.depth.slice(0, n),
      self: this.self.slice(0, n),
    };
  }

  private growNodes(): void {
    const size = this.parent.length * 2;
    this.parent = grow(this.parent, new Int32Array(size));
    this.frame = grow(this.frame, new Int32Array(size));
    this.depth = grow(this.depth, new Int32Array(size));
    this.self = grow(this.self, new Float64Array(size));
    this.lastChild = grow(this.lastChild, new Int32Array(size));
  }

  private growSlots(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let node = 1; node < this.count; node++) {
      let slot = hashPair(this.parent[node], this.frame[node]) & mask;
      while (slots[slot] !== 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = node + 1;
    }
    this.slots = slots;
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function hashPair(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
