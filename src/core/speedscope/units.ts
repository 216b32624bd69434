import { ValueScale } from '../threads/units';

export interface UnitInfo extends ValueScale {
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
export function unitInfo(unit: string | undefined): UnitInfo {
  const normalised = unit === undefined ? '' : unit.trim().toLowerCase();
  const known = Object.prototype.hasOwnProperty.call(KNOWN_UNITS, normalised) ? KNOWN_UNITS[normalised] : undefined;
  if (known) {
    return known;
  }
  return { kind: 'count', baseUnit: 'count', toBase: 1, unknownUnit: unit ?? 'undefined' };
}
