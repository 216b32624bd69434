import { GrowableFloat64, GrowableInt32 } from '../util/growable';
import { StackTreeBuilder } from './stackTreeBuilder';
import { Frame, MAX_STACK_DEPTH as DEPTH_LIMIT, ThreadProfile, ThreadStats } from './threadModel';
import { BaseUnit, EXACT_BASE_UNITS, formatBaseUnits, roundingAt, ValueScale } from './units';

/** Bound once: under tsx (the CLI) another module's export is read through a getter at every use, here per node. */
const MAX_STACK_DEPTH = DEPTH_LIMIT;

/** What the model needs about a profile besides its samples: already validated and in base units. */
export interface ThreadHeader {
  fileName: string;
  index: number;
  name: string;
  /** The unit as written in the file. */
  unit: string;
  scale: ValueScale;
  /** From the start to the end the file declares, in the base unit (0 when it declares none). */
  duration: number;
  frames: Frame[];
}

/** The thread's samples in order: node of the stack, value and start offset, all in the base unit. */
export class SampleCollector {
  readonly node = new GrowableInt32(16);
  readonly value = new GrowableFloat64(16);
  readonly offset = new GrowableFloat64(16);

  add(node: number, value: number, offset: number): void {
    this.node.push(node);
    this.value.push(value);
    this.offset.push(offset);
  }
}

export interface ThreadCounts {
  samplesOrEvents: number;
  emptyStackSamples: number;
  emptyStackTotal: number;
  /** Where the last sample ends, in the base unit. */
  end: number;
}

/** Turns a built tree and its samples into a ThreadProfile with stats and the model's warnings. */
export function finishThread(
  header: ThreadHeader,
  type: 'sampled' | 'evented',
  builder: StackTreeBuilder,
  collector: SampleCollector,
  counts: ThreadCounts,
  warnings: string[]
): ThreadProfile {
  const tree = builder.build();
  let total = 0;
  let uniqueStacks = 0;
  let maxDepth = 0;
  let deepStacks = 0;
  for (let node = 1; node < tree.self.length; node++) {
    const depth = tree.depth[node];
    if (depth > maxDepth) {
      maxDepth = depth;
    }
    if (tree.self[node] > 0) {
      total += tree.self[node];
      uniqueStacks++;
      if (depth > MAX_STACK_DEPTH) {
        deepStacks++;
      }
    }
  }
  const { scale, duration } = header;
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
  const span = Math.max(duration, counts.end);
  if (span > EXACT_BASE_UNITS) {
    warnings.push(
      `the profile spans ${formatBaseUnits(span, scale.baseUnit)}, too long for every ${singularOf(scale.baseUnit)} ` +
        `to be told apart: times that far from its start are rounded to within ${formatBaseUnits(roundingAt(span), scale.baseUnit)}`
    );
  }
  const isTime = scale.kind === 'time';
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
    kind: scale.kind,
    baseUnit: scale.baseUnit,
    startOffset: 0,
    span: Math.max(duration, counts.end),
    frames: header.frames,
    tree,
    samples: { node: collector.node.toArray(), value: collector.value.toArray(), offset: collector.offset.toArray() },
    stats,
    warnings,
  };
}

function singularOf(baseUnit: BaseUnit): string {
  return baseUnit === 'nanoseconds' ? 'nanosecond' : baseUnit === 'bytes' ? 'byte' : 'unit';
}
