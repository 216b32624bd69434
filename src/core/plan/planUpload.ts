import { BaseUnit } from '../speedscope/units';
import { hasPushableData, ParsedFile, ThreadProfile } from '../threads/threadModel';
import { assertUniqueProfiles } from './invariant';
import {
  isReservedLabelName,
  LabelPair,
  labelNameProblem,
  labelValueProblem,
  MAX_LABEL_VALUE_BYTES,
  MAX_LABELS_PER_SERIES,
  utf8Length,
} from './labels';
import {
  allowedProfileTypes,
  defaultProfileType,
  PROFILE_TYPES,
  ProfileTypeChoice,
  profileTypeId,
  ProfileTypeSpec,
} from './profileTypes';
import { slicedThread } from './sliceThread';
import { assignThreadLabelValues } from './threadLabelValues';
import {
  DEFAULT_PROFILE_LIMITS,
  DEFAULT_SLICE_SECONDS,
  DEFAULT_THREAD_LABEL,
  MAX_SLICE_SECONDS,
  MIN_SLICE_SECONDS,
  UploadOptions,
} from './uploadOptions';
import { SkippedThread, threadKey, ThreadRef, threadRefOf } from '../threads/threadRef';

export const NO_DATA_REASON = 'no samples with a stack and a non-zero weight';

/** Pyroscope rejects profiles older than 1 h or more than 10 min ahead by default. */
export const MAX_PAST_MS = 60 * 60 * 1000;
export const MAX_FUTURE_MS = 10 * 60 * 1000;
/** Above this many series in one upload we warn: every thread is a series, and series count against tenant limits. */
export const MANY_SERIES = 100;

export interface PlannedProfile {
  threadKey: string;
  thread: ThreadProfile;
  /** The value of the thread label, unique within the upload. */
  threadLabelValue: string;
  labels: LabelPair[];
  profileType: ProfileTypeSpec;
  profileTypeId: string;
  timeNanos: bigint;
  durationNanos: bigint;
  /** Sampling period in nanoseconds when known (from the sampling rate), else 0. */
  periodNanos: number;
  /** Aggregated stacks (node ids of `thread.tree`) and their values in `unit`. */
  nodes: Int32Array;
  values: Float64Array;
  total: number;
  unit: BaseUnit;
}

export interface PlannedThread extends ThreadRef {
  labelValue: string;
  labels: LabelPair[];
  profileTypeId: string;
  profileCount: number;
  total: number;
  unit: BaseUnit;
}

export type PlanWarningCode =
  'too-old' | 'too-new' | 'many-series' | 'deep-stacks' | 'empty-stacks' | 'label-changed' | 'thread-warning';

export interface PlanWarning {
  code: PlanWarningCode;
  message: string;
  threadKey?: string;
}

export interface UploadPlan {
  serviceName: string;
  threadLabelName: string;
  fromMs: number;
  toMs: number;
  sliceNanos: number;
  threads: PlannedThread[];
  profiles: PlannedProfile[];
  skipped: SkippedThread[];
  warnings: PlanWarning[];
}

/** The options themselves are wrong (service name, labels, range): nothing can be planned. */
export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PlanError';
  }
}

interface ThreadEntry {
  key: string;
  thread: ThreadProfile;
}

/**
 * Turns parsed files and the user's choices into the exact profiles to push: one series per thread, each profile
 * with its own (label set, time) so Pyroscope's deduplication can never drop one.
 */
export function planUpload(files: ParsedFile[], options: UploadOptions): UploadPlan {
  const threadLabelName = options.threadLabelName ?? DEFAULT_THREAD_LABEL;
  const sliceSeconds = options.sliceSeconds ?? DEFAULT_SLICE_SECONDS;
  const limits = options.limits ?? DEFAULT_PROFILE_LIMITS;
  const extraLabels = options.extraLabels ?? [];
  const serviceName = options.serviceName.trim();
  checkOptions(options, serviceName, threadLabelName, sliceSeconds, extraLabels);
  const sliceNanos = sliceSeconds * 1e9;

  const skipped: SkippedThread[] = [];
  const warnings: PlanWarning[] = [];
  const usable: ThreadEntry[] = [];
  files.forEach((file, fileIndex) => {
    for (const profile of file.profiles) {
      const key = threadKey(fileIndex, profile.index);
      if (profile.ok) {
        usable.push({ key, thread: profile });
      } else {
        // The file, profile and name are in the record already; the reason is the field and what is wrong with it.
        skipped.push({ ...threadRefOf(key, profile), reason: `${profile.error.field}: ${profile.error.message}` });
      }
    }
  });

  // Label values are assigned over every readable thread, included or not, so toggling one never renames another.
  const labelValues = assignThreadLabelValues(
    usable.map(({ key, thread }) => ({
      key,
      index: thread.index,
      desired: options.threads?.[key]?.labelValue ?? thread.name,
    }))
  );

  const chosen: Array<ThreadEntry & { spec: ProfileTypeSpec; scale: number | undefined }> = [];
  for (const entry of usable) {
    const { key, thread } = entry;
    const choice = options.threads?.[key];
    if (choice?.include === false) {
      skipped.push({ ...threadRefOf(key, thread), reason: 'excluded' });
      continue;
    }
    if (!hasPushableData(thread)) {
      skipped.push({ ...threadRefOf(key, thread), reason: NO_DATA_REASON });
      continue;
    }
    const wanted: ProfileTypeChoice =
      choice?.profileType ?? options.profileType ?? defaultProfileType(thread.kind, options.sampleRateHz);
    const allowed = allowedProfileTypes(thread.kind, options.sampleRateHz);
    if (!allowed.includes(wanted)) {
      skipped.push({ ...threadRefOf(key, thread), reason: incompatibleReason(thread, wanted, allowed) });
      continue;
    }
    chosen.push({ ...entry, spec: PROFILE_TYPES[wanted], scale: timeScale(thread, options.sampleRateHz) });
  }

  const longestNanos = Math.max(
    0,
    ...chosen.map((c) => (c.scale ? (c.thread.startOffset + c.thread.span) * c.scale : 0))
  );
  const fromMs = Math.round(options.fromMs);
  const toMs =
    options.toMs !== undefined
      ? Math.round(options.toMs)
      : fromMs + Math.max(Math.ceil(longestNanos / 1e6), longestNanos > 0 ? 1 : sliceSeconds * 1000);
  if ((toMs - fromMs) * 1e6 < longestNanos) {
    throw new PlanError([
      `The time range lasts ${formatSeconds((toMs - fromMs) / 1000)} but the profiles last ${formatSeconds(longestNanos / 1e9)}; widen the range or leave its end open.`,
    ]);
  }
  const fromNanos = BigInt(fromMs) * 1_000_000n;
  const rangeNanos = BigInt(toMs - fromMs) * 1_000_000n;

  const threads: PlannedThread[] = [];
  const profiles: PlannedProfile[] = [];
  for (const { key, thread, spec, scale } of chosen) {
    const labelValue = labelValues.get(key)!;
    const labels: LabelPair[] = [
      { name: '__name__', value: spec.metricName },
      { name: 'service_name', value: serviceName },
      { name: threadLabelName, value: labelValue.value },
      ...extraLabels.map((l) => ({ name: l.name.trim(), value: l.value })),
    ];
    if (spec.notDelta) {
      labels.push({ name: '__delta__', value: 'false' });
    }
    const unit = scale === undefined || thread.kind === 'time' ? thread.baseUnit : 'nanoseconds';
    const valueScale = thread.kind === 'count' && scale !== undefined && spec.choice !== 'samples' ? scale : 1;
    const slices = slicedThread(thread, scale, sliceNanos, limits);
    const threadEnd = scale === undefined ? 0 : (thread.startOffset + thread.span) * scale;
    let count = 0;
    let total = 0;
    for (const { slice, parts } of slices) {
      const sliceStart = slice.index * sliceNanos;
      const sliceDuration =
        scale === undefined ? rangeNanos : BigInt(Math.max(1, Math.min(sliceNanos, Math.ceil(threadEnd - sliceStart))));
      // Parts of one slice get distinct times inside the slice, spaced evenly.
      const spacing = scale === undefined ? Number(rangeNanos) / parts.length : sliceNanos / parts.length;
      parts.forEach((part, p) => {
        const values = valueScale === 1 ? part.values : part.values.map((v) => Math.round(v * valueScale));
        const partTotal = values.reduce((sum, v) => sum + v, 0);
        total += partTotal;
        count++;
        profiles.push({
          threadKey: key,
          thread,
          threadLabelValue: labelValue.value,
          labels,
          profileType: spec,
          profileTypeId: profileTypeId(spec),
          timeNanos: fromNanos + BigInt(sliceStart + Math.floor(p * spacing)),
          durationNanos: sliceDuration,
          periodNanos: options.sampleRateHz ? Math.round(1e9 / options.sampleRateHz) : 0,
          nodes: part.nodes,
          values,
          total: partTotal,
          unit: spec.choice === 'samples' ? 'count' : unit,
        });
      });
    }
    threads.push({
      ...threadRefOf(key, thread),
      labelValue: labelValue.value,
      labels,
      profileTypeId: profileTypeId(spec),
      profileCount: count,
      total,
      unit: spec.choice === 'samples' ? 'count' : unit,
    });
    warnings.push(...threadWarnings(key, thread, labelValue.value, labelValue.changed));
  }

  warnings.push(...rangeWarnings(fromMs, toMs, options.nowMs ?? Date.now()));
  if (threads.length > MANY_SERIES) {
    warnings.push({
      code: 'many-series',
      message: `${threads.length} threads become ${threads.length} series; every series counts against Pyroscope's per-tenant series limit (5000 by default).`,
    });
  }
  assertUniqueProfiles(profiles);
  return { serviceName, threadLabelName, fromMs, toMs, sliceNanos, threads, profiles, skipped, warnings };
}

/** Nanoseconds per base unit along the time axis, or undefined when the thread has no time axis. */
function timeScale(thread: ThreadProfile, sampleRateHz: number | undefined): number | undefined {
  if (thread.kind === 'time') {
    return 1;
  }
  if (thread.kind === 'count' && sampleRateHz) {
    return 1e9 / sampleRateHz;
  }
  return undefined;
}

function incompatibleReason(thread: ThreadProfile, wanted: ProfileTypeChoice, allowed: ProfileTypeChoice[]): string {
  const hint =
    thread.kind === 'count' && (wanted === 'cpu' || wanted === 'wall')
      ? ' (give a sampling rate to turn counts into time)'
      : '';
  return `profile type ${wanted} does not fit unit ${JSON.stringify(thread.unit)}; it can be ${allowed.join(' or ')}${hint}`;
}

function threadWarnings(key: string, thread: ThreadProfile, labelValue: string, changed: boolean): PlanWarning[] {
  const where = `${thread.fileName}: profile ${thread.index} ${JSON.stringify(thread.name)}`;
  const warnings: PlanWarning[] = thread.warnings.map((message) => ({
    code: thread.stats.deepStacks > 0 && message.includes('deeper') ? 'deep-stacks' : 'thread-warning',
    message: `${where}: ${message}`,
    threadKey: key,
  }));
  if (thread.stats.emptyStackSamples > 0) {
    warnings.push({
      code: 'empty-stacks',
      message: `${where}: ${thread.stats.emptyStackSamples} samples have an empty stack and are not pushed`,
      threadKey: key,
    });
  }
  if (changed && labelValue !== thread.name) {
    warnings.push({
      code: 'label-changed',
      message: `${where}: thread label value is ${JSON.stringify(labelValue)}`,
      threadKey: key,
    });
  }
  return warnings;
}

function rangeWarnings(fromMs: number, toMs: number, nowMs: number): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  if (fromMs < nowMs - MAX_PAST_MS) {
    warnings.push({
      code: 'too-old',
      message:
        'The range starts more than 1 hour ago: Pyroscope rejects such profiles by default. Place the upload at now instead.',
    });
  }
  if (toMs > nowMs + MAX_FUTURE_MS) {
    warnings.push({
      code: 'too-new',
      message: 'The range ends more than 10 minutes from now: Pyroscope rejects such profiles by default.',
    });
  }
  return warnings;
}

function checkOptions(
  options: UploadOptions,
  serviceName: string,
  threadLabelName: string,
  sliceSeconds: number,
  extraLabels: LabelPair[]
): void {
  const problems: string[] = [];
  if (serviceName === '') {
    problems.push('The service name is required.');
  } else if (utf8Length(serviceName) > MAX_LABEL_VALUE_BYTES) {
    problems.push(`The service name is longer than ${MAX_LABEL_VALUE_BYTES} bytes.`);
  }
  const nameProblem = labelNameProblem(threadLabelName);
  if (nameProblem) {
    problems.push(`Thread label: ${nameProblem}.`);
  } else if (isReservedLabelName(threadLabelName)) {
    problems.push(`Thread label: ${threadLabelName} is reserved.`);
  }
  const seen = new Set<string>();
  for (const label of extraLabels) {
    const name = label.name.trim();
    const problem = labelNameProblem(name) ?? labelValueProblem(name, label.value);
    if (problem) {
      problems.push(`Label ${JSON.stringify(name)}: ${problem}.`);
    } else if (isReservedLabelName(name) || name === threadLabelName) {
      problems.push(
        `Label ${JSON.stringify(name)}: this name is set by the upload and cannot be used as an extra label.`
      );
    } else if (seen.has(name)) {
      problems.push(`Label ${JSON.stringify(name)} is given twice.`);
    }
    seen.add(name);
  }
  // __name__, service_name, the thread label and __delta__ for memory profiles.
  const fixedLabels = 4;
  if (extraLabels.length + fixedLabels > MAX_LABELS_PER_SERIES) {
    problems.push(
      `At most ${MAX_LABELS_PER_SERIES - fixedLabels} extra labels fit in Pyroscope's limit of ${MAX_LABELS_PER_SERIES} labels per series.`
    );
  }
  if (!Number.isFinite(options.fromMs)) {
    problems.push('The start of the time range is not a valid time.');
  }
  if (options.toMs !== undefined && !(options.toMs > options.fromMs)) {
    problems.push('The end of the time range must be after its start.');
  }
  if (!(sliceSeconds >= MIN_SLICE_SECONDS && sliceSeconds <= MAX_SLICE_SECONDS)) {
    problems.push(`The slice width must be between ${MIN_SLICE_SECONDS} and ${MAX_SLICE_SECONDS} seconds.`);
  }
  if (options.sampleRateHz !== undefined && !(options.sampleRateHz > 0 && Number.isFinite(options.sampleRateHz))) {
    problems.push('The sampling rate must be a positive number of samples per second.');
  }
  if (problems.length > 0) {
    throw new PlanError(problems);
  }
}

export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}
