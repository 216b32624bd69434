/** What a profile's values measure once converted to the base unit. */
export type ValueKind = 'time' | 'bytes' | 'count';
export type BaseUnit = 'nanoseconds' | 'bytes' | 'count';

export interface UnitInfo {
  kind: ValueKind;
  baseUnit: BaseUnit;
  /** Multiply a value in the file's unit by this to get the base unit. */
  toBase: number;
  /** Set when the unit is not one the Speedscope spec defines. */
  unknownUnit?: string;
}

const KNOWN_UNITS: Record<string, UnitInfo> = {
  nanoseconds: { kind: 'time', baseUnit: 'nanoseconds', toBase: 1 },
  microseconds: { kind: 'time', baseUnit: 'nanoseconds', toBase: 1e3 },
  milliseconds: { kind: 'time', baseUnit: 'nanoseconds', toBase: 1e6 },
  seconds: { kind: 'time', baseUnit: 'nanoseconds', toBase: 1e9 },
  bytes: { kind: 'bytes', baseUnit: 'bytes', toBase: 1 },
  none: { kind: 'count', baseUnit: 'count', toBase: 1 },
};

/** Speedscope units are lower-case words; producers sometimes write others (`samples`), which we count. */
export function unitInfo(unit: unknown): UnitInfo {
  const normalised = typeof unit === 'string' ? unit.trim().toLowerCase() : '';
  const known = KNOWN_UNITS[normalised];
  if (known) {
    return known;
  }
  return { kind: 'count', baseUnit: 'count', toBase: 1, unknownUnit: typeof unit === 'string' ? unit : String(unit) };
}
