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
