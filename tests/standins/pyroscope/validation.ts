/**
 * Pyroscope's per-profile checks, as the LOCAL PYROSCOPE STAND-IN applies them. Read from grafana/pyroscope (main of
 * 2026-08):
 * - `pkg/validation/validate.go` `ValidateLabels`, `ValidateProfile`, `validateStringTableAccess`, `ingestionWindow`,
 *   and the error texts (`*ErrorMsg`); defaults from `pkg/validation/limits.go` `RegisterFlags`;
 * - `pkg/pprof/pprof.go` `Profile.Normalize` and `sanitizeProfile`;
 * - `pkg/model/labels.go` `LabelPairsString` (labels printed as `{name="value", …}` with Go's strconv.Quote).
 * Left out: label-name sanitization of legacy names (names are checked with the classic rule only), sample-type
 * relabeling, ingestion relabeling, Go-profile fixes, duplicate-sample merging's hash collisions.
 */
import { invalidUtf8, strings, WireProfile } from './pprofWire';

export interface LabelPair {
  name: string;
  value: string;
}

/** A Connect error as the server writes it: HTTP status from the code, and the message. */
export class ConnectError extends Error {
  constructor(
    readonly code: 'invalid_argument' | 'resource_exhausted' | 'unauthenticated' | 'unknown' | 'not_found',
    message: string,
    /** Pyroscope's validation reason, when it is a validation error. */
    readonly reason?: string
  ) {
    super(message);
  }

  get status(): number {
    return { invalid_argument: 400, resource_exhausted: 429, unauthenticated: 401, unknown: 500, not_found: 404 }[
      this.code
    ];
  }
}

export const DEFAULT_LIMITS = {
  maxLabelNamesPerSeries: 30,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxProfileSizeBytes: 4 * 1024 * 1024,
  maxProfileStacktraceSamples: 16_000,
  maxProfileStacktraceSampleLabels: 100,
  maxProfileStacktraceDepth: 1000,
  maxProfileSymbolValueLength: 65_535,
  rejectOlderThanMs: 60 * 60 * 1000,
  rejectNewerThanMs: 10 * 60 * 1000,
};
export type Limits = typeof DEFAULT_LIMITS;

const invalid = (reason: string, message: string) => new ConnectError('invalid_argument', message, reason);

/** Go's strconv.Quote for the characters label values realistically hold. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u007f/g, '\\x7f');
}

export function labelPairsString(labels: LabelPair[]): string {
  return `{${labels.map((l) => `${l.name}=${goQuote(l.value)}`).join(', ')}}`;
}

export const sortLabels = (labels: LabelPair[]) =>
  [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const byteLength = (s: string) => Buffer.byteLength(s);

/** `ValidateLabels` (label values and names compared by byte length, as Go's `len`). */
export function validateLabels(limits: Limits, labels: LabelPair[]): void {
  if (labels.length === 0) {
    throw invalid('missing_labels', 'error at least one label pair is required per profile');
  }
  const ls = sortLabels(labels);
  const text = labelPairsString(ls);
  if (ls.length > limits.maxLabelNamesPerSeries) {
    throw invalid(
      'max_label_names_per_series',
      `profile series '${text}' has ${ls.length} label names; limit ${limits.maxLabelNamesPerSeries}`
    );
  }
  const metric = ls.find((l) => l.name === '__name__')?.value ?? '';
  // model.UTF8Validation.IsValidMetricName: any non-empty valid UTF-8 string.
  if (metric === '' || !isValidUtf8String(metric)) {
    throw invalid('invalid_labels', `invalid labels '${text}' with error: invalid metric name`);
  }
  if (!ls.find((l) => l.name === 'service_name')?.value) {
    throw invalid('missing_labels', `invalid labels '${text}' with error: service name is not provided`);
  }
  let last = '';
  for (const l of ls) {
    if (byteLength(l.name) > limits.maxLabelNameLength) {
      throw invalid('label_name_too_long', `profile with labels '${text}' has label name too long: '${l.name}'`);
    }
    if (byteLength(l.value) > limits.maxLabelValueLength) {
      throw invalid('label_value_too_long', `profile with labels '${text}' has label value too long: '${l.value}'`);
    }
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.name)) {
      throw invalid('invalid_labels', `invalid labels '${text}' with error: invalid label name '${l.name}'`);
    }
    if (!isValidUtf8String(l.value)) {
      throw invalid('invalid_labels', `invalid labels '${text}' with error: invalid label value '${l.value}'`);
    }
    if (l.name === last) {
      throw invalid('duplicate_label_names', `profile with labels '${text}' has duplicate label name: '${l.name}'`);
    }
    last = l.name;
  }
}

/** A JS string that came from valid UTF-8: no lone surrogates (JSON `\ud800` escapes can produce them). */
function isValidUtf8String(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Go's `time.Time.String()` of a UTC time in milliseconds: `2006-01-02 15:04:05.999 +0000 UTC`. */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.999Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

/** `ValidateProfile`, in its order. Truncates deep stacks and long symbols in place, as the source does. */
export function validateProfile(
  limits: Limits,
  p: WireProfile,
  uncompressedSize: number,
  labels: LabelPair[],
  nowMs: number
): void {
  const ls = labelPairsString(labels);
  if (p.sampleType.length === 0) {
    throw invalid('malformed_profile', 'empty profile');
  }
  if (p.timeNanos > 0n) {
    const t = Number(p.timeNanos / 1_000_000n);
    const from = nowMs - limits.rejectOlderThanMs;
    const to = nowMs + limits.rejectNewerThanMs;
    if (!(t > from && t < to)) {
      throw invalid(
        'not_in_ingestion_window',
        `profile with labels '${ls}' is outside of ingestion window (profile timestamp: ${goTimeString(t)}, the ingestion window starts at ${goTimeString(from)} and ends at ${goTimeString(to)})`
      );
    }
  } else {
    p.timeNanos = BigInt(nowMs) * 1_000_000n;
  }
  if (uncompressedSize > limits.maxProfileSizeBytes) {
    throw invalid(
      'profile_size_limit',
      `the profile with labels '${ls}' exceeds the size limit (max_profile_size_byte, actual: ${uncompressedSize}, limit: ${limits.maxProfileSizeBytes})`
    );
  }
  if (p.sample.length > limits.maxProfileStacktraceSamples) {
    throw invalid(
      'samples_limit',
      `the profile with labels '${ls}' exceeds the samples count limit (max_profile_stacktrace_samples, actual: ${p.sample.length}, limit: ${limits.maxProfileStacktraceSamples})`
    );
  }
  for (const s of p.sample) {
    if (s.locationId.length > limits.maxProfileStacktraceDepth) {
      // location_id[0] is the leaf: the frames nearest the root are kept.
      s.locationId = s.locationId.slice(s.locationId.length - limits.maxProfileStacktraceDepth);
    }
    if (s.label.length > limits.maxProfileStacktraceSampleLabels) {
      throw invalid(
        'sample_labels_limit',
        `the profile with labels '${ls}' exceeds the sample labels limit (max_profile_stacktrace_sample_labels, actual: ${s.label.length}, limit: ${limits.maxProfileStacktraceSampleLabels})`
      );
    }
  }
  const max = limits.maxProfileSymbolValueLength;
  p.stringBytes = p.stringBytes.map((b) => (b.length > max ? b.subarray(b.length - max) : b));
  if (p.location.some((l) => l.id === 0)) {
    throw invalid('malformed_profile', 'location id is 0');
  }
  if (p.function.some((f) => f.id === 0)) {
    throw invalid('malformed_profile', 'function id is 0');
  }
  if (p.sample.some((s) => s.value.length !== p.sampleType.length)) {
    throw invalid('malformed_profile', 'sample value length mismatch');
  }
  validateStringTableAccess(p);
  const table = strings(p);
  if (p.sampleType.some((t) => table[t.type].includes('-'))) {
    throw invalid('malformed_profile', 'sample type contains -');
  }
  const bad = invalidUtf8(p);
  if (bad) {
    throw invalid('malformed_profile', `invalid utf8 string hex: ${Buffer.from(bad).toString('hex')}`);
  }
}

function validateStringTableAccess(p: WireProfile): void {
  const n = p.stringBytes.length;
  if (n === 0 || p.stringBytes[0].length !== 0) {
    throw invalid('malformed_profile', 'string 0 should be empty string');
  }
  if (p.sampleType.some((t) => t.type >= n)) {
    throw invalid('malformed_profile', 'sample type type string index out of range');
  }
  if (p.sample.some((s) => s.label.some((l) => l.str >= n || l.key >= n))) {
    throw invalid('malformed_profile', 'sample label string index out of range');
  }
  for (const f of p.function) {
    if (f.name >= n) {
      throw invalid('malformed_profile', 'function name string index out of range');
    }
    if (f.systemName >= n) {
      throw invalid('malformed_profile', 'function system name index string out of range');
    }
    if (f.filename >= n) {
      throw invalid('malformed_profile', 'function file name string index out of range');
    }
  }
  for (const m of p.mapping) {
    if (m.filename >= n) {
      throw invalid('malformed_profile', 'mapping file name string index out of range');
    }
    if (m.buildId >= n) {
      throw invalid('malformed_profile', 'mapping build id string index out of range');
    }
  }
}

/**
 * `Profile.Normalize` as far as stored totals see it: non-string sample labels removed; samples with any negative
 * value, or with no positive value, removed; samples with the same stack and labels merged (values summed);
 * `sanitizeProfile`'s removal of samples whose value count differs from the sample types or that point at a
 * location that does not exist (or whose lines point at a missing function, or
 * that has neither lines nor an address). Unused symbols are not pruned here.
 */
export function normalize(p: WireProfile): void {
  for (const s of p.sample) {
    s.label = s.label.filter((l) => l.str !== 0);
  }
  p.sample = p.sample.filter((s) => !s.value.some((v) => v < 0n) && s.value.some((v) => v > 0n));
  const merged = new Map<string, (typeof p.sample)[number]>();
  for (const s of p.sample) {
    const key = `${s.locationId.join(',')}|${s.label.map((l) => `${l.key}=${l.str}`).join(',')}`;
    const seen = merged.get(key);
    if (seen) {
      seen.value = seen.value.map((v, i) => v + s.value[i]);
    } else {
      merged.set(key, s);
    }
  }
  p.sample = [...merged.values()];
  const functions = new Set(p.function.map((f) => f.id));
  const locations = new Set(
    p.location
      .filter((l) => (l.line.length > 0 || l.address !== 0n) && l.line.every((line) => functions.has(line.functionId)))
      .map((l) => l.id)
  );
  p.sample = p.sample.filter(
    (s) => s.value.length === p.sampleType.length && s.locationId.every((id) => locations.has(id))
  );
}
