import { ParseProgress } from '../../../core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../../core/threads/threadModel';

/** Messages between the page and the parse worker. */
export interface ParseRequest {
  fileName: string;
  bytes: ArrayBuffer;
  /** The page's slice width: the worker slices time-unit threads ahead, so the first plan is quick. */
  sliceSeconds: number;
}

export type ParseResponse =
  | { kind: 'progress'; progress: ParseProgress }
  | { kind: 'done'; file: ParsedFile }
  | { kind: 'failed'; message: string };

/** The typed arrays of every thread, so the result moves to the page without a copy. */
export function transferablesOf(file: ParsedFile): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const profile of file.profiles) {
    if (profile.ok) {
      const { tree, samples } = profile;
      for (const array of [
        tree.parent,
        tree.frame,
        tree.depth,
        tree.self,
        samples.node,
        samples.value,
        samples.offset,
      ]) {
        buffers.push(array.buffer as ArrayBuffer);
      }
      for (const { slice, parts } of profile.presliced?.entries ?? []) {
        for (const part of [slice, ...parts]) {
          buffers.push(part.nodes.buffer as ArrayBuffer, part.values.buffer as ArrayBuffer);
        }
      }
    }
  }
  return buffers;
}
