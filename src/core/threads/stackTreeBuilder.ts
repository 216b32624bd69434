import { GrowableFloat64, GrowableInt32 } from '../util/growable';
import { StackTree } from './threadModel';

export const ROOT_NODE = 0;

/** Builds a StackTree by walking frames from the root; one Map lookup per (parent, frame) step. */
export class StackTreeBuilder {
  private readonly parent = new GrowableInt32();
  private readonly frame = new GrowableInt32();
  private readonly depth = new GrowableInt32();
  private readonly self = new GrowableFloat64();
  private readonly children = new Map<number, number>();
  private readonly frameCount: number;

  constructor(frameCount: number) {
    // Keys are parent * (frameCount + 1) + frame: exact as long as nodes × frames < 2^53.
    this.frameCount = frameCount + 1;
    this.parent.push(-1);
    this.frame.push(-1);
    this.depth.push(0);
    this.self.push(0);
  }

  get nodeCount(): number {
    return this.parent.length;
  }

  child(parentNode: number, frameIndex: number): number {
    const key = parentNode * this.frameCount + frameIndex;
    const existing = this.children.get(key);
    if (existing !== undefined) {
      return existing;
    }
    const node = this.parent.length;
    this.parent.push(parentNode);
    this.frame.push(frameIndex);
    this.depth.push(this.depth.get(parentNode) + 1);
    this.self.push(0);
    this.children.set(key, node);
    return node;
  }

  frameOf(node: number): number {
    return this.frame.get(node);
  }

  parentOf(node: number): number {
    return this.parent.get(node);
  }

  depthOf(node: number): number {
    return this.depth.get(node);
  }

  addSelf(node: number, value: number): void {
    this.self.add(node, value);
  }

  build(): StackTree {
    return {
      parent: this.parent.toArray(),
      frame: this.frame.toArray(),
      depth: this.depth.toArray(),
      self: this.self.toArray(),
    };
  }
}
