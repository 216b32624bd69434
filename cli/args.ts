import { errorText } from '../src/core/util/errorText';
import { cleanLabelValue, LabelPair, labelValueProblem } from '../src/core/plan/labels';
import { MAX_SAMPLE_RATE_HZ, MAX_TIME_MS } from '../src/core/plan/planUpload';
import { PROFILE_TYPE_CHOICES, ProfileTypeChoice } from '../src/core/plan/profileTypes';
import { MAX_SLICE_SECONDS, MIN_SLICE_SECONDS, UploadOptions } from '../src/core/plan/uploadOptions';

export class UsageError extends Error {}

export const UPLOAD_OPTIONS = {
  service: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'profile-type': { type: 'string' },
  'sample-rate': { type: 'string' },
  label: { type: 'string', multiple: true },
  'thread-label': { type: 'string' },
  'slice-seconds': { type: 'string' },
} as const;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * `--from` and `--to`: RFC 3339 / ISO 8601 with a zone (`2026-11-25T10:00:00Z`) or epoch milliseconds. Dates are
 * checked field by field (`2026-02-30` is refused, not rolled over into March), and the instant must be after
 * the epoch and within what int64 nanoseconds hold.
 */
export function parseTime(option: string, value: string): number {
  const expected = `--${option}: expected an RFC 3339 time such as 2026-11-25T10:00:00Z, or epoch milliseconds; got ${JSON.stringify(value.slice(0, 60))}`;
  let ms: number;
  if (/^\d{1,16}$/.test(value)) {
    ms = Number(value);
  } else {
    const m = RFC3339.exec(value);
    if (!m) {
      throw new UsageError(expected);
    }
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
    const [offsetHours, offsetMinutes] = [Number(m[10] ?? 0), Number(m[11] ?? 0)];
    if (
      month < 1 ||
      month > 12 ||
      day < 1 ||
      day > daysInMonth(year, month) ||
      hour > 23 ||
      minute > 59 ||
      second > 59 ||
      offsetHours > 23 ||
      offsetMinutes > 59
    ) {
      throw new UsageError(`--${option}: ${JSON.stringify(value)} is not a valid date and time`);
    }
    ms = Date.parse(value.replace(' ', 'T'));
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIME_MS) {
    throw new UsageError(
      `--${option}: ${JSON.stringify(value)} is outside what Pyroscope's timestamps hold (after 1970, up to ${new Date(MAX_TIME_MS).toISOString()})`
    );
  }
  return ms;
}

export function parseNumber(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${option}: expected a number, got ${JSON.stringify(value.slice(0, 60))}`);
  }
  if (n < min || n > max) {
    throw new UsageError(`--${option}: ${value} is outside ${min}…${max}`);
  }
  return n;
}

/** `--sample-rate`: the planner's bound, above 0 and at most MAX_SAMPLE_RATE_HZ. */
function parseSampleRate(value: string | undefined): number | undefined {
  const hz = parseNumber('sample-rate', value, 0, MAX_SAMPLE_RATE_HZ);
  if (hz === 0) {
    throw new UsageError(`--sample-rate: must be above 0`);
  }
  return hz;
}

/**
 * `--service` and `--label` values follow the planner's one rule for label values (`cleanLabelValue`); a value typed
 * on the command line that the rule would change is refused rather than silently changed, so what is pushed is what
 * was typed.
 */
export function checkLabelValue(option: string, name: string, value: string): string {
  const cleaned = cleanLabelValue(value);
  if (cleaned !== value) {
    throw new UsageError(
      `--${option}: ${JSON.stringify(value.slice(0, 100))} would be stored as ${JSON.stringify(cleaned.slice(0, 100))} (label values hold no control characters, runs of spaces, broken UTF-16, nor more than 2048 bytes); give the value as it should be stored`
    );
  }
  const problem = labelValueProblem(name, value);
  if (problem) {
    throw new UsageError(`--${option}: ${problem}`);
  }
  return value;
}

function parseLabel(value: string): LabelPair {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(`--label: expected name=value, got ${JSON.stringify(value.slice(0, 100))}`);
  }
  const name = value.slice(0, eq);
  return { name, value: checkLabelValue('label', name, value.slice(eq + 1)) };
}

type UploadValues = {
  [K in keyof typeof UPLOAD_OPTIONS]?: (typeof UPLOAD_OPTIONS)[K] extends { multiple: true } ? string[] : string;
};

export function uploadOptionsFrom(values: UploadValues): UploadOptions {
  if (!values.service) {
    throw new UsageError('--service is required');
  }
  if (!values.from) {
    throw new UsageError('--from is required');
  }
  const profileType = values['profile-type'];
  if (profileType !== undefined && !PROFILE_TYPE_CHOICES.includes(profileType as ProfileTypeChoice)) {
    throw new UsageError(
      `--profile-type: expected one of ${PROFILE_TYPE_CHOICES.join(', ')}, got ${JSON.stringify(profileType.slice(0, 60))}`
    );
  }
  const fromMs = parseTime('from', values.from);
  const toMs = values.to !== undefined ? parseTime('to', values.to) : undefined;
  if (toMs !== undefined && toMs <= fromMs) {
    throw new UsageError('--to must be after --from');
  }
  return {
    serviceName: checkLabelValue('service', 'service_name', values.service),
    fromMs,
    toMs,
    profileType: profileType as ProfileTypeChoice | undefined,
    sampleRateHz: parseSampleRate(values['sample-rate']),
    extraLabels: (values.label ?? []).map(parseLabel),
    threadLabelName: values['thread-label'],
    sliceSeconds: parseNumber('slice-seconds', values['slice-seconds'], MIN_SLICE_SECONDS, MAX_SLICE_SECONDS),
  };
}

/** Runs `parseArgs` and turns its complaints into usage errors. */
export function usageErrors<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError(errorText(e));
  }
}
