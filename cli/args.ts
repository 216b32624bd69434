import { errorText } from '../src/core/util/errorText';
import { LabelPair } from '../src/core/plan/labels';
import { PROFILE_TYPE_CHOICES, ProfileTypeChoice } from '../src/core/plan/profileTypes';
import { UploadOptions } from '../src/core/plan/uploadOptions';

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

/** `--from` and `--to`: RFC 3339 (`2026-11-25T10:00:00Z`) or epoch milliseconds. */
export function parseTime(option: string, value: string): number {
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    throw new UsageError(
      `--${option}: expected an RFC 3339 time such as 2026-11-25T10:00:00Z, or epoch milliseconds; got ${JSON.stringify(value)}`
    );
  }
  return Date.parse(value);
}

function parseNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${option}: expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseLabel(value: string): LabelPair {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(`--label: expected name=value, got ${JSON.stringify(value)}`);
  }
  return { name: value.slice(0, eq), value: value.slice(eq + 1) };
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
      `--profile-type: expected one of ${PROFILE_TYPE_CHOICES.join(', ')}, got ${JSON.stringify(profileType)}`
    );
  }
  return {
    serviceName: values.service,
    fromMs: parseTime('from', values.from),
    toMs: values.to !== undefined ? parseTime('to', values.to) : undefined,
    profileType: profileType as ProfileTypeChoice | undefined,
    sampleRateHz: parseNumber('sample-rate', values['sample-rate']),
    extraLabels: (values.label ?? []).map(parseLabel),
    threadLabelName: values['thread-label'],
    sliceSeconds: parseNumber('slice-seconds', values['slice-seconds']),
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
