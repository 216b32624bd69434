/** What a profile's values measure once converted to the base unit. */
export type ValueKind = 'time' | 'bytes' | 'count';
export type BaseUnit = 'nanoseconds' | 'bytes' | 'count';

/** How a profile's values map onto the model's integer base units. */
export interface ValueScale {
  kind: ValueKind;
  baseUnit: BaseUnit;
  /** Multiply a value in the file's unit by this to get the base unit. */
  toBase: number;
}

/**
 * Values, offsets and totals are integers in the base unit held in doubles, and become int64 in pprof. What does not
 * fit int64 (2^63, about 292 years of nanoseconds) is refused, never wrapped. Below that, doubles hold every integer
 * up to 2^53 (about 104 days of nanoseconds); beyond it they are rounded by at most a few units, which is reported.
 */
export const BASE_UNIT_LIMIT = 2 ** 63;
export const EXACT_BASE_UNITS = 2 ** 53;

/** 13_560_000_000 → "13.6 s", 1_880_000 → "1.88 ms"; three significant digits. */
export function formatNanos(nanos: number): string {
  const units: Array<[number, string]> = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
  ];
  for (const [scale, unit] of units) {
    if (Math.abs(nanos) >= scale) {
      return `${Number((nanos / scale).toPrecision(3))} ${unit}`;
    }
  }
  return `${nanos} ns`;
}

/**
 * The most a number of this magnitude can be off once held in a double: half the gap between neighbouring doubles
 * there (0 up to 2^53, where every integer is exact).
 */
export function roundingAt(magnitude: number): number {
  const m = Math.abs(magnitude);
  return m <= EXACT_BASE_UNITS ? 0 : 2 ** (Math.floor(Math.log2(m)) - 53);
}

/** An amount in a base unit, for messages: times as formatNanos does, bytes and counts as plain numbers. */
export function formatBaseUnits(amount: number, baseUnit: BaseUnit): string {
  return baseUnit === 'nanoseconds' ? formatNanos(amount) : `${amount} ${baseUnit === 'bytes' ? 'bytes' : 'units'}`;
}
