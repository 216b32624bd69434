import { ProfileIssue } from './profileIssue';
import { BaseUnit, ValueKind } from './units';

/** A frame of the file's shared table; `file`, `line` and `col` are kept for pprof and the flame graph. */
export interface Frame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

/**
 * The call stacks of one thread as a tree (trie). Node 0 is a virtual root without a frame;
 * a node id identifies a whole stack from the root to that node.
 */
export interface StackTree {
  /** Parent node of each node (-1 for the root). */
  parent: Int32Array;
  /** Index into the file's frame table (-1 for the root). */
  frame: Int32Array;
  /** Number of frames on the stack ending at this node (0 for the root). */
  depth: Int32Array;
  /** Exclusive (self) total of each node, in the base unit. */
  self: Float64Array;
}

/**
 * The thread's samples in file order. For evented profiles each interval between two events is one sample.
 * `offset` is where the sample starts, relative to the profile's `startValue`, in the base unit.
 */
export interface ThreadSamples {
  node: Int32Array;
  value: Float64Array;
  offset: Float64Array;
}

export interface ThreadStats {
  /** endValue − startValue in the base unit (0 when the file says nothing usable). */
  duration: number;
  /** Sum of all non-empty sample values, in the base unit, exact to the nanosecond for time units. */
  total: number;
  /** Samples in a sampled profile, events in an evented one. */
  samplesOrEvents: number;
  uniqueStacks: number;
  maxDepth: number;
  /** Samples with an empty stack: counted and reported, never pushed. */
  emptyStackSamples: number;
  emptyStackTotal: number;
  /** Stacks deeper than Pyroscope's 1000-frame default; the server truncates them. */
  deepStacks: number;
}

/** Aggregated stacks of one slice: node ids of the thread's tree, sorted, with their values. */
export interface StackSlice {
  /** Slice number on the upload's time axis (0 for threads without a time axis). */
  index: number;
  nodes: Int32Array;
  values: Float64Array;
}

/** A thread cut into slices and split to the profile limits, for one (scale, slice width, limits) key. */
export interface SlicedThread {
  key: string;
  entries: Array<{ slice: StackSlice; parts: StackSlice[] }>;
}

export interface ThreadProfile {
  ok: true;
  fileName: string;
  /** Index of the profile in the file's `profiles` array. */
  index: number;
  /** The profile's name as written in the file ('' when missing). */
  name: string;
  type: 'sampled' | 'evented';
  /** The unit as written in the file. */
  unit: string;
  kind: ValueKind;
  baseUnit: BaseUnit;
  /** Where the profile starts relative to the earliest profile of its file, in the base unit (0 for non-time units). */
  startOffset: number;
  /** From startValue to the end of the last sample or endValue, whichever is later, in the base unit. */
  span: number;
  frames: Frame[];
  tree: StackTree;
  samples: ThreadSamples;
  stats: ThreadStats;
  warnings: string[];
  /** Filled by the planner (or ahead of time by the parse worker); see `slicedThread`. */
  presliced?: SlicedThread;
}

/** Pyroscope drops zero-valued samples and stores nothing for an empty profile: only threads with a total count. */
export function hasPushableData(thread: ThreadProfile): boolean {
  return thread.stats.total > 0;
}

/** A profile that could not be read; the rest of the file stays usable. */
export interface BrokenProfile {
  ok: false;
  fileName: string;
  index: number;
  name: string;
  type: string;
  unit: string;
  error: ProfileIssue;
}

export type ParsedProfile = ThreadProfile | BrokenProfile;

/** What a file says besides its profiles (as far as it has been read, while it is being parsed). */
export interface ParsedFileHead {
  fileName: string;
  /** `exporter` and `name` of the document, when present. */
  exporter?: string;
  name?: string;
  frames: Frame[];
}

export interface ParsedFile extends ParsedFileHead {
  profiles: ParsedProfile[];
  /** File-level notes such as string-typed numbers or imprecise absolute clocks. */
  warnings: string[];
}

/** Pyroscope's default stack depth limit (`max_profile_stacktrace_depth`). */
export const MAX_STACK_DEPTH = 1000;
