import { PlannedProfile } from '../plan/planUpload';
import {
  fieldSize,
  functionContentBytes as layoutFunctionContentBytes,
  headerBytes,
  headerStrings,
  locationContentBytes as layoutLocationContentBytes,
  locationLineBytes as layoutLocationLineBytes,
  PprofHeader,
  ProfileLayout,
  ProfileSymbols,
  SymbolTable,
  symbolTableOf,
  varintSize as layoutVarintSize,
} from '../plan/pprofLayout';
import { StackTree } from '../threads/threadModel';
import { utf8Length } from '../plan/labels';

/**
 * Bound once: the CLI runs under tsx, whose CommonJS output reaches another module's export through a getter at every
 * call, and these run several times per sample or symbol.
 */
const varintSize = layoutVarintSize;
const locationLineBytes = layoutLocationLineBytes;
const locationContentBytes = layoutLocationContentBytes;
const functionContentBytes = layoutFunctionContentBytes;

/** One growable output buffer for every profile: encoding allocates only the copy it returns. */
let buffer = new Uint8Array(1 << 16);
let pos = 0;
const textEncoder = new TextEncoder();

function ensure(bytes: number): void {
  if (pos + bytes > buffer.length) {
    const grown = new Uint8Array(Math.max(buffer.length * 2, pos + bytes));
    grown.set(buffer.subarray(0, pos));
    buffer = grown;
  }
}

/** A non-negative integer (or, for line numbers, a negative one as two's-complement int64). */
function varint(value: number): void {
  if (value >= 0 && value < 0x80000000) {
    while (value >= 0x80) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
  } else if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
    while (value >= 0x80) {
      buffer[pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buffer[pos++] = value;
  } else {
    bigVarint(BigInt(value));
  }
}

function bigVarint(value: bigint): void {
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    buffer[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  buffer[pos++] = Number(rest);
}

function key(field: number, wireType: 0 | 2): void {
  buffer[pos++] = (field << 3) | wireType;
}

function lengthDelimited(field: number, contentBytes: number): void {
  key(field, 2);
  varint(contentBytes);
}

function string(field: number, text: string, bytes: number): void {
  lengthDelimited(field, bytes);
  if (bytes === text.length) {
    // ASCII (one byte per UTF-16 unit), most symbols: copied without a subarray or an encoder call.
    for (let i = 0; i < bytes; i++) {
      buffer[pos++] = text.charCodeAt(i);
    }
  } else {
    const { written } = textEncoder.encodeInto(text, buffer.subarray(pos, pos + bytes));
    pos += written;
  }
}

const layouts = new WeakMap<StackTree, ProfileLayout>();

/**
 * The profile's symbols as the planner laid them out, or, for a profile planned without them, laid out here (with the
 * thread's layout builder, whose stamp arrays are allocated once per thread).
 */
function symbolsOf(planned: PlannedProfile): ProfileSymbols {
  if (planned.symbols !== undefined) {
    return planned.symbols;
  }
  const { tree, frames } = planned.thread;
  let layout = layouts.get(tree);
  if (!layout) {
    layout = new ProfileLayout(tree, symbolTableOf(frames));
    layouts.set(tree, layout);
  }
  layout.reset();
  for (let i = 0; i < planned.nodes.length; i++) {
    layout.addSample(planned.nodes[i], planned.values[i]);
  }
  return layout.laidOutSymbols();
}

/**
 * Ids in the profile being written, by global index: location id per frame, function id per global function, string
 * index per global string. Valid for what the profile's symbols hold (set by `setIds`); shared by every profile.
 */
let locationIds = new Int32Array(0);
let functionIds = new Int32Array(0);
let stringIndexes = new Int32Array(0);

function setIds(table: SymbolTable, symbols: ProfileSymbols): void {
  if (locationIds.length < table.functionOfFrame.length) {
    locationIds = new Int32Array(table.functionOfFrame.length);
  }
  if (functionIds.length < table.functionName.length) {
    functionIds = new Int32Array(table.functionName.length);
  }
  if (stringIndexes.length < table.strings.length) {
    stringIndexes = new Int32Array(table.strings.length);
  }
  const { locationFrames, functions, strings } = symbols;
  for (let k = 0; k < locationFrames.length; k++) {
    locationIds[locationFrames[k]] = k + 1;
  }
  for (let k = 0; k < functions.length; k++) {
    functionIds[functions[k]] = k + 1;
  }
  stringIndexes[0] = 0;
  for (let k = 0; k < strings.length; k++) {
    stringIndexes[strings[k]] = k + 1;
  }
}

export function pprofHeader(planned: PlannedProfile): PprofHeader {
  return {
    sampleType: planned.profileType.sampleType,
    periodType: planned.profileType.periodType,
    period: planned.periodNanos,
    timeNanos: planned.timeNanos,
    durationNanos: planned.durationNanos,
  };
}

/** Room before the samples for the first field (the sample type), whose string indexes are known only after them. */
const SAMPLE_TYPE_ROOM = 16;

/**
 * Writes one planned profile as an uncompressed pprof protobuf, straight from the thread's stack tree: each frame a
 * profile uses becomes a location with one line (and its line number) pointing at a function keyed by (name, file),
 * with a string table of its own. One pass: each sample is laid out (`ProfileLayout`, as the planner sized it) and
 * written at once, so the length returned is exactly the planner's size for the profile.
 */
export function encodePprof(planned: PlannedProfile): Uint8Array {
  const symbols = symbolsOf(planned);
  const table = symbolTableOf(planned.thread.frames);
  setIds(table, symbols);
  const stringCount = symbols.strings.length + 1;
  pos = SAMPLE_TYPE_ROOM;
  ensure(Math.max(planned.uncompressedBytes, 0) + SAMPLE_TYPE_ROOM);
  writeSamples(planned.thread.tree, planned.nodes, planned.values);
  const samplesEnd = pos;

  const header = pprofHeader(planned);
  const types = headerStrings(header);
  const typeIndex = (text: string) => stringCount + types.indexOf(text);
  const valueTypeBytes = (type: string, unit: string) => 2 + varintSize(typeIndex(type)) + varintSize(typeIndex(unit));
  const valueType = (field: number, type: string, unit: string) => {
    lengthDelimited(field, valueTypeBytes(type, unit));
    key(1, 0);
    varint(typeIndex(type));
    key(2, 0);
    varint(typeIndex(unit));
  };
  const total = samplesEnd - SAMPLE_TYPE_ROOM + symbols.bytes + headerBytes(header, stringCount);
  // Fields in field-number order, as protobuf encoders write them: the sample type goes just before the samples.
  const start = SAMPLE_TYPE_ROOM - fieldSize(valueTypeBytes(header.sampleType.type, header.sampleType.unit));
  pos = start;
  valueType(1, header.sampleType.type, header.sampleType.unit);
  pos = samplesEnd;
  ensure(total - (samplesEnd - start));
  writeLocations(table, symbols);
  writeFunctions(table, symbols);
  writeStrings(table, symbols, types);
  if (header.timeNanos !== 0n) {
    key(9, 0);
    bigVarint(header.timeNanos);
  }
  if (header.durationNanos !== 0n) {
    key(10, 0);
    bigVarint(header.durationNanos);
  }
  valueType(11, header.periodType.type, header.periodType.unit);
  if (header.period !== 0) {
    key(12, 0);
    varint(header.period);
  }
  if (pos - start !== total) {
    throw new Error(`pprof layout mismatch: wrote ${pos - start} bytes, sized ${total}`);
  }
  return buffer.slice(start, pos);
}

/**
 * Per stack node of the thread being written: where its packed location ids were written in this profile, how many
 * bytes they take (its own and its ancestors'), and the profile in which both were set (`writeStamp`), so that the
 * arrays serve every profile and every thread without being cleared.
 */
let writtenAt = new Int32Array(0);
let writtenBytes = new Int32Array(0);
let writtenStamp = new Int32Array(0);
let writeStamp = 0;

/**
 * A varint at `at` of `out`, returning the position after it: the hot loops keep the output and their position in
 * locals (module variables are loaded and stored at every byte), and use `varint` only for values of 2^31 and more.
 */
function putVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

/** `putVarint` for any value a sample or line may hold: values of 2^31 and above go through `varint`. */
function putLargeVarint(out: Uint8Array, at: number, value: number): number {
  if (value >= 0 && value < 0x80000000) {
    return putVarint(out, at, value);
  }
  pos = at;
  varint(value);
  return pos;
}

/**
 * Writes each sample, with the location ids `setIds` set. pprof lists a stack leaf first; a node's ids
 * are its own followed by its parent's, so only the nodes this profile meets for the first time are written id by id
 * (one walk up to size them, one to write them), and the rest of the stack is copied from where it was first written.
 */
function writeSamples(tree: StackTree, nodes: Int32Array, values: Float64Array): void {
  const { parent, frame } = tree;
  if (writtenAt.length < parent.length) {
    writtenAt = new Int32Array(parent.length);
    writtenBytes = new Int32Array(parent.length);
    writtenStamp = new Int32Array(parent.length);
  }
  const ids = locationIds;
  const stamp = ++writeStamp;
  const at = writtenAt;
  const stackBytes = writtenBytes;
  const stamps = writtenStamp;
  let out = buffer;
  let w = pos;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const value = values[i];
    // The new nodes' id bytes, and the first node already written (0: none).
    let newBytes = 0;
    let known = node;
    while (known > 0 && stamps[known] !== stamp) {
      newBytes += varintSize(ids[frame[known]]);
      known = parent[known];
    }
    const knownBytes = known > 0 ? stackBytes[known] : 0;
    const idBytes = newBytes + knownBytes;
    const valueBytes = varintSize(value);
    const idsField = idBytes === 0 ? 0 : 1 + varintSize(idBytes) + idBytes;
    const content = idsField + 1 + varintSize(valueBytes) + valueBytes;
    const sampleBytes = 1 + varintSize(content) + content;
    if (w + sampleBytes > out.length) {
      pos = w;
      ensure(sampleBytes);
      out = buffer;
    }
    // Sample (field 2) with its packed location ids (field 1) and its value (field 2), all sizes below 2^31.
    out[w++] = 0x12;
    w = putVarint(out, w, content);
    if (idBytes > 0) {
      out[w++] = 0x0a;
      w = putVarint(out, w, idBytes);
      const end = w + idBytes;
      for (let n = node; n !== known; n = parent[n]) {
        at[n] = w;
        stackBytes[n] = end - w;
        stamps[n] = stamp;
        w = putVarint(out, w, ids[frame[n]]);
      }
      if (known > 0) {
        const from = at[known];
        if (knownBytes < 32) {
          for (let b = 0; b < knownBytes; b++) {
            out[w + b] = out[from + b];
          }
        } else {
          out.copyWithin(w, from, from + knownBytes);
        }
        w += knownBytes;
      }
    }
    out[w++] = 0x12;
    w = putVarint(out, w, valueBytes);
    w = putLargeVarint(out, w, value);
  }
  pos = w;
}

function writeLocations(table: SymbolTable, symbols: ProfileSymbols): void {
  const { functionOfFrame, frameLine, lineFieldBytes } = table;
  const frames = symbols.locationFrames;
  const fnIds = functionIds;
  // The output is sized for the whole profile already (see encodePprof).
  const out = buffer;
  let w = pos;
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index];
    const id = index + 1;
    const functionId = fnIds[functionOfFrame[frame]];
    const line = frameLine[frame];
    const lineBytes = locationLineBytes(functionId, lineFieldBytes[frame]);
    // Location (field 4): id (1), line (4) with its function id (1) and line number (2).
    out[w++] = 0x22;
    w = putVarint(out, w, locationContentBytes(id, lineBytes));
    out[w++] = 0x08;
    w = putVarint(out, w, id);
    out[w++] = 0x22;
    w = putVarint(out, w, lineBytes);
    out[w++] = 0x08;
    w = putVarint(out, w, functionId);
    if (line !== 0) {
      out[w++] = 0x10;
      w = putLargeVarint(out, w, line);
    }
  }
  pos = w;
}

function writeFunctions(table: SymbolTable, symbols: ProfileSymbols): void {
  const { functionName, functionFile } = table;
  const functions = symbols.functions;
  const indexes = stringIndexes;
  const out = buffer;
  let w = pos;
  for (let index = 0; index < functions.length; index++) {
    const fn = functions[index];
    const id = index + 1;
    const name = indexes[functionName[fn]];
    const file = indexes[functionFile[fn]];
    // Function (field 5): id (1), name (2), system name (3: the same string), file name (4, omitted when "").
    out[w++] = 0x2a;
    w = putVarint(out, w, functionContentBytes(id, name, file));
    out[w++] = 0x08;
    w = putVarint(out, w, id);
    out[w++] = 0x10;
    w = putVarint(out, w, name);
    out[w++] = 0x18;
    w = putVarint(out, w, name);
    if (file !== 0) {
      out[w++] = 0x20;
      w = putVarint(out, w, file);
    }
  }
  pos = w;
}

/**
 * Every symbol string of a frame table as a string-table field (tag, length, UTF-8), one after another, encoded once:
 * every profile of its threads copies the same bytes. `at[id]` is where string `id`'s field starts.
 */
interface EncodedStrings {
  bytes: Uint8Array;
  at: Int32Array;
}

const encodedStrings = new WeakMap<SymbolTable, EncodedStrings>();

function encodedStringsOf(symbols: SymbolTable): EncodedStrings {
  let encoded = encodedStrings.get(symbols);
  if (!encoded) {
    const { strings, stringBytes } = symbols;
    const at = new Int32Array(strings.length + 1);
    for (let id = 0; id < strings.length; id++) {
      at[id + 1] = at[id] + fieldSize(stringBytes[id]);
    }
    const saved = { buffer, pos };
    buffer = new Uint8Array(at[strings.length]);
    pos = 0;
    for (let id = 0; id < strings.length; id++) {
      string(6, strings[id], stringBytes[id]);
    }
    encoded = { bytes: buffer, at };
    ({ buffer, pos } = saved);
    encodedStrings.set(symbols, encoded);
  }
  return encoded;
}

function writeStrings(table: SymbolTable, symbols: ProfileSymbols, types: string[]): void {
  const { bytes, at } = encodedStringsOf(table);
  string(6, '', 0);
  const ids = symbols.strings;
  // The output is sized for the whole profile already (see encodePprof).
  const out = buffer;
  let w = pos;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const from = at[id];
    const to = at[id + 1];
    if (to - from <= 64) {
      for (let b = from; b < to; b++) {
        out[w++] = bytes[b];
      }
    } else {
      out.set(bytes.subarray(from, to), w);
      w += to - from;
    }
  }
  pos = w;
  for (const text of types) {
    string(6, text, utf8Length(text));
  }
}
