import { PlannedProfile } from '../plan/planUpload';
import {
  headerBytes,
  headerStrings,
  PprofHeader,
  ProfileLayout,
  SymbolTable,
  symbolTableOf,
  varintSize,
} from '../plan/pprofLayout';
import { StackTree } from '../threads/threadModel';
import { utf8Length } from '../plan/labels';

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

/** The thread's layout builder, reset for this profile: its stamp arrays are allocated once per thread. */
function layoutFor(planned: PlannedProfile): ProfileLayout {
  const { tree, frames } = planned.thread;
  let layout = layouts.get(tree);
  if (!layout) {
    layout = new ProfileLayout(tree, symbolTableOf(frames));
    layouts.set(tree, layout);
  }
  layout.reset();
  return layout;
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

/**
 * Writes one planned profile as an uncompressed pprof protobuf, straight from the thread's stack tree: each frame a
 * profile uses becomes a location with one line (and its line number) pointing at a function keyed by (name, file),
 * with a string table of its own. The size is known before writing (`ProfileLayout`), so the buffer grows at most
 * once and the planner's size for the profile is exactly the length returned here.
 */
export function encodePprof(planned: PlannedProfile): Uint8Array {
  const layout = layoutFor(planned);
  const { nodes, values } = planned;
  for (let i = 0; i < nodes.length; i++) {
    layout.addSample(nodes[i], values[i]);
  }
  const header = pprofHeader(planned);
  const total = layout.bodyBytes + headerBytes(header, layout.stringCount);
  pos = 0;
  ensure(total);

  const types = headerStrings(header);
  const typeIndex = (text: string) => layout.stringCount + types.indexOf(text);
  const valueType = (field: number, type: string, unit: string) => {
    const t = typeIndex(type);
    const u = typeIndex(unit);
    lengthDelimited(field, 2 + varintSize(t) + varintSize(u));
    key(1, 0);
    varint(t);
    key(2, 0);
    varint(u);
  };

  // Fields in field-number order, as protobuf encoders write them.
  valueType(1, header.sampleType.type, header.sampleType.unit);
  writeSamples(layout, nodes, values);
  writeLocations(layout);
  writeFunctions(layout);
  writeStrings(layout, types);
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
  if (pos !== total) {
    throw new Error(`pprof layout mismatch: wrote ${pos} bytes, sized ${total}`);
  }
  return buffer.slice(0, pos);
}

/** Where each stack node's packed location ids were written in this profile, to copy them for the next stack. */
let writtenAt = new Int32Array(0);
let writtenStamp = new Int32Array(0);
let writeGeneration = 0;

function writeSamples(layout: ProfileLayout, nodes: Int32Array, values: Float64Array): void {
  const { parent, frame } = layout.tree;
  const { stackBytes } = layout;
  if (writtenAt.length < parent.length) {
    writtenAt = new Int32Array(parent.length);
    writtenStamp = new Int32Array(parent.length);
    writeGeneration = 0;
  }
  const generation = ++writeGeneration;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const value = values[i];
    const idBytes = node > 0 ? stackBytes[node] : 0;
    const valueBytes = varintSize(value);
    const ids = idBytes === 0 ? 0 : 1 + varintSize(idBytes) + idBytes;
    lengthDelimited(2, ids + 1 + varintSize(valueBytes) + valueBytes);
    if (idBytes > 0) {
      // pprof lists a stack leaf first; a node's ids are its own followed by its parent's, so once a stack's ids are
      // written anywhere in this profile they are copied instead of walked again.
      lengthDelimited(1, idBytes);
      for (let n = node; n > 0; n = parent[n]) {
        if (writtenStamp[n] === generation) {
          buffer.copyWithin(pos, writtenAt[n], writtenAt[n] + stackBytes[n]);
          pos += stackBytes[n];
          break;
        }
        writtenStamp[n] = generation;
        writtenAt[n] = pos;
        varint(layout.location(frame[n]));
      }
    }
    lengthDelimited(2, valueBytes);
    varint(value);
  }
}

function writeLocations(layout: ProfileLayout): void {
  const { functionOfFrame, frameLine } = layout.symbols;
  layout.locationFrames.forEach((frame, index) => {
    const id = index + 1;
    const functionId = layout.functionIdOf(functionOfFrame[frame]);
    const line = frameLine[frame];
    const lineBytes = 1 + varintSize(functionId) + (line === 0 ? 0 : 1 + varintSize(line));
    lengthDelimited(4, 1 + varintSize(id) + 1 + varintSize(lineBytes) + lineBytes);
    key(1, 0);
    varint(id);
    lengthDelimited(4, lineBytes);
    key(1, 0);
    varint(functionId);
    if (line !== 0) {
      key(2, 0);
      varint(line);
    }
  });
}

function writeFunctions(layout: ProfileLayout): void {
  const { functionName, functionFile } = layout.symbols;
  layout.functions.forEach((fn, index) => {
    const id = index + 1;
    const name = layout.stringIndexOf(functionName[fn]);
    const file = layout.stringIndexOf(functionFile[fn]);
    const nameBytes = varintSize(name);
    lengthDelimited(5, 1 + varintSize(id) + 2 * (1 + nameBytes) + (file === 0 ? 0 : 1 + varintSize(file)));
    key(1, 0);
    varint(id);
    key(2, 0);
    varint(name);
    // System name: the same string, as before.
    key(3, 0);
    varint(name);
    if (file !== 0) {
      key(4, 0);
      varint(file);
    }
  });
}

/** UTF-8 of each symbol string, encoded once per frame table: every profile of its threads copies the same bytes. */
const encodedStrings = new WeakMap<SymbolTable, Array<Uint8Array | undefined>>();

function writeStrings(layout: ProfileLayout, types: string[]): void {
  const { strings } = layout.symbols;
  let encoded = encodedStrings.get(layout.symbols);
  if (!encoded) {
    encoded = [];
    encodedStrings.set(layout.symbols, encoded);
  }
  string(6, '', 0);
  for (const id of layout.strings) {
    const bytes = (encoded[id] ??= textEncoder.encode(strings[id]));
    lengthDelimited(6, bytes.length);
    buffer.set(bytes, pos);
    pos += bytes.length;
  }
  for (const text of types) {
    string(6, text, utf8Length(text));
  }
}
