import { ProfileDataError } from '../speedscope/issues';
import { UnitInfo } from '../speedscope/units';
import { GrowableFloat64, GrowableInt32 } from '../util/growable';
import { ROOT_NODE, StackTreeBuilder } from './stackTreeBuilder';
import { Frame, MAX_STACK_DEPTH, ThreadProfile, ThreadStats } from './threadModel';

/** How often (in samples or events) a builder yields, so a caller can report progress or give the UI a turn. */
export const YIELD_EVERY = 200_000;

export interface BuildProgress {
  done: number;
  total: number;
}

/** What both builders need about the profile besides its samples or events. */
export interface ThreadHeader {
  fileName: string;
  index: number;
  name: string;
  unit: string;
  unitInfo: UnitInfo;
  startValue: number;
  endValue: number | undefined;
  /** startValue minus the earliest startValue in the file, in the file's unit. */
  startDelta: number;
  frames: Frame[];
}

class SampleCollector {
  readonly node = new GrowableInt32();
  readonly value = new GrowableFloat64();
  readonly offset = new GrowableFloat64();

  add(node: number, value: number, offset: number): void {
    this.node.push(node);
    this.value.push(value);
    this.offset.push(offset);
  }
}

function describeFrame(frames: Frame[], index: number): string {
  return `frame ${index} ${JSON.stringify(frames[index].name)}`;
}

function checkFrameIndex(value: unknown, frameCount: number, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ProfileDataError(field, `frame index must be an integer, got ${JSON.stringify(value)}`);
  }
  if (value < 0 || value >= frameCount) {
    throw new ProfileDataError(field, `frame index ${value} is out of range (the file has ${frameCount} frames)`);
  }
  return value;
}

function checkFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ProfileDataError(field, `expected a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function finish(
  header: ThreadHeader,
  type: 'sampled' | 'evented',
  builder: StackTreeBuilder,
  collector: SampleCollector,
  counts: { samplesOrEvents: number; emptyStackSamples: number; emptyStackTotal: number; end: number },
  warnings: string[]
): ThreadProfile {
  const tree = builder.build();
  let total = 0;
  let uniqueStacks = 0;
  let maxDepth = 0;
  let deepStacks = 0;
  for (let node = 1; node < tree.self.length; node++) {
    const depth = tree.depth[node];
    maxDepth = Math.max(maxDepth, depth);
    if (tree.self[node] > 0) {
      total += tree.self[node];
      uniqueStacks++;
      if (depth > MAX_STACK_DEPTH) {
        deepStacks++;
      }
    }
  }
  const { unitInfo } = header;
  const duration =
    header.endValue !== undefined && header.endValue >= header.startValue
      ? Math.round((header.endValue - header.startValue) * unitInfo.toBase)
      : 0;
  const stats: ThreadStats = {
    duration,
    total,
    samplesOrEvents: counts.samplesOrEvents,
    uniqueStacks,
    maxDepth,
    emptyStackSamples: counts.emptyStackSamples,
    emptyStackTotal: counts.emptyStackTotal,
    deepStacks,
  };
  if (deepStacks > 0) {
    warnings.push(
      `${deepStacks} stacks are deeper than ${MAX_STACK_DEPTH} frames; Pyroscope keeps only the ${MAX_STACK_DEPTH} frames nearest the leaf`
    );
  }
  const isTime = unitInfo.kind === 'time';
  if (isTime && duration > 0 && counts.end > duration) {
    warnings.push(
      `samples add up to ${counts.end / 1e9} s, more than the profile's ${duration / 1e9} s between startValue and endValue: it may count several CPUs or overlap other profiles`
    );
  }
  return {
    ok: true,
    fileName: header.fileName,
    index: header.index,
    name: header.name,
    type,
    unit: header.unit,
    kind: unitInfo.kind,
    baseUnit: unitInfo.baseUnit,
    startOffset: isTime ? Math.round(header.startDelta * unitInfo.toBase) : 0,
    span: Math.max(duration, counts.end),
    frames: header.frames,
    tree,
    samples: { node: collector.node.toArray(), value: collector.value.toArray(), offset: collector.offset.toArray() },
    stats,
    warnings,
  };
}

/**
 * A sampled profile: `samples[i]` is a stack of frame indices (root first) with weight `weights[i]`.
 * Sample i starts where the weights before it end, as in speedscope's own importer.
 * Each weight is rounded to the base unit on its own, so 0.01 s stays exactly 10 000 000 ns.
 */
export function* buildSampledThread(
  header: ThreadHeader,
  samples: unknown,
  weights: unknown
): Generator<BuildProgress, ThreadProfile> {
  if (!Array.isArray(samples)) {
    throw new ProfileDataError('samples', 'expected an array of stacks');
  }
  if (!Array.isArray(weights)) {
    throw new ProfileDataError('weights', 'expected an array of numbers');
  }
  if (weights.length !== samples.length) {
    throw new ProfileDataError(
      'weights',
      `has ${weights.length} entries but samples has ${samples.length}; they must match one to one`
    );
  }
  const frameCount = header.frames.length;
  const toBase = header.unitInfo.toBase;
  const isTime = header.unitInfo.kind === 'time';
  const builder = new StackTreeBuilder(frameCount);
  const collector = new SampleCollector();
  const warnings: string[] = [];
  let offset = 0;
  let emptyStackSamples = 0;
  let emptyStackTotal = 0;
  let fractionalCounts = 0;
  let previousStack: unknown[] | undefined;
  let previousNode = ROOT_NODE;

  for (let i = 0; i < samples.length; i++) {
    if (i % YIELD_EVERY === 0 && i > 0) {
      yield { done: i, total: samples.length };
    }
    const stack = samples[i];
    if (!Array.isArray(stack)) {
      throw new ProfileDataError(`samples[${i}]`, `expected an array of frame indices, got ${JSON.stringify(stack)}`);
    }
    const weight = checkFiniteNumber(weights[i], `weights[${i}]`);
    if (weight < 0) {
      throw new ProfileDataError(`weights[${i}]`, `weights cannot be negative, got ${weight}`);
    }
    const value = Math.round(weight * toBase);
    if (!isTime && value !== weight * toBase) {
      fractionalCounts++;
    }
    if (stack.length === 0) {
      emptyStackSamples++;
      emptyStackTotal += value;
      offset += value;
      continue;
    }
    let node: number;
    if (previousStack !== undefined && sameStack(previousStack, stack)) {
      // Consecutive identical stacks are the common case in sampling profilers.
      node = previousNode;
    } else {
      node = ROOT_NODE;
      for (let j = 0; j < stack.length; j++) {
        node = builder.child(node, checkFrameIndex(stack[j], frameCount, `samples[${i}][${j}]`));
      }
      previousStack = stack;
      previousNode = node;
    }
    if (value > 0) {
      builder.addSelf(node, value);
      collector.add(node, value, offset);
    }
    offset += value;
  }
  if (fractionalCounts > 0) {
    warnings.push(`${fractionalCounts} weights are not whole ${header.unitInfo.baseUnit}; they were rounded`);
  }
  return finish(
    header,
    'sampled',
    builder,
    collector,
    { samplesOrEvents: samples.length, emptyStackSamples, emptyStackTotal, end: offset },
    warnings
  );
}

function sameStack(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

/**
 * An evented profile: open (`O`) and close (`C`) events with times `at`. The time between two events belongs
 * to the stack open between them. Times are converted to integer base units relative to startValue before
 * subtracting, so self times add up exactly to the covered time.
 */
export function* buildEventedThread(header: ThreadHeader, events: unknown): Generator<BuildProgress, ThreadProfile> {
  if (!Array.isArray(events)) {
    throw new ProfileDataError('events', 'expected an array of events');
  }
  const { frames } = header;
  const toBase = header.unitInfo.toBase;
  const isTime = header.unitInfo.kind === 'time';
  const builder = new StackTreeBuilder(frames.length);
  const collector = new SampleCollector();
  const warnings: string[] = [];
  const openNodes: number[] = [];
  const openedAt: number[] = [];
  let lastTime = 0;
  let fractionalTimes = 0;

  for (let i = 0; i < events.length; i++) {
    if (i % YIELD_EVERY === 0 && i > 0) {
      yield { done: i, total: events.length };
    }
    const event = events[i];
    if (typeof event !== 'object' || event === null) {
      throw new ProfileDataError(`events[${i}]`, `expected an event object, got ${JSON.stringify(event)}`);
    }
    const { type, frame, at } = event as Record<string, unknown>;
    const frameIndex = checkFrameIndex(frame, frames.length, `events[${i}].frame`);
    const rawAt = checkFiniteNumber(at, `events[${i}].at`);
    const exact = (rawAt - header.startValue) * toBase;
    const time = Math.round(exact);
    if (!isTime && time !== exact) {
      fractionalTimes++;
    }
    if (time < 0) {
      throw new ProfileDataError(
        `events[${i}].at`,
        `time ${rawAt} is before the profile's startValue ${header.startValue}`
      );
    }
    if (time < lastTime) {
      throw new ProfileDataError(
        `events[${i}].at`,
        `time ${rawAt} is earlier than the previous event's; events must be in time order`
      );
    }
    const top = openNodes.length > 0 ? openNodes[openNodes.length - 1] : ROOT_NODE;
    if (top !== ROOT_NODE && time > lastTime) {
      builder.addSelf(top, time - lastTime);
      collector.add(top, time - lastTime, lastTime);
    }
    lastTime = time;
    if (type === 'O') {
      openNodes.push(builder.child(top, frameIndex));
      openedAt.push(i);
    } else if (type === 'C') {
      if (top === ROOT_NODE) {
        throw new ProfileDataError(`events[${i}]`, `closes ${describeFrame(frames, frameIndex)} but no frame is open`);
      }
      const topFrame = builder.frameOf(top);
      if (topFrame !== frameIndex) {
        throw new ProfileDataError(
          `events[${i}]`,
          `closes ${describeFrame(frames, frameIndex)} but ${describeFrame(frames, topFrame)} is on top of the stack`
        );
      }
      openNodes.pop();
      openedAt.pop();
    } else {
      throw new ProfileDataError(`events[${i}].type`, `expected "O" or "C", got ${JSON.stringify(type)}`);
    }
  }
  if (openNodes.length > 0) {
    const innermost = openNodes.length - 1;
    throw new ProfileDataError(
      'events',
      `${describeFrame(frames, builder.frameOf(openNodes[innermost]))} opened at events[${openedAt[innermost]}] is never closed (${openNodes.length} frames left open)`
    );
  }
  if (fractionalTimes > 0) {
    warnings.push(`${fractionalTimes} event times are not whole ${header.unitInfo.baseUnit}; they were rounded`);
  }
  return finish(
    header,
    'evented',
    builder,
    collector,
    { samplesOrEvents: events.length, emptyStackSamples: 0, emptyStackTotal: 0, end: lastTime },
    warnings
  );
}
