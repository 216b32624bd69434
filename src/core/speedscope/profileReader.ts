import { finishThread, SampleCollector, ThreadHeader } from '../threads/buildThread';
import { ProfileProblem } from '../threads/profileIssue';
import { ROOT_NODE as TREE_ROOT, StackTreeBuilder } from '../threads/stackTreeBuilder';
import { BrokenProfile, Frame, ParsedProfile, ThreadProfile } from '../threads/threadModel';
import { BASE_UNIT_LIMIT as LIMIT } from '../threads/units';
import { GrowableFloat64, GrowableInt32 } from '../util/growable';
import { clipForMessage, quoteForMessage } from '../util/quote';
import { unitInfo, UnitInfo } from './units';

/**
 * Bound once: the CLI runs under tsx, whose CommonJS output reads another module's export through a getter at every
 * use, and these are read once per sample and event.
 */
const ROOT_NODE = TREE_ROOT;
const BASE_UNIT_LIMIT = LIMIT;

/**
 * One profile of a Speedscope file, read token by token. Samples go straight into a stack tree (one node id per
 * sample); weights and events into typed arrays. Everything that needs the rest of the profile (its unit, its
 * startValue, the other array) or the file's frame table is checked in `finish`, in the order the fields are
 * validated, so the first problem reported is the same whatever order the keys come in.
 */

/** A scalar field as the file wrote it: its text as JS would print it and a short description for messages. */
export interface WrittenValue {
  isString: boolean;
  /** `String(value)`: the string itself for strings. */
  text: string;
  /** How a message shows it: quoted strings, numbers, `null`, `an object`… */
  shown: string;
}

export const MISSING: WrittenValue = { isString: false, text: 'undefined', shown: 'undefined' };

export interface OptionalNumber {
  value?: number;
  wasString: boolean;
  /** Set when the field is present but not a usable number. */
  invalid?: string;
}

/** First frame-side problem of the samples: the stack is not an array, or one of its entries is no valid index. */
interface SampleProblem {
  index: number;
  /** Position in the stack (frame problems only). */
  position: number;
  kind: 'not-array' | 'not-integer' | 'out-of-range';
  shown: string;
  /** The tree node of the stack's frames before the bad one, to find an earlier out-of-range index. */
  partialNode: number;
}

const MAX_FRAME_INDEX = 0x7fffffff;

export class SampledReader {
  readonly tree = new StackTreeBuilder();
  /** Tree node per sample (0 for an empty stack). */
  readonly sampleNodes = new GrowableInt32(16);
  readonly weights = new GrowableFloat64(16);
  firstBadWeight = -1;
  firstBadWeightShown = '';
  problem: SampleProblem | undefined;
  maxFrame = -1;
  private node = ROOT_NODE;
  private position = 0;

  /** `describe` shows a number in a message as the file wrote it (1e400, not Infinity). */
  constructor(private readonly describe: (value: number) => string) {}

  get sampleCount(): number {
    return this.sampleNodes.length;
  }

  get broken(): boolean {
    return this.problem !== undefined;
  }

  beginStack(): void {
    this.node = ROOT_NODE;
    this.position = 0;
  }

  /** The next frame index of the current stack (repeated paths are found through the tree's last-child cache). */
  frame(value: number): boolean {
    if (this.problem !== undefined) {
      return false;
    }
    if (!Number.isInteger(value)) {
      return this.frameProblem('not-integer', this.describe(value));
    }
    if (value < 0 || value > MAX_FRAME_INDEX) {
      return this.frameProblem('out-of-range', String(value));
    }
    this.node = this.tree.child(this.node, value);
    if (value > this.maxFrame) {
      this.maxFrame = value;
    }
    this.position++;
    return true;
  }

  /**
   * `frame` for each of `values[0..count)`, stopping at the first it refuses (then false). The bulk of a file: one
   * call per stack, checked first, then walked down the tree in one call.
   */
  frames(values: Float64Array, count: number): boolean {
    if (this.problem !== undefined) {
      return false;
    }
    let valid = 0;
    let maxFrame = this.maxFrame;
    while (valid < count) {
      const value = values[valid];
      if (!(value >= 0 && value <= MAX_FRAME_INDEX && Number.isInteger(value))) {
        break;
      }
      if (value > maxFrame) {
        maxFrame = value;
      }
      valid++;
    }
    this.node = this.tree.descend(this.node, values, 0, valid);
    this.maxFrame = maxFrame;
    this.position += valid;
    return valid === count || this.frame(values[valid]);
  }

  /** Something that is not a number where a frame index belongs; returns false: the stack is muted from here. */
  frameProblem(kind: 'not-integer' | 'out-of-range', shown: string): boolean {
    this.problem ??= { index: this.sampleCount, position: this.position, kind, shown, partialNode: this.node };
    return false;
  }

  endStack(): void {
    this.sampleNodes.push(this.broken ? ROOT_NODE : this.node);
  }

  notAnArray(shown: string): void {
    if (!this.broken) {
      this.problem = { index: this.sampleCount, position: 0, kind: 'not-array', shown, partialNode: ROOT_NODE };
    }
    this.sampleNodes.push(ROOT_NODE);
  }

  /** `weight` for each of `values[0..count)` (a run of the tokenizer's), without a message closure each. */
  weightRun(values: Float64Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (Number.isFinite(value)) {
        this.weights.push(value);
      } else {
        this.weight(value, () => this.describe(value));
      }
    }
  }

  weight(value: number, shown: () => string): void {
    if (Number.isFinite(value)) {
      this.weights.push(value);
      return;
    }
    if (this.firstBadWeight < 0) {
      this.firstBadWeight = this.weights.length;
      this.firstBadWeightShown = shown();
    }
    this.weights.push(NaN);
  }
}

/** Event codes in the typed arrays; the first bad event is kept with its problem and nothing after it. */
const OPEN = 0;
const CLOSE = 1;
const BAD_TYPE = 2;
const NOT_AN_EVENT = 3;
const BAD_FRAME = -1;

export interface EventProblem {
  index: number;
  frameShown?: string;
  frameKind?: 'not-integer' | 'out-of-range';
  atShown?: string;
  typeShown?: string;
  notAnEventShown?: string;
}

export class EventedReader {
  readonly types = new GrowableInt32(16);
  readonly frames = new GrowableInt32(16);
  readonly times = new GrowableFloat64(16);
  count = 0;
  problem: EventProblem | undefined;

  get broken(): boolean {
    return this.problem !== undefined;
  }

  add(type: number, frame: number, at: number, problem: EventProblem | undefined): void {
    const index = this.count++;
    if (this.broken) {
      return;
    }
    if (problem !== undefined) {
      problem.index = index;
      this.problem = problem;
    }
    this.types.push(type);
    this.frames.push(frame);
    this.times.push(at);
  }
}

export type ArrayField = 'missing' | 'array' | 'invalid';

/** The record of a profile that cannot be used: `field` and what is wrong with it. */
export function brokenProfile(
  profile: Pick<BrokenProfile, 'fileName' | 'index' | 'name' | 'type' | 'unit'>,
  field: string,
  message: string
): BrokenProfile {
  const { fileName, index, name, type, unit } = profile;
  return {
    ok: false,
    fileName,
    index,
    name,
    type,
    unit,
    error: { fileName, profileIndex: index, profileName: name, field, message },
  };
}

export class ProfileReader {
  name = '';
  type: WrittenValue = MISSING;
  unit: WrittenValue = MISSING;
  start: OptionalNumber = { wasString: false };
  end: OptionalNumber = { wasString: false };
  samples: ArrayField = 'missing';
  weights: ArrayField = 'missing';
  events: ArrayField = 'missing';
  sampled: SampledReader | undefined;
  evented: EventedReader | undefined;

  constructor(
    readonly fileName: string,
    readonly index: number,
    private readonly describeNumber: (value: number) => string
  ) {}

  sampledReader(): SampledReader {
    this.sampled ??= new SampledReader(this.describeNumber);
    return this.sampled;
  }

  eventedReader(): EventedReader {
    this.evented ??= new EventedReader();
    return this.evented;
  }

  /** Builds the thread, or a BrokenProfile naming the first problem. `startOffset` is set later, per file. */
  finish(frames: Frame[]): ParsedProfile {
    const built = this.build(frames);
    this.sampled = undefined;
    this.evented = undefined;
    return built instanceof ProfileProblem ? this.broken(built.field, built.message) : built;
  }

  broken(field: string, message: string): BrokenProfile {
    const { fileName, index, name } = this;
    return brokenProfile({ fileName, index, name, type: this.type.text, unit: this.unit.text }, field, message);
  }

  private build(frames: Frame[]): ThreadProfile | ProfileProblem {
    if (this.start.invalid !== undefined) {
      return new ProfileProblem('startValue', `expected a number, got ${this.start.invalid}`);
    }
    if (this.end.invalid !== undefined) {
      return new ProfileProblem('endValue', `expected a number, got ${this.end.invalid}`);
    }
    const info = unitInfo(this.unit.text);
    const startValue = this.start.value ?? 0;
    let duration = 0;
    if (this.end.value !== undefined && this.end.value >= startValue) {
      const exact = (this.end.value - startValue) * info.toBase;
      if (!(exact < BASE_UNIT_LIMIT)) {
        return new ProfileProblem(
          'endValue',
          `${this.end.value} is too far after startValue ${startValue}: 2^63 ${info.baseUnit} or more`
        );
      }
      duration = Math.round(exact);
    }
    const header: ThreadHeader = {
      fileName: this.fileName,
      index: this.index,
      name: this.name,
      unit: this.unit.text,
      scale: { kind: info.kind, baseUnit: info.baseUnit, toBase: info.toBase },
      duration,
      frames,
    };
    let thread: ThreadProfile | ProfileProblem;
    if (this.type.isString && this.type.text === 'sampled') {
      thread = buildSampled(header, info, this, frames.length);
    } else if (this.type.isString && this.type.text === 'evented') {
      thread = buildEvented(header, info, this, startValue);
    } else {
      return new ProfileProblem('type', `expected "sampled" or "evented", got ${this.type.shown}`);
    }
    if (info.unknownUnit !== undefined && !(thread instanceof ProfileProblem)) {
      thread.warnings.unshift(`unit ${quoteForMessage(info.unknownUnit)} is not a Speedscope unit; values are counted`);
    }
    return thread;
  }
}

function outOfRange(value: number | string, frameCount: number): string {
  return `frame index ${value} is out of range (the file has ${frameCount} frames)`;
}

/** The first sample (and position) whose stack holds a frame index beyond the frame table. */
function firstOutOfRange(
  reader: SampledReader,
  frameCount: number
): { index: number; position: number; value: number } | undefined {
  const problem = reader.problem;
  if (reader.maxFrame < frameCount) {
    return undefined;
  }
  const tree = reader.tree.build();
  const nodes = tree.frame.length;
  // Depth (0-based position) of the first out-of-range frame on the path to each node, or -1.
  const badAt = new Int32Array(nodes).fill(-1);
  for (let node = 1; node < nodes; node++) {
    const parentBad = badAt[tree.parent[node]];
    badAt[node] = parentBad >= 0 ? parentBad : tree.frame[node] >= frameCount ? tree.depth[node] - 1 : -1;
  }
  const found = (index: number, node: number) => {
    let at = node;
    while (tree.depth[at] > badAt[node] + 1) {
      at = tree.parent[at];
    }
    return { index, position: badAt[node], value: tree.frame[at] };
  };
  const limit = problem ? problem.index : reader.sampleCount;
  for (let i = 0; i < limit; i++) {
    const node = reader.sampleNodes.get(i);
    if (badAt[node] >= 0) {
      return found(i, node);
    }
  }
  if (problem && badAt[problem.partialNode] >= 0) {
    return found(problem.index, problem.partialNode);
  }
  return undefined;
}

/**
 * A sampled profile: `samples[i]` is a stack of frame indices (root first) with weight `weights[i]`.
 * Sample i starts where the weights before it end, as in speedscope's own importer.
 * Each weight is rounded to the base unit on its own, so 0.01 s stays exactly 10 000 000 ns.
 */
function buildSampled(
  header: ThreadHeader,
  info: UnitInfo,
  profile: ProfileReader,
  frameCount: number
): ThreadProfile | ProfileProblem {
  if (profile.samples !== 'array') {
    return new ProfileProblem('samples', 'expected an array of stacks');
  }
  if (profile.weights !== 'array') {
    return new ProfileProblem('weights', 'expected an array of numbers');
  }
  const reader = profile.sampledReader();
  const count = reader.sampleCount;
  if (reader.weights.length !== count) {
    return new ProfileProblem(
      'weights',
      `has ${reader.weights.length} entries but samples has ${count}; they must match one to one`
    );
  }
  const range = firstOutOfRange(reader, frameCount);
  const problem = reader.problem;
  const toBase = info.toBase;
  const isTime = info.kind === 'time';
  const collector = new SampleCollector();
  const warnings: string[] = [];
  let offset = 0;
  let emptyStackSamples = 0;
  let emptyStackTotal = 0;
  let fractionalCounts = 0;
  const weights = reader.weights;
  const nodes = reader.sampleNodes;
  for (let i = 0; i < count; i++) {
    if (problem !== undefined && problem.index === i && problem.kind === 'not-array') {
      return new ProfileProblem(`samples[${i}]`, `expected an array of frame indices, got ${problem.shown}`);
    }
    const weight = weights.get(i);
    if (Number.isNaN(weight)) {
      return new ProfileProblem(`weights[${i}]`, `expected a number, got ${reader.firstBadWeightShown}`);
    }
    if (weight < 0) {
      return new ProfileProblem(`weights[${i}]`, `weights cannot be negative, got ${weight}`);
    }
    const exact = weight * toBase;
    if (!(exact < BASE_UNIT_LIMIT)) {
      return new ProfileProblem(
        `weights[${i}]`,
        `${weight} ${clipForMessage(header.unit)} is 2^63 ${info.baseUnit} or more: too large for a 64-bit profile value`
      );
    }
    if (range !== undefined && range.index === i) {
      return new ProfileProblem(`samples[${i}][${range.position}]`, outOfRange(range.value, frameCount));
    }
    if (problem !== undefined && problem.index === i) {
      return new ProfileProblem(
        `samples[${i}][${problem.position}]`,
        problem.kind === 'not-integer'
          ? `frame index must be an integer, got ${problem.shown}`
          : outOfRange(problem.shown, frameCount)
      );
    }
    const value = Math.round(exact);
    if (!isTime && value !== exact) {
      fractionalCounts++;
    }
    if (!(offset + value < BASE_UNIT_LIMIT)) {
      return new ProfileProblem(
        `weights[${i}]`,
        `the weights up to here add up to 2^63 ${info.baseUnit} or more: too large for a 64-bit profile value`
      );
    }
    const node = nodes.get(i);
    if (node === ROOT_NODE) {
      emptyStackSamples++;
      emptyStackTotal += value;
      offset += value;
      continue;
    }
    if (value > 0) {
      reader.tree.addSelf(node, value);
      collector.add(node, value, offset);
    }
    offset += value;
  }
  if (fractionalCounts > 0) {
    warnings.push(`${fractionalCounts} weights are not whole ${info.baseUnit}; they were rounded`);
  }
  return finishThread(
    header,
    'sampled',
    reader.tree,
    collector,
    { samplesOrEvents: count, emptyStackSamples, emptyStackTotal, end: offset },
    warnings
  );
}

function describeFrame(frames: Frame[], index: number): string {
  return `frame ${index} ${quoteForMessage(frames[index].name)}`;
}

/**
 * An evented profile: open (`O`) and close (`C`) events with times `at`. The time between two events belongs
 * to the stack open between them. Times are converted to integer base units relative to startValue before
 * subtracting, so self times add up exactly to the covered time.
 */
function buildEvented(
  header: ThreadHeader,
  info: UnitInfo,
  profile: ProfileReader,
  startValue: number
): ThreadProfile | ProfileProblem {
  if (profile.events !== 'array') {
    return new ProfileProblem('events', 'expected an array of events');
  }
  const reader = profile.eventedReader();
  const { frames } = header;
  const frameCount = frames.length;
  const toBase = info.toBase;
  const isTime = info.kind === 'time';
  const builder = new StackTreeBuilder();
  const collector = new SampleCollector();
  const warnings: string[] = [];
  const openNodes: number[] = [];
  const openedAt: number[] = [];
  let lastTime = 0;
  let fractionalTimes = 0;
  const stored = reader.types.length;
  const problem = reader.problem;
  for (let i = 0; i < stored; i++) {
    const type = reader.types.get(i);
    if (type === NOT_AN_EVENT) {
      return new ProfileProblem(`events[${i}]`, `expected an event object, got ${problem?.notAnEventShown}`);
    }
    const frameIndex = reader.frames.get(i);
    if (frameIndex === BAD_FRAME) {
      return new ProfileProblem(
        `events[${i}].frame`,
        problem?.frameKind === 'out-of-range'
          ? outOfRange(problem.frameShown ?? '', frameCount)
          : `frame index must be an integer, got ${problem?.frameShown}`
      );
    }
    if (frameIndex >= frameCount) {
      return new ProfileProblem(`events[${i}].frame`, outOfRange(frameIndex, frameCount));
    }
    const rawAt = reader.times.get(i);
    if (Number.isNaN(rawAt)) {
      return new ProfileProblem(`events[${i}].at`, `expected a number, got ${problem?.atShown}`);
    }
    const exact = (rawAt - startValue) * toBase;
    const time = Math.round(exact);
    if (!isTime && time !== exact) {
      fractionalTimes++;
    }
    if (time < 0) {
      return new ProfileProblem(`events[${i}].at`, `time ${rawAt} is before the profile's startValue ${startValue}`);
    }
    if (!(exact < BASE_UNIT_LIMIT)) {
      return new ProfileProblem(
        `events[${i}].at`,
        `time ${rawAt} is too far after startValue ${startValue}: 2^63 ${info.baseUnit} or more`
      );
    }
    if (time < lastTime) {
      return new ProfileProblem(
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
    if (type === OPEN) {
      openNodes.push(builder.child(top, frameIndex));
      openedAt.push(i);
    } else if (type === CLOSE) {
      if (top === ROOT_NODE) {
        return new ProfileProblem(`events[${i}]`, `closes ${describeFrame(frames, frameIndex)} but no frame is open`);
      }
      const topFrame = builder.frameOf(top);
      if (topFrame !== frameIndex) {
        return new ProfileProblem(
          `events[${i}]`,
          `closes ${describeFrame(frames, frameIndex)} but ${describeFrame(frames, topFrame)} is on top of the stack`
        );
      }
      openNodes.pop();
      openedAt.pop();
    } else {
      return new ProfileProblem(`events[${i}].type`, `expected "O" or "C", got ${problem?.typeShown}`);
    }
  }
  if (openNodes.length > 0) {
    const innermost = openNodes.length - 1;
    return new ProfileProblem(
      'events',
      `${describeFrame(frames, builder.frameOf(openNodes[innermost]))} opened at events[${openedAt[innermost]}] is never closed (${openNodes.length} frames left open)`
    );
  }
  if (fractionalTimes > 0) {
    warnings.push(`${fractionalTimes} event times are not whole ${info.baseUnit}; they were rounded`);
  }
  return finishThread(
    header,
    'evented',
    builder,
    collector,
    { samplesOrEvents: reader.count, emptyStackSamples: 0, emptyStackTotal: 0, end: lastTime },
    warnings
  );
}

export const EVENT_CODES = { OPEN, CLOSE, BAD_TYPE, NOT_AN_EVENT, BAD_FRAME };
