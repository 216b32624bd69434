/**
 * A small decoder of pprof's `Profile` message (github.com/google/pprof `proto/profile.proto`) for the LOCAL
 * PYROSCOPE STAND-IN. Unlike a friendly decoder it keeps what the wire says: ids as sent (0 included), string-table
 * indices unchecked, strings as raw bytes (so invalid UTF-8 can be detected as Pyroscope's `utf8.ValidString` does),
 * int64 values as bigint. It also re-measures the encoded size, for `Profile.SizeVT()`.
 */

export interface ValueType {
  type: number;
  unit: number;
}
export interface WireLabel {
  key: number;
  str: number;
  num: bigint;
  numUnit: number;
}
export interface WireSample {
  locationId: number[];
  value: bigint[];
  label: WireLabel[];
}
export interface WireLine {
  functionId: number;
  line: bigint;
}
export interface WireLocation {
  id: number;
  mappingId: number;
  address: bigint;
  line: WireLine[];
}
export interface WireFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
}
export interface WireMapping {
  id: number;
  filename: number;
  buildId: number;
  hasFunctions: boolean;
}
export interface WireProfile {
  sampleType: ValueType[];
  sample: WireSample[];
  mapping: WireMapping[];
  location: WireLocation[];
  function: WireFunction[];
  /** Raw bytes of each string; decode with `strings()`. */
  stringBytes: Uint8Array[];
  timeNanos: bigint;
  durationNanos: bigint;
  periodType?: ValueType;
  period: bigint;
}

export class WireError extends Error {}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length
  ) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) {
        throw new WireError('unexpected EOF');
      }
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        return BigInt.asUintN(64, result);
      }
      shift += 7n;
      if (shift > 63n) {
        throw new WireError('integer overflow');
      }
    }
  }

  uint(): number {
    return Number(this.varint());
  }

  bytes(): Uint8Array {
    const len = this.uint();
    if (len < 0 || this.pos + len > this.end) {
      throw new WireError('unexpected EOF');
    }
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  sub(): Reader {
    const len = this.uint();
    if (this.pos + len > this.end) {
      throw new WireError('unexpected EOF');
    }
    const r = new Reader(this.buf.subarray(0, this.pos + len), this.pos + len);
    r.pos = this.pos;
    this.pos += len;
    return r;
  }

  skip(wireType: number): void {
    if (wireType === 0) {
      this.varint();
    } else if (wireType === 1) {
      this.pos += 8;
    } else if (wireType === 2) {
      this.bytes();
    } else if (wireType === 5) {
      this.pos += 4;
    } else {
      throw new WireError(`illegal wire type ${wireType}`);
    }
    if (this.pos > this.end) {
      throw new WireError('unexpected EOF');
    }
  }

  /** A repeated varint field, packed (wire type 2) or not (wire type 0). */
  repeated(wireType: number, into: bigint[]): void {
    if (wireType === 2) {
      const r = this.sub();
      while (r.pos < r.end) {
        into.push(r.varint());
      }
    } else {
      into.push(this.varint());
    }
  }

  fields(visit: (field: number, wireType: number) => void): void {
    while (this.pos < this.end) {
      const key = this.uint();
      const field = key >>> 3;
      if (field === 0) {
        throw new WireError('illegal tag 0');
      }
      visit(field, key & 7);
    }
  }
}

const int64 = (v: bigint) => BigInt.asIntN(64, v);

function valueType(r: Reader): ValueType {
  const vt: ValueType = { type: 0, unit: 0 };
  r.fields((f, w) => (f === 1 ? (vt.type = r.uint()) : f === 2 ? (vt.unit = r.uint()) : r.skip(w)));
  return vt;
}

function sample(r: Reader): WireSample {
  const locationIds: bigint[] = [];
  const values: bigint[] = [];
  const label: WireLabel[] = [];
  r.fields((f, w) => {
    if (f === 1) {
      r.repeated(w, locationIds);
    } else if (f === 2) {
      r.repeated(w, values);
    } else if (f === 3) {
      const l = r.sub();
      const lbl: WireLabel = { key: 0, str: 0, num: 0n, numUnit: 0 };
      l.fields((lf, lw) => {
        if (lf === 1) {
          lbl.key = l.uint();
        } else if (lf === 2) {
          lbl.str = l.uint();
        } else if (lf === 3) {
          lbl.num = int64(l.varint());
        } else if (lf === 4) {
          lbl.numUnit = l.uint();
        } else {
          l.skip(lw);
        }
      });
      label.push(lbl);
    } else {
      r.skip(w);
    }
  });
  return { locationId: locationIds.map(Number), value: values.map(int64), label };
}

function location(r: Reader): WireLocation {
  const loc: WireLocation = { id: 0, mappingId: 0, address: 0n, line: [] };
  r.fields((f, w) => {
    if (f === 1) {
      loc.id = r.uint();
    } else if (f === 2) {
      loc.mappingId = r.uint();
    } else if (f === 3) {
      loc.address = r.varint();
    } else if (f === 4) {
      const l = r.sub();
      const line: WireLine = { functionId: 0, line: 0n };
      l.fields((lf, lw) =>
        lf === 1 ? (line.functionId = l.uint()) : lf === 2 ? (line.line = int64(l.varint())) : l.skip(lw)
      );
      loc.line.push(line);
    } else {
      r.skip(w);
    }
  });
  return loc;
}

function fn(r: Reader): WireFunction {
  const out: WireFunction = { id: 0, name: 0, systemName: 0, filename: 0 };
  r.fields((f, w) => {
    if (f === 1) {
      out.id = r.uint();
    } else if (f === 2) {
      out.name = r.uint();
    } else if (f === 3) {
      out.systemName = r.uint();
    } else if (f === 4) {
      out.filename = r.uint();
    } else {
      r.skip(w);
    }
  });
  return out;
}

function mapping(r: Reader): WireMapping {
  const m: WireMapping = { id: 0, filename: 0, buildId: 0, hasFunctions: false };
  r.fields((f, w) => {
    if (f === 1) {
      m.id = r.uint();
    } else if (f === 5) {
      m.filename = r.uint();
    } else if (f === 6) {
      m.buildId = r.uint();
    } else if (f === 7) {
      m.hasFunctions = r.varint() !== 0n;
    } else {
      r.skip(w);
    }
  });
  return m;
}

export function decodeProfile(bytes: Uint8Array): WireProfile {
  const r = new Reader(bytes);
  const p: WireProfile = {
    sampleType: [],
    sample: [],
    mapping: [],
    location: [],
    function: [],
    stringBytes: [],
    timeNanos: 0n,
    durationNanos: 0n,
    period: 0n,
  };
  r.fields((f, w) => {
    switch (f) {
      case 1:
        p.sampleType.push(valueType(r.sub()));
        break;
      case 2:
        p.sample.push(sample(r.sub()));
        break;
      case 3:
        p.mapping.push(mapping(r.sub()));
        break;
      case 4:
        p.location.push(location(r.sub()));
        break;
      case 5:
        p.function.push(fn(r.sub()));
        break;
      case 6:
        p.stringBytes.push(r.bytes());
        break;
      case 9:
        p.timeNanos = int64(r.varint());
        break;
      case 10:
        p.durationNanos = int64(r.varint());
        break;
      case 11:
        p.periodType = valueType(r.sub());
        break;
      case 12:
        p.period = int64(r.varint());
        break;
      default:
        r.skip(w);
    }
  });
  return p;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** The string table as text; an invalid UTF-8 string is returned with replacement characters (check `invalidUtf8`). */
export function strings(p: WireProfile): string[] {
  return p.stringBytes.map((b) => lenient.decode(b));
}

/** The first string that is not valid UTF-8, as Go's `utf8.ValidString` judges it. */
export function invalidUtf8(p: WireProfile): Uint8Array | undefined {
  for (const b of p.stringBytes) {
    try {
      utf8.decode(b);
    } catch {
      return b;
    }
  }
  return undefined;
}
