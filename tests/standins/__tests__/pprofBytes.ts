/**
 * Hand-written pprof protobuf for the stand-in's own tests: unlike an encoder it can write what Pyroscope rejects
 * (id 0, out-of-range string indices, invalid UTF-8, value-count mismatches), field by field.
 */
import { gzipSync } from 'node:zlib';

export interface RawProfileSpec {
  /** Raw string table; a Uint8Array entry is written as is (e.g. invalid UTF-8). Index 0 should be "". */
  strings: Array<string | Uint8Array>;
  sampleTypes: Array<[type: number, unit: number]>;
  periodType?: [type: number, unit: number];
  samples: Array<{ locations: number[]; values: Array<number | bigint> }>;
  locations: Array<{ id: number; functionIds: number[] }>;
  functions: Array<{ id: number; name: number; filename?: number }>;
  timeNanos?: bigint;
  durationNanos?: bigint;
}

function varint(n: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const int = (field: number, n: bigint | number) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: ArrayLike<number>) => [...key(field, 2), ...varint(b.length), ...Array.from(b)];
const packed = (field: number, ns: Array<bigint | number>) =>
  bytes(
    field,
    ns.flatMap((n) => varint(n))
  );

export function pprofBytes(spec: RawProfileSpec): Uint8Array {
  const out: number[] = [];
  for (const [type, unit] of spec.sampleTypes) {
    out.push(...bytes(1, [...int(1, type), ...int(2, unit)]));
  }
  for (const s of spec.samples) {
    out.push(...bytes(2, [...packed(1, s.locations), ...packed(2, s.values)]));
  }
  for (const l of spec.locations) {
    out.push(...bytes(4, [...int(1, l.id), ...l.functionIds.flatMap((f) => bytes(4, int(1, f)))]));
  }
  for (const f of spec.functions) {
    out.push(...bytes(5, [...int(1, f.id), ...int(2, f.name), ...int(4, f.filename ?? 0)]));
  }
  for (const s of spec.strings) {
    out.push(...bytes(6, typeof s === 'string' ? Buffer.from(s, 'utf8') : s));
  }
  out.push(...int(9, spec.timeNanos ?? 0n), ...int(10, spec.durationNanos ?? 0n));
  if (spec.periodType) {
    out.push(...bytes(11, [...int(1, spec.periodType[0]), ...int(2, spec.periodType[1])]));
  }
  return Uint8Array.from(out);
}

/** A valid CPU profile: main → work (value `work`) and main (value `main`), at `timeNanos`. */
export function cpuProfile(timeNanos: bigint, values: { main: number; work: number }): RawProfileSpec {
  return {
    strings: ['', 'cpu', 'nanoseconds', 'main', 'work', 'app.py'],
    sampleTypes: [[1, 2]],
    periodType: [1, 2],
    samples: [
      { locations: [2, 1], values: [values.work] },
      { locations: [1], values: [values.main] },
    ],
    locations: [
      { id: 1, functionIds: [1] },
      { id: 2, functionIds: [2] },
    ],
    functions: [
      { id: 1, name: 3, filename: 5 },
      { id: 2, name: 4, filename: 5 },
    ],
    timeNanos,
    durationNanos: 10_000_000_000n,
  };
}

export const gzipBase64 = (profile: Uint8Array) => Buffer.from(gzipSync(profile)).toString('base64');

export interface SeriesSpec {
  labels: Record<string, string>;
  profiles: Uint8Array[];
}

/** A Connect JSON push body with one series per entry. */
export function pushBody(series: SeriesSpec[]): string {
  return JSON.stringify({
    series: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.profiles.map((p, i) => ({
        ID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
        rawProfile: gzipBase64(p),
      })),
    })),
  });
}
