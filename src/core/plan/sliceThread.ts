import { StackSlice, ThreadProfile } from '../threads/threadModel';
import { MAX_HEADER_BYTES, ProfileLayout, ProfileSymbols, symbolTableOf } from './pprofLayout';
import { ProfileLimits } from './uploadOptions';

/**
 * Most slices one thread may be cut into. A thread longer than this many base slices gets wider slices (whole
 * multiples of the base width), with a plan warning: slicing work is bounded by the input, whatever a file claims
 * about its time span (a frame left open for 115 days must not mean a million profiles).
 */
export const MAX_SLICES_PER_THREAD = 2000;

/**
 * Above this share of symbol bytes (locations, functions, strings) in a thread's profiles, its slices are widened:
 * each slice repeats the symbols it uses, so short slices of deep, varied stacks push mostly the same names again.
 */
export const MAX_SYMBOL_SHARE = 0.5;

/** Widening for symbols stops at this many base slices per slice (10 s × 64 ≈ 10 min with the default width). */
export const MAX_WIDENING_FOR_SYMBOLS = 64;

/**
 * Threads whose profiles total less than this keep the width asked for, however symbol-heavy: at Pyroscope's default
 * rate limit it is about a second of push time, not worth the coarser time resolution.
 */
export const WIDEN_ABOVE_BYTES = 4 * 1_048_576;

/** One profile's worth of stacks, with the exact size of its pprof body (everything but the header). */
export interface SlicePart extends StackSlice {
  /** Exact pprof bytes of samples, locations, functions and symbol strings; see `ProfileLayout`. */
  bodyBytes: number;
  /** Symbol bytes (locations, functions, strings) within `bodyBytes`. */
  symbolBytes: number;
  /** Entries of the string table before the type strings, the leading "" included. */
  stringCount: number;
  /** The symbols in id order, as laid out: the encoder writes these instead of finding them again. */
  symbols: ProfileSymbols;
}

export interface ThreadSlicing {
  /** The slice width used, a whole multiple of the requested one (for threads with a time axis). */
  sliceNanos: number;
  entries: Array<{ slice: StackSlice; parts: SlicePart[] }>;
  /** Why the slices are wider than asked, if they are. */
  widened?: 'symbols' | 'span';
  /** Stacks cut to their root-most frames because one stack alone is larger than a profile may be. */
  truncatedStacks: number;
  /** Frames dropped from those stacks. */
  truncatedFrames: number;
}

/**
 * Keeps only some stacks of a thread: `keep[node]` is 1 for the tree nodes whose samples count. Used for the CPU part
 * of a thread-time profile (the stacks under `CPU_TIME`), pushed as a series of its own.
 */
export interface NodeFilter {
  /** Names the filter in the slicing cache; one cached slicing per thread and filter name. */
  name: string;
  keep: Uint8Array;
}

const cache = new WeakMap<ThreadProfile, Map<string, { key: string; slicing: ThreadSlicing }>>();

/**
 * A thread's slices split to the limits. They depend only on the thread (and where it starts in its file), the time
 * scale, the slice width and the limits, not on labels, service or the range start, so they are kept per thread:
 * editing labels re-plans a large upload in milliseconds. A thread planned while its file was still being read may
 * have moved since (`ParseOptions.onThread`): its start is part of the key.
 */
export function slicedThread(
  thread: ThreadProfile,
  scale: number | undefined,
  sliceNanos: number,
  limits: ProfileLimits,
  valueScale = 1,
  filter?: NodeFilter
): ThreadSlicing {
  const key = `${thread.startOffset}:${scale}:${sliceNanos}:${limits.maxSamplesPerProfile}:${limits.maxProfileBytes}:${valueScale}`;
  let byFilter = cache.get(thread);
  if (!byFilter) {
    byFilter = new Map();
    cache.set(thread, byFilter);
  }
  let cached = byFilter.get(filter?.name ?? '');
  if (cached?.key !== key) {
    cached = { key, slicing: sliceThread(thread, scale, sliceNanos, limits, valueScale, filter?.keep) };
    byFilter.set(filter?.name ?? '', cached);
  }
  return cached.slicing;
}

function sliceThread(
  thread: ThreadProfile,
  scale: number | undefined,
  baseNanos: number,
  limits: ProfileLimits,
  valueScale: number,
  keep: Uint8Array | undefined
): ThreadSlicing {
  const splitter = new Splitter(thread, limits, valueScale);
  if (scale === undefined) {
    const slice = wholeThread(thread, keep);
    return { sliceNanos: baseNanos, entries: [{ slice, parts: splitter.split(slice) }], ...splitter.truncation() };
  }
  // Bounded work first: the number of slices follows from the span alone, before anything is sliced.
  const spanNanos = (thread.startOffset + thread.span) * scale;
  let multiple = Math.max(1, Math.ceil(spanNanos / baseNanos / MAX_SLICES_PER_THREAD));
  const widened = multiple > 1 ? 'span' : undefined;
  const base = sliceByTime(thread, scale, baseNanos * multiple, keep);
  // Large, symbol-dominated threads get one wider slicing, predicted as if neighbouring slices used the same symbols
  // (merging k slices then divides symbol bytes by k), and kept only if it saves at least a tenth. The shares are
  // measured on a few evenly spaced slices, so a thread is split in full only once.
  const probe = evenlySpaced(base, PROBE_SLICES);
  const probed = splitAll(splitter, probe);
  const { symbols, total } = byteShares(probed.entries);
  const estimatedTotal = (total * base.length) / probe.length;
  let best: ({ multiple: number } & ReturnType<typeof splitAll>) | undefined =
    probe.length === base.length ? { multiple, ...probed } : undefined;
  if (estimatedTotal > WIDEN_ABOVE_BYTES && symbols > MAX_SYMBOL_SHARE * total && base.length > 1) {
    const needed = (symbols * (1 - MAX_SYMBOL_SHARE)) / (MAX_SYMBOL_SHARE * Math.max(1, total - symbols));
    const factor = Math.min(MAX_WIDENING_FOR_SYMBOLS, 2 ** Math.ceil(Math.log2(needed)));
    if (factor > 1) {
      const wider = { multiple: multiple * factor, ...splitAll(splitter, mergeSlices(base, factor)) };
      if (byteShares(wider.entries).total <= 0.9 * estimatedTotal) {
        best = wider;
      }
    }
  }
  // The probed slices are among these: their parts are taken as they are.
  best ??= { multiple, ...splitAll(splitter, base, probed.bySlice) };
  multiple = best.multiple;
  return {
    sliceNanos: baseNanos * multiple,
    entries: best.entries,
    widened: multiple > 1 && widened === undefined ? 'symbols' : widened,
    truncatedStacks: best.truncatedStacks,
    truncatedFrames: best.truncatedFrames,
  };
}

interface SplitSlice {
  parts: SlicePart[];
  truncatedStacks: number;
  truncatedFrames: number;
}

/** Splits each slice (taking those in `known` as they are), with the truncations of all of them. */
function splitAll(splitter: Splitter, slices: StackSlice[], known?: Map<StackSlice, SplitSlice>) {
  const bySlice = new Map<StackSlice, SplitSlice>();
  let truncatedStacks = 0;
  let truncatedFrames = 0;
  const entries = slices.map((slice) => {
    let split = known?.get(slice);
    if (split === undefined) {
      splitter.truncatedStacks = 0;
      splitter.truncatedFrames = 0;
      split = { parts: splitter.split(slice), ...splitter.truncation() };
    }
    bySlice.set(slice, split);
    truncatedStacks += split.truncatedStacks;
    truncatedFrames += split.truncatedFrames;
    return { slice, parts: split.parts };
  });
  return { entries, truncatedStacks, truncatedFrames, bySlice };
}

/** Slices sampled to measure a thread's symbol share before splitting all of it. */
const PROBE_SLICES = 16;

function evenlySpaced(slices: StackSlice[], count: number): StackSlice[] {
  if (slices.length <= count) {
    return slices;
  }
  return Array.from({ length: count }, (_, i) => slices[Math.floor((i * slices.length) / count)]);
}

function byteShares(entries: ThreadSlicing['entries']): { symbols: number; total: number } {
  let symbols = 0;
  let total = 0;
  for (const { parts } of entries) {
    for (const part of parts) {
      symbols += part.symbolBytes;
      total += part.bodyBytes;
    }
  }
  return { symbols, total };
}

/**
 * Sums values per stack node for one slice at a time: slices come in time order, so a stamp array over the tree's nodes
 * replaces a map per slice.
 */
class SliceAccumulator {
  private readonly sums: Float64Array;
  private readonly stamp: Int32Array;
  /** The nodes of the current slice, in the order first met (`touchedCount` of them). */
  private readonly touched: Int32Array;
  private touchedCount = 0;
  private generation = 1;
  readonly slices: StackSlice[] = [];
  private current = -1;

  constructor(nodes: number) {
    this.sums = new Float64Array(nodes);
    this.stamp = new Int32Array(nodes);
    this.touched = new Int32Array(nodes);
  }

  add(slice: number, node: number, amount: number): void {
    if (slice !== this.current) {
      this.flush();
      this.current = slice;
    }
    if (this.stamp[node] !== this.generation) {
      this.stamp[node] = this.generation;
      this.sums[node] = amount;
      this.touched[this.touchedCount++] = node;
    } else {
      this.sums[node] += amount;
    }
  }

  flush(): void {
    if (this.touchedCount > 0) {
      const nodes = this.touched.slice(0, this.touchedCount).sort();
      const values = new Float64Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        values[i] = this.sums[nodes[i]];
      }
      this.slices.push({ index: this.current, nodes, values });
      this.touchedCount = 0;
      this.generation++;
    }
  }
}

/** Merges every `factor` consecutive slices (by index) into one: exact, since slice boundaries nest. */
export function mergeSlices(slices: StackSlice[], factor: number): StackSlice[] {
  const nodes = slices.reduce((max, s) => Math.max(max, s.nodes.length > 0 ? s.nodes[s.nodes.length - 1] : 0), 0) + 1;
  const merged = new SliceAccumulator(nodes);
  for (const slice of slices) {
    const index = Math.floor(slice.index / factor);
    for (let i = 0; i < slice.nodes.length; i++) {
      merged.add(index, slice.nodes[i], slice.values[i]);
    }
  }
  merged.flush();
  return merged.slices;
}

/**
 * Cuts a thread into fixed-width slices of its file's time axis; values stay in the thread's base unit. `scale` is
 * nanoseconds per base unit (1 for time units, the sampling period for counts). An evented interval that crosses a
 * slice boundary is split at the boundary; a sample belongs to the slice it starts in. Samples are in time order
 * (offsets only grow), so each slice is summed once, in order. With `keep`, only samples whose node it marks count.
 */
export function sliceByTime(thread: ThreadProfile, scale: number, sliceNanos: number, keep?: Uint8Array): StackSlice[] {
  const { node, value, offset } = thread.samples;
  const sliceWidth = sliceNanos / scale;
  const splitIntervals = thread.type === 'evented';
  const slices = new SliceAccumulator(thread.tree.parent.length);
  let last = -Infinity;
  for (let i = 0; i < node.length; i++) {
    let at = thread.startOffset + offset[i];
    if (at < last) {
      throw new Error(`${thread.fileName}: profile ${thread.index}: samples out of time order at index ${i}`);
    }
    last = at;
    if (keep && keep[node[i]] !== 1) {
      continue;
    }
    let remaining = value[i];
    if (!splitIntervals) {
      slices.add(Math.floor(at / sliceWidth), node[i], remaining);
      continue;
    }
    while (remaining > 0) {
      const slice = Math.floor(at / sliceWidth);
      // Whole base units only; for time units the boundary is a whole number of nanoseconds anyway.
      const part = Math.min(remaining, Math.max(1, Math.ceil((slice + 1) * sliceWidth - at)));
      slices.add(slice, node[i], part);
      at += part;
      remaining -= part;
    }
  }
  slices.flush();
  return slices.slices;
}

/** The whole thread as one slice, for units without a time axis (bytes, counts without a sampling rate). */
export function wholeThread(thread: ThreadProfile, keep?: Uint8Array): StackSlice {
  const stacks = new Map<number, number>();
  const { self } = thread.tree;
  for (let n = 1; n < self.length; n++) {
    if (self[n] > 0 && (!keep || keep[n] === 1)) {
      stacks.set(n, self[n]);
    }
  }
  return toSlice(0, stacks);
}

function toSlice(index: number, stacks: Map<number, number>): StackSlice {
  const nodes = Int32Array.from([...stacks.keys()].sort((a, b) => a - b));
  const values = Float64Array.from(nodes, (n) => stacks.get(n) ?? 0);
  return { index, nodes, values };
}

/**
 * Splits slices so that every part stays within the sample and size limits, sizing each part exactly as the encoder
 * will write it (`ProfileLayout`), with room reserved for the header. A single stack too large for a profile on its own
 * is cut to its root-most frames, as Pyroscope cuts stacks deeper than its depth limit (`ValidateProfile` keeps
 * the root end of `location_id`), and counted so the plan can say so.
 */
class Splitter {
  truncatedStacks = 0;
  truncatedFrames = 0;
  private readonly layout: ProfileLayout;
  private readonly budget: number;

  constructor(
    private readonly thread: ThreadProfile,
    private readonly limits: ProfileLimits,
    /** Counts become nanoseconds (whole ones) as they are split, so sizes are those of the values written. */
    private readonly valueScale: number
  ) {
    this.layout = new ProfileLayout(thread.tree, symbolTableOf(thread.frames));
    this.budget = limits.maxProfileBytes - MAX_HEADER_BYTES;
  }

  truncation() {
    return { truncatedStacks: this.truncatedStacks, truncatedFrames: this.truncatedFrames };
  }

  split(slice: StackSlice): SlicePart[] {
    const { layout, budget } = this;
    const parts: SlicePart[] = [];
    let nodes: number[] = [];
    let values: number[] = [];
    const close = () => {
      parts.push({
        index: slice.index,
        nodes: Int32Array.from(nodes),
        values: Float64Array.from(values),
        bodyBytes: layout.bodyBytes,
        symbolBytes: layout.bodyBytes - layout.sampleBytes,
        stringCount: layout.stringCount,
        symbols: layout.laidOutSymbols(),
      });
      nodes = [];
      values = [];
      layout.reset();
    };
    layout.reset();
    for (let i = 0; i < slice.nodes.length; i++) {
      let node = slice.nodes[i];
      const value = this.valueScale === 1 ? slice.values[i] : Math.round(slice.values[i] * this.valueScale);
      layout.addSample(node, value);
      if (layout.samples > 1 && (layout.samples > this.limits.maxSamplesPerProfile || layout.bodyBytes > budget)) {
        layout.removeLastSample();
        close();
        layout.addSample(node, value);
      }
      if (layout.bodyBytes > budget) {
        node = this.truncate(node, value);
      }
      nodes.push(node);
      values.push(value);
    }
    if (layout.samples > 0) {
      close();
    }
    return parts;
  }

  /** Fits one stack alone in a profile: the deepest ancestor of `node` whose stack fits; the rest is dropped. */
  private fits(node: number, value: number): boolean {
    this.layout.reset();
    this.layout.addSample(node, value);
    return this.layout.bodyBytes <= this.budget;
  }

  /** The deepest ancestor of `node` whose stack fits an empty profile, left added to the (empty) layout. */
  private truncate(node: number, value: number): number {
    const { parent, depth } = this.thread.tree;
    let low = 1;
    let high = depth[node] - 1;
    // Binary search on the kept depth: a stack's size grows with its depth.
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.fits(ancestorAt(parent, depth, node, middle), value)) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    const kept = ancestorAt(parent, depth, node, low);
    this.fits(kept, value);
    this.truncatedStacks++;
    this.truncatedFrames += depth[node] - low;
    return kept;
  }
}

function ancestorAt(parent: Int32Array, depth: Int32Array, node: number, wanted: number): number {
  let n = node;
  while (depth[n] > wanted) {
    n = parent[n];
  }
  return n;
}
