import { Frame, hasPushableData, StackSlice, ThreadProfile } from '../threads/threadModel';
import { utf8Length } from './labels';
import { ProfileLimits } from './uploadOptions';

/**
 * A thread's slices split to the limits. They depend only on the thread, the time scale, the slice width and the
 * limits, not on labels, service or the range start, so they are kept on the thread (`presliced`): editing labels
 * re-plans a large upload in milliseconds, and the parse worker can slice ahead and send the result along.
 */
export function slicedThread(
  thread: ThreadProfile,
  scale: number | undefined,
  sliceNanos: number,
  limits: ProfileLimits
) {
  const key = `${scale}:${sliceNanos}:${limits.maxSamplesPerProfile}:${limits.maxProfileBytes}`;
  if (thread.presliced?.key !== key) {
    const slices = scale === undefined ? [wholeThread(thread)] : sliceByTime(thread, scale, sliceNanos);
    thread.presliced = {
      key,
      entries: slices.map((slice) => ({ slice, parts: splitToLimits(thread, slice, limits) })),
    };
  }
  return thread.presliced.entries;
}

/**
 * Cuts a thread into fixed-width slices of its file's time axis; values stay in the thread's base unit. `scale` is
 * nanoseconds per base unit (1 for time units, the sampling period for counts). An evented interval that crosses a
 * slice boundary is split at the boundary; a sample belongs to the slice it starts in.
 */
export function sliceByTime(thread: ThreadProfile, scale: number, sliceNanos: number): StackSlice[] {
  const { node, value, offset } = thread.samples;
  const sliceWidth = sliceNanos / scale;
  const splitIntervals = thread.type === 'evented';
  const slices = new Map<number, Map<number, number>>();
  const addTo = (slice: number, stack: number, amount: number) => {
    let stacks = slices.get(slice);
    if (!stacks) {
      stacks = new Map();
      slices.set(slice, stacks);
    }
    stacks.set(stack, (stacks.get(stack) ?? 0) + amount);
  };
  for (let i = 0; i < node.length; i++) {
    let at = thread.startOffset + offset[i];
    let remaining = value[i];
    if (!splitIntervals) {
      addTo(Math.floor(at / sliceWidth), node[i], remaining);
      continue;
    }
    while (remaining > 0) {
      const slice = Math.floor(at / sliceWidth);
      // Whole base units only; for time units the boundary is a whole number of nanoseconds anyway.
      const part = Math.min(remaining, Math.max(1, Math.ceil((slice + 1) * sliceWidth - at)));
      addTo(slice, node[i], part);
      at += part;
      remaining -= part;
    }
  }
  return [...slices.entries()].sort((a, b) => a[0] - b[0]).map(([index, stacks]) => toSlice(index, stacks));
}

/** The whole thread as one slice, for units without a time axis (bytes, counts without a sampling rate). */
export function wholeThread(thread: ThreadProfile): StackSlice {
  const stacks = new Map<number, number>();
  const { self } = thread.tree;
  for (let n = 1; n < self.length; n++) {
    if (self[n] > 0) {
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

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Fixed part of a profile: sample and period types, their strings, times. Generous on purpose. */
const PROFILE_OVERHEAD_BYTES = 256;

/**
 * Upper bound of what one frame adds to a profile: a location (id and one line: ≤ 20 bytes), a function (id, name,
 * system name, file name: ≤ 22 bytes) and its two strings with their tags (≤ 8 bytes plus the text).
 */
const frameCostCache = new WeakMap<Frame[], Float64Array>();

function frameCosts(frames: Frame[]): Float64Array {
  let costs = frameCostCache.get(frames);
  if (!costs) {
    costs = Float64Array.from(frames, (f) => 50 + utf8Length(f.name) + utf8Length(f.file ?? ''));
    frameCostCache.set(frames, costs);
  }
  return costs;
}

/**
 * Splits a slice so that every part stays within the sample and size limits. Sizes are an upper bound of the
 * encoded pprof: each sample's location ids and value, and each distinct frame's location, function and strings.
 */
export function splitToLimits(thread: ThreadProfile, slice: StackSlice, limits: ProfileLimits): StackSlice[] {
  const { tree, frames } = thread;
  const locationIdBytes = varintSize(frames.length + 1);
  const frameCost = frameCosts(frames);
  const parts: StackSlice[] = [];
  let start = 0;
  let bytes = PROFILE_OVERHEAD_BYTES;
  let seenFrames = new Set<number>();

  const close = (end: number) => {
    parts.push({ index: slice.index, nodes: slice.nodes.slice(start, end), values: slice.values.slice(start, end) });
    start = end;
    bytes = PROFILE_OVERHEAD_BYTES;
    seenFrames = new Set();
  };
  const costOf = (node: number, known: Set<number>) => {
    let cost = 24 + tree.depth[node] * locationIdBytes;
    for (let n = node; n > 0; n = tree.parent[n]) {
      const frame = tree.frame[n];
      if (!known.has(frame)) {
        cost += frameCost[frame];
      }
    }
    return cost;
  };
  for (let i = 0; i < slice.nodes.length; i++) {
    const node = slice.nodes[i];
    let cost = costOf(node, seenFrames);
    const full = i - start >= limits.maxSamplesPerProfile || bytes + cost > limits.maxProfileBytes;
    if (full && i > start) {
      close(i);
      cost = costOf(node, seenFrames);
    }
    bytes += cost;
    for (let n = node; n > 0; n = tree.parent[n]) {
      seenFrames.add(tree.frame[n]);
    }
  }
  if (slice.nodes.length > start) {
    close(slice.nodes.length);
  }
  return parts;
}

/**
 * Slices every time-unit thread of a file ahead of planning (in the parse worker), with the slice width the page
 * will plan with and the default limits: their time scale is 1 whatever the user picks later.
 */
export function presliceTimeThreads(threads: ThreadProfile[], sliceSeconds: number, limits: ProfileLimits): void {
  for (const thread of threads) {
    if (thread.kind === 'time' && hasPushableData(thread)) {
      slicedThread(thread, 1, sliceSeconds * 1e9, limits);
    }
  }
}
