import { Frame, StackTree } from '../threads/threadModel';
import { utf8Length } from './labels';

/**
 * How a profile's symbols are laid out in pprof, shared by the planner (which sizes every profile exactly, to split
 * and to predict the volume) and the encoder in `pprof/` (which writes the same layout): ids in order of first use
 * while samples are walked leaf to root, only the frames a profile uses, and the sample and period type strings at the
 * end of the string table, so that everything else is independent of the profile type.
 */

/** Strings and functions of one frame table, deduplicated once and shared by every profile of its threads. */
export class SymbolTable {
  readonly strings: string[] = [''];
  /** UTF-8 length of each string. */
  readonly stringBytes: number[] = [0];
  /** Global function of each frame: functions are keyed by (name, file), compared as strings, never joined. */
  readonly functionOfFrame: Int32Array;
  readonly functionName: number[] = [];
  readonly functionFile: number[] = [];
  /** Line of each frame as pprof stores it (0 when unknown). */
  readonly frameLine: Float64Array;
  /** Bytes of each frame's line number field in a location's line (0 for line 0, which is omitted). */
  readonly lineFieldBytes: Uint8Array;
  private readonly stringIds = new Map<string, number>([['', 0]]);

  constructor(frames: Frame[]) {
    this.functionOfFrame = new Int32Array(frames.length);
    this.frameLine = new Float64Array(frames.length);
    this.lineFieldBytes = new Uint8Array(frames.length);
    const byFile = new Map<number, Map<number, number>>();
    frames.forEach((frame, f) => {
      const name = this.intern(frame.name);
      const file = this.intern(frame.file ?? '');
      let byName = byFile.get(file);
      if (!byName) {
        byName = new Map();
        byFile.set(file, byName);
      }
      let fn = byName.get(name);
      if (fn === undefined) {
        fn = this.functionName.length;
        this.functionName.push(name);
        this.functionFile.push(file);
        byName.set(name, fn);
      }
      this.functionOfFrame[f] = fn;
      this.frameLine[f] = Number.isSafeInteger(frame.line) ? frame.line! : 0;
      this.lineFieldBytes[f] = optionalVarintField(this.frameLine[f]);
    });
  }

  intern(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.stringBytes.push(utf8Length(text));
      this.stringIds.set(text, id);
    }
    return id;
  }
}

const symbolTables = new WeakMap<Frame[], SymbolTable>();

export function symbolTableOf(frames: Frame[]): SymbolTable {
  let table = symbolTables.get(frames);
  if (!table) {
    table = new SymbolTable(frames);
    symbolTables.set(frames, table);
  }
  return table;
}

/** Bytes of `value` as a protobuf varint; negative numbers take 10 bytes (two's complement int64). */
export function varintSize(value: number): number {
  if (value < 0 || !(value < 2 ** 64)) {
    return 10;
  }
  if (value < 0x80) {
    return 1;
  }
  if (value < 0x4000) {
    return 2;
  }
  if (value < 0x200000) {
    return 3;
  }
  if (value < 0x10000000) {
    return 4;
  }
  let size = 5;
  for (let rest = Math.floor(value / 0x800000000); rest >= 1; rest = Math.floor(rest / 0x80)) {
    size++;
  }
  return Math.min(size, 10);
}

/** `varintSize` of a non-negative count or id, with the common sizes answered inline. */
function smallVarintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : varintSize(value);
}

export function bigVarintSize(value: bigint): number {
  let rest = BigInt.asUintN(64, value);
  let size = 1;
  while (rest >= 0x80n) {
    rest >>= 7n;
    size++;
  }
  return size;
}

/** A length-delimited field: tag byte, length, content. */
export const fieldSize = (contentBytes: number) => 1 + varintSize(contentBytes) + contentBytes;
/** A Location's line (field 4): its function id (1) and line number (2, `lineFieldBytes`: omitted when 0). */
export const locationLineBytes = (functionId: number, lineFieldBytes: number) =>
  1 + smallVarintSize(functionId) + lineFieldBytes;
/** A Location's content: its id (1) and its line (4). */
export const locationContentBytes = (id: number, lineBytes: number) =>
  1 + smallVarintSize(id) + 1 + smallVarintSize(lineBytes) + lineBytes;
/** A Function's content: id (1), name (2), system name (3: the same string), file name (4, omitted when ""). */
export const functionContentBytes = (id: number, name: number, file: number) =>
  1 + smallVarintSize(id) + 2 * (1 + smallVarintSize(name)) + (file === 0 ? 0 : 1 + smallVarintSize(file));
/** A varint field, omitted when 0 as proto3 does. */
const optionalVarintField = (value: number) => (value === 0 ? 0 : 1 + varintSize(value));

export interface PprofHeader {
  sampleType: { type: string; unit: string };
  periodType: { type: string; unit: string };
  period: number;
  timeNanos: bigint;
  durationNanos: bigint;
}

/** The distinct type strings of a header, in the order they follow the symbol strings. */
export function headerStrings(header: PprofHeader): string[] {
  const { sampleType, periodType } = header;
  return [...new Set([sampleType.type, sampleType.unit, periodType.type, periodType.unit])];
}

/** Exact bytes of what a header adds to a body of `bodyStrings` strings: type strings, value types, times, period. */
export function headerBytes(header: PprofHeader, bodyStrings: number): number {
  const strings = headerStrings(header);
  const index = (text: string) => bodyStrings + strings.indexOf(text);
  const valueType = (type: string, unit: string) =>
    fieldSize(1 + varintSize(index(type)) + 1 + varintSize(index(unit)));
  let bytes = strings.reduce((sum, s) => sum + fieldSize(utf8Length(s)), 0);
  bytes += valueType(header.sampleType.type, header.sampleType.unit);
  bytes += valueType(header.periodType.type, header.periodType.unit);
  bytes += header.timeNanos === 0n ? 0 : 1 + bigVarintSize(header.timeNanos);
  bytes += header.durationNanos === 0n ? 0 : 1 + bigVarintSize(header.durationNanos);
  bytes += optionalVarintField(header.period);
  return bytes;
}

/** The largest header a profile can get (10-byte times): the splitter reserves it, since times come later. */
export const MAX_HEADER_BYTES = 256;

/**
 * A profile's symbols in id order, as its layout laid them out: what the encoder writes after the samples, so that it
 * does not find them again. Held per planned profile (three ids per location: 18 MiB for the bench's 166 MiB of pprof).
 */
export interface ProfileSymbols {
  /** Frame of each location (location id = position + 1). */
  locationFrames: Int32Array;
  /** Global function of each function (function id = position + 1). */
  functions: Int32Array;
  /** Global string of each string table entry after the leading "" (string index = position + 1). */
  strings: Int32Array;
  /** Exact bytes of the locations, functions and strings, the leading "" included. */
  bytes: number;
}

/**
 * Builds the layout of one profile sample by sample and keeps its exact size: the splitter adds samples until a
 * limit would be passed, and the encoder writes its locations in the same order. `reset` starts the next profile in
 * O(1).
 */
export class ProfileLayout {
  /** Frame of each location, in id order (location id = position + 1), `locationCount` of them. */
  private readonly locationFrames: Int32Array;
  private locationCount = 0;
  /** Global function of each pprof function, in id order, `functionCount` of them. */
  private readonly functions: Int32Array;
  private functionCount = 0;
  /** Global string of each string table entry after the leading "", in index order, `symbolStrings` of them. */
  private strings: Int32Array;
  private symbolStrings = 0;
  /** Exact bytes of samples, locations, functions and symbol strings (the leading "" included). */
  bodyBytes = 2;
  /** Bytes of the sample messages within `bodyBytes`; the rest are symbols. */
  sampleBytes = 0;
  samples = 0;
  /** The nodes the last `addSample` met for the first time in this profile, leaf first (`newNodeCount` of them). */
  private newNodes = new Int32Array(64);
  private newNodeCount = 0;
  private generation = 0;
  /** What the layout held before the last `addSample`, for `removeLastSample`. */
  private readonly before = { locations: 0, functions: 0, strings: 0, bodyBytes: 0, sampleBytes: 0 };
  /** Nonzero (the current generation) for the nodes whose stacks are known in this profile. */
  private readonly nodeStamp: Int32Array;
  /** Bytes of a node's packed location ids (its own and its ancestors'), once stamped. */
  private readonly stackBytes: Int32Array;
  private readonly locationStamp: Int32Array;
  private readonly locationId: Int32Array;
  private readonly functionStamp: Int32Array;
  private readonly functionId: Int32Array;
  private stringStamp: Int32Array;
  private stringIndex: Int32Array;

  constructor(
    readonly tree: StackTree,
    readonly symbols: SymbolTable
  ) {
    this.nodeStamp = new Int32Array(tree.parent.length);
    this.stackBytes = new Int32Array(tree.parent.length);
    this.locationStamp = new Int32Array(symbols.functionOfFrame.length);
    this.locationId = new Int32Array(symbols.functionOfFrame.length);
    this.functionStamp = new Int32Array(symbols.functionName.length);
    this.functionId = new Int32Array(symbols.functionName.length);
    this.stringStamp = new Int32Array(symbols.strings.length);
    this.stringIndex = new Int32Array(symbols.strings.length);
    this.locationFrames = new Int32Array(symbols.functionOfFrame.length);
    this.functions = new Int32Array(symbols.functionName.length);
    this.strings = new Int32Array(symbols.strings.length);
    this.reset();
  }

  reset(): void {
    this.generation++;
    this.newNodeCount = 0;
    this.locationCount = 0;
    this.functionCount = 0;
    this.symbolStrings = 0;
    this.bodyBytes = 2;
    this.sampleBytes = 0;
    this.samples = 0;
  }

  /**
   * Takes back the last `addSample` (the splitter adds a sample, and takes it back if the profile is full): the nodes
   * it met first are the only ones it stamped, so no list of every node met is kept for this.
   */
  removeLastSample(): void {
    const { before } = this;
    for (let k = 0; k < this.newNodeCount; k++) {
      this.nodeStamp[this.newNodes[k]] = 0;
    }
    this.newNodeCount = 0;
    for (; this.locationCount > before.locations; this.locationCount--) {
      this.locationStamp[this.locationFrames[this.locationCount - 1]] = 0;
    }
    for (; this.functionCount > before.functions; this.functionCount--) {
      this.functionStamp[this.functions[this.functionCount - 1]] = 0;
    }
    for (; this.symbolStrings > before.strings; this.symbolStrings--) {
      this.stringStamp[this.strings[this.symbolStrings - 1]] = 0;
    }
    this.bodyBytes = before.bodyBytes;
    this.sampleBytes = before.sampleBytes;
    this.samples--;
  }

  /** The symbols laid out so far (copied). */
  laidOutSymbols(): ProfileSymbols {
    return {
      locationFrames: this.locationFrames.slice(0, this.locationCount),
      functions: this.functions.slice(0, this.functionCount),
      strings: this.strings.slice(0, this.symbolStrings),
      bytes: this.bodyBytes - this.sampleBytes,
    };
  }

  /** Number of strings in the table so far, the leading "" included. */
  get stringCount(): number {
    return this.symbolStrings + 1;
  }

  /** Adds one sample (a stack tree node and its value) and returns the bytes it added. */
  addSample(node: number, value: number): number {
    const { before } = this;
    before.locations = this.locationCount;
    before.functions = this.functionCount;
    before.strings = this.symbolStrings;
    before.bodyBytes = this.bodyBytes;
    before.sampleBytes = this.sampleBytes;
    const idBytes = this.stackBytesOf(node);
    // Every sample carries exactly one value, 0 included: Pyroscope rejects value-count mismatches.
    const bytes = fieldSize((idBytes === 0 ? 0 : fieldSize(idBytes)) + fieldSize(varintSize(value)));
    this.bodyBytes += bytes;
    this.sampleBytes += bytes;
    this.samples++;
    return this.bodyBytes - before.bodyBytes;
  }

  /**
   * Bytes of a stack's packed location ids. Stacks share their root ends, so only the nodes this profile has not met
   * yet are walked (kept in `newNodes`, leaf first); their locations are added root end first.
   */
  private stackBytesOf(node: number): number {
    const { parent, frame } = this.tree;
    const { nodeStamp, stackBytes, generation, locationStamp, locationId } = this;
    let chain = this.newNodes;
    let count = 0;
    let n = node;
    while (n > 0 && nodeStamp[n] !== generation) {
      if (count === chain.length) {
        const grown = new Int32Array(chain.length * 2);
        grown.set(chain);
        chain = this.newNodes = grown;
      }
      chain[count++] = n;
      n = parent[n];
    }
    this.newNodeCount = count;
    let bytes = n > 0 ? stackBytes[n] : 0;
    for (let k = count - 1; k >= 0; k--) {
      const m = chain[k];
      const f = frame[m];
      // Most frames of a new node have a location in this profile already: checked here, without a call.
      const id = locationStamp[f] === generation ? locationId[f] : this.location(f);
      bytes += smallVarintSize(id);
      stackBytes[m] = bytes;
      nodeStamp[m] = generation;
    }
    return bytes;
  }

  /** The location id of a frame in this profile, adding the location (and its function and strings) when new. */
  private location(frame: number): number {
    if (this.locationStamp[frame] === this.generation) {
      return this.locationId[frame];
    }
    const id = ++this.locationCount;
    this.locationFrames[id - 1] = frame;
    this.locationStamp[frame] = this.generation;
    this.locationId[frame] = id;
    const functionId = this.function(this.symbols.functionOfFrame[frame]);
    const content = locationContentBytes(id, locationLineBytes(functionId, this.symbols.lineFieldBytes[frame]));
    this.bodyBytes += 1 + smallVarintSize(content) + content;
    return id;
  }

  stringIndexOf(globalString: number): number {
    return globalString === 0 ? 0 : this.stringIndex[globalString];
  }

  private function(fn: number): number {
    if (this.functionStamp[fn] === this.generation) {
      return this.functionId[fn];
    }
    const id = ++this.functionCount;
    this.functions[id - 1] = fn;
    this.functionStamp[fn] = this.generation;
    this.functionId[fn] = id;
    const name = this.string(this.symbols.functionName[fn]);
    const file = this.string(this.symbols.functionFile[fn]);
    const content = functionContentBytes(id, name, file);
    this.bodyBytes += 1 + smallVarintSize(content) + content;
    return id;
  }

  private string(globalString: number): number {
    if (globalString === 0) {
      return 0;
    }
    if (globalString >= this.stringStamp.length) {
      this.growStrings();
    }
    if (this.stringStamp[globalString] === this.generation) {
      return this.stringIndex[globalString];
    }
    const index = ++this.symbolStrings;
    this.strings[index - 1] = globalString;
    this.stringStamp[globalString] = this.generation;
    this.stringIndex[globalString] = index;
    this.bodyBytes += fieldSize(this.symbols.stringBytes[globalString]);
    return index;
  }

  private growStrings(): void {
    const size = this.symbols.strings.length;
    const stamp = new Int32Array(size);
    stamp.set(this.stringStamp);
    const index = new Int32Array(size);
    index.set(this.stringIndex);
    this.stringStamp = stamp;
    this.stringIndex = index;
    const strings = new Int32Array(size);
    strings.set(this.strings);
    this.strings = strings;
  }
}
