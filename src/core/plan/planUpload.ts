import { Producer, producerOfFile, suggestServices } from '../speedscope/producers';
import { BaseUnit, formatNanos } from '../threads/units';
import { hasPushableData, ParsedFile, ThreadProfile } from '../threads/threadModel';
import { assertUniqueProfiles } from './invariant';
import {
  cleanLabelValue,
  isReservedLabelName,
  LabelPair,
  labelNameProblem,
  labelSetKey,
  labelValueProblem,
  MAX_LABELS_PER_SERIES,
  utf8Length,
} from './labels';
import { headerBytes, ProfileSymbols } from './pprofLayout';
import { allowedProfileTypes, PROFILE_TYPES, ProfileTypeChoice, profileTypeId, ProfileTypeSpec } from './profileTypes';
import { MAX_SLICES_PER_THREAD, NodeFilter, slicedThread, ThreadSlicing } from './sliceThread';
import { cpuMaskOf, insightOf } from './threadInsights';
import { assignThreadLabelValues } from './threadLabelValues';
import {
  DEFAULT_PROFILE_LIMITS,
  DEFAULT_SLICE_SECONDS,
  DEFAULT_THREAD_LABEL,
  MAX_SLICE_SECONDS,
  MIN_SLICE_SECONDS,
  ThreadChoice,
  UploadOptions,
} from './uploadOptions';
import { SkippedThread, threadKey, ThreadRef, threadRefOf } from '../threads/threadRef';

export const NO_DATA_REASON = 'no samples with a stack and a non-zero weight';

/** Pyroscope rejects profiles older than 1 h or more than 10 min ahead by default. */
export const MAX_PAST_MS = 60 * 60 * 1000;
export const MAX_FUTURE_MS = 10 * 60 * 1000;
/** Above this many series in one upload we warn: every thread is a series, and series count against tenant limits. */
export const MANY_SERIES = 100;
/**
 * Most profiles one upload may have. Slices per thread are bounded (`MAX_SLICES_PER_THREAD`) and parts by samples, so
 * this is reached only by very many threads or samples: the plan refuses, naming the thread with the most profiles.
 */
export const MAX_PROFILES_PER_UPLOAD = 100_000;
/** Latest time whose nanoseconds fit in pprof's signed 64-bit `time_nanos` (2262-04-11). */
export const MAX_TIME_MS = 9_223_372_036_854;
/** Sampling rates above 1 MHz are not sampling profilers; every sample would also be under a microsecond. */
export const MAX_SAMPLE_RATE_HZ = 1_000_000;
/** One sample per 1000 s at the least: slower rates would make each count longer than int64 nanoseconds can add up. */
export const MIN_SAMPLE_RATE_HZ = 0.001;
/** Largest value a pprof sample (signed 64-bit) can hold, as the nearest double below 2^63. */
export const MAX_SAMPLE_VALUE = 2 ** 63 - 1024;
/** Pyroscope's default ingestion limits (`pkg/validation/limits.go`, where 1 MB is 1 048 576 bytes). */
export const PYROSCOPE_INGESTION_BYTES_PER_SECOND = 4 * 1_048_576;
export const PYROSCOPE_INGESTION_BURST_BYTES = 2 * 1_048_576;
/**
 * gzip of pprof: sample messages (small varints) shrink to about two fifths, symbol tables (locations, functions,
 * names) to about a fifth. On the bench's 166 MiB of pprof the estimate is 4 % under the CLI's zlib level 1 (53 MiB)
 * and 2 % over the browser's CompressionStream (level 6, 50 MiB); small profiles (tens of KiB) stray further.
 */
export const GZIP_RATIO_SAMPLES = 0.4;
export const GZIP_RATIO_SYMBOLS = 0.2;
/** `__name__`, `service_name`, the thread label and `__delta__` (memory): the labels every series may have. */
const FIXED_LABELS = 4;

/** The key of the CPU series planned besides a thread's wall series (`ThreadChoice.alsoCpu`). */
export function cpuSeriesKey(threadKey: string): string {
  return `${threadKey}#cpu`;
}

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
  /** Exact size of the encoded pprof before gzip (`encodePprof` writes exactly this many bytes). */
  uncompressedBytes: number;
  /** Aggregated stacks (node ids of `thread.tree`) and their values in `unit`. */
  nodes: Int32Array;
  values: Float64Array;
  /** Its symbols in id order, as the planner laid the profile out (`SlicePart.symbols`). */
  symbols?: ProfileSymbols;
  total: number;
  unit: BaseUnit;
}

export interface PlannedThread extends ThreadRef {
  labelValue: string;
  labels: LabelPair[];
  /** The file's service (`UploadOptions.fileServices` or the suggestion). */
  serviceName: string;
  profileType: ProfileTypeChoice;
  /** Why this type: chosen for the thread or the upload, or the evidence behind the suggestion. */
  profileTypeReason: string;
  /** Set on the CPU series of a thread-time thread (`ThreadChoice.alsoCpu`): the key of the thread it comes from. */
  cpuPartOf?: string;
  profileTypeId: string;
  profileCount: number;
  total: number;
  unit: BaseUnit;
  /** The slice width used for this thread, a whole multiple of the requested one (it may be widened). */
  sliceSeconds: number;
  /** Exact uncompressed pprof bytes of the thread's profiles. */
  uncompressedBytes: number;
}

export interface UploadVolume {
  /** Exact, as `encodePprof` writes them. */
  uncompressedBytes: number;
  /** Estimated from the sample and symbol bytes with gzip ratios measured on real profiles. */
  estimatedCompressedBytes: number;
  /** What Pyroscope's default rate limit (4 MiB/s of uncompressed profile and label bytes, 2 MiB burst) allows. */
  estimatedPushSeconds: number;
}

export type PlanWarningCode =
  | 'too-old'
  | 'too-new'
  | 'many-series'
  | 'deep-stacks'
  | 'empty-stacks'
  | 'label-changed'
  | 'thread-warning'
  | 'slices-widened'
  | 'stacks-truncated'
  | 'services-split'
  | 'also-cpu-unavailable';

export interface PlanWarning {
  code: PlanWarningCode;
  message: string;
  threadKey?: string;
}

/** Which planned series go to which service, and why. */
export interface PlannedService {
  serviceName: string;
  fileNames: string[];
  /** Keys of the planned threads (`PlannedThread.threadKey`, CPU series included) under this service. */
  threadKeys: string[];
  reason: string;
}

export interface UploadPlan {
  /** The service name as given (cleaned); files may go to their own services, see `services`. */
  serviceName: string;
  services: PlannedService[];
  threadLabelName: string;
  fromMs: number;
  toMs: number;
  sliceNanos: number;
  threads: PlannedThread[];
  profiles: PlannedProfile[];
  skipped: SkippedThread[];
  warnings: PlanWarning[];
  volume: UploadVolume;
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
  fileIndex: number;
  thread: ThreadProfile;
  producer: Producer;
}

/** One series to plan: a thread, or the CPU part of a thread. */
interface SeriesEntry {
  key: string;
  thread: ThreadProfile;
  spec: ProfileTypeSpec;
  reason: string;
  scale: number | undefined;
  serviceName: string;
  ownLabels: LabelPair[];
  filter?: NodeFilter;
  cpuPartOf?: string;
}

/**
 * Turns parsed files and the user's choices into the exact profiles to push: one series per thread, each profile
 * with its own (label set, time) so Pyroscope's deduplication can never drop one.
 */
export function planUpload(files: ParsedFile[], options: UploadOptions): UploadPlan {
  const threadLabelName = options.threadLabelName ?? DEFAULT_THREAD_LABEL;
  const sliceSeconds = options.sliceSeconds ?? DEFAULT_SLICE_SECONDS;
  const limits = options.limits ?? DEFAULT_PROFILE_LIMITS;
  const serviceName = cleanLabelValue(options.serviceName);
  const extraLabels = (options.extraLabels ?? []).map((l) => ({
    name: l.name.trim(),
    value: cleanLabelValue(l.value),
  }));
  checkOptions(options, serviceName, threadLabelName, sliceSeconds, extraLabels);
  const sliceNanos = sliceSeconds * 1e9;

  const skipped: SkippedThread[] = [];
  const warnings: PlanWarning[] = labelCleaningWarnings(options, serviceName, extraLabels);
  const usable: ThreadEntry[] = [];
  files.forEach((file, fileIndex) => {
    const producer = producerOfFile(file);
    for (const profile of file.profiles) {
      const key = threadKey(fileIndex, profile.index);
      if (profile.ok) {
        usable.push({ key, fileIndex, thread: profile, producer });
      } else {
        // The file, profile and name are in the record already; the reason is the field and what is wrong with it.
        skipped.push({ ...threadRefOf(key, profile), reason: `${profile.error.field}: ${profile.error.message}` });
      }
    }
  });

  const services = fileServicesOf(files, options, serviceName);
  append(warnings, services.warnings);
  const extraNames = new Set(extraLabels.map((l) => l.name));
  const problems: string[] = [];

  // What each readable thread would be: its type, own labels and label scopes. Label values are assigned over every
  // readable thread, included or not, so toggling one never renames another.
  const resolved = usable.map((entry) => {
    const { key, thread, producer, fileIndex } = entry;
    const choice = options.threads?.[key];
    const insight = insightOf(producer, thread, options.sampleRateHz);
    const wanted: ProfileTypeChoice = choice?.profileType ?? options.profileType ?? insight.profileType.type;
    const reason = choice?.profileType
      ? 'Chosen for this thread.'
      : options.profileType
        ? 'Chosen for the whole upload.'
        : insight.profileType.reason;
    const own = ownLabelsOf(choice, insight.labels, threadLabelName, extraNames, extraLabels.length);
    if (choice?.include !== false) {
      append(
        problems,
        own.problems.map((problem) => `${describeThread(thread)}: ${problem}`)
      );
    }
    const cpuPart = insight.profileType.cpuPart;
    const allowed = allowedProfileTypes(thread.kind, options.sampleRateHz);
    const alsoCpu =
      choice?.alsoCpu === true &&
      cpuPart !== undefined &&
      cpuPart.cpuTotal > 0 &&
      wanted !== 'cpu' &&
      allowed.includes('cpu');
    const serviceName = services.perFile[fileIndex];
    const scopes = [seriesScope(PROFILE_TYPES[wanted], serviceName, own.labels)];
    if (alsoCpu) {
      scopes.push(seriesScope(PROFILE_TYPES.cpu, serviceName, own.labels));
    }
    return { ...entry, choice, wanted, reason, allowed, ownLabels: own.labels, alsoCpu, cpuPart, serviceName, scopes };
  });
  if (problems.length > 0) {
    throw new PlanError(problems);
  }
  const labelValues = assignThreadLabelValues(
    resolved.map(({ key, thread, choice, producer, scopes }) => ({
      key,
      index: thread.index,
      desired: choice?.labelValue ?? insightOf(producer, thread, options.sampleRateHz).threadName,
      scopes,
    }))
  );

  const chosen: SeriesEntry[] = [];
  for (const entry of resolved) {
    const { key, thread, choice, wanted, allowed } = entry;
    if (choice?.include === false) {
      skipped.push({ ...threadRefOf(key, thread), reason: 'excluded' });
      continue;
    }
    if (!hasPushableData(thread)) {
      skipped.push({ ...threadRefOf(key, thread), reason: NO_DATA_REASON });
      continue;
    }
    if (!allowed.includes(wanted)) {
      skipped.push({ ...threadRefOf(key, thread), reason: incompatibleReason(thread, wanted, allowed) });
      continue;
    }
    const scale = timeScale(thread, options.sampleRateHz);
    const series = { thread, scale, serviceName: entry.serviceName, ownLabels: entry.ownLabels };
    chosen.push({ ...series, key, spec: PROFILE_TYPES[wanted], reason: entry.reason });
    if (entry.alsoCpu && entry.cpuPart) {
      chosen.push({
        ...series,
        key: cpuSeriesKey(key),
        spec: PROFILE_TYPES.cpu,
        reason:
          `The thread's CPU part: the stacks under ${entry.cpuPart.leafFrames.join(', ')} ` +
          `(${formatNanos(entry.cpuPart.cpuTotal)} of ${formatNanos(thread.stats.total)}).`,
        filter: { name: 'cpu-part', keep: cpuMaskOf(thread) },
        cpuPartOf: key,
      });
    } else if (choice?.alsoCpu) {
      warnings.push({
        code: 'also-cpu-unavailable',
        message: `${describeThread(thread)}: no separate CPU series: ${alsoCpuUnavailable(entry)}`,
        threadKey: key,
      });
    }
  }

  // No spread of per-thread arrays into Math.max: an upload may have any number of threads.
  let longestNanos = 0;
  for (const c of chosen) {
    longestNanos = Math.max(longestNanos, c.scale ? (c.thread.startOffset + c.thread.span) * c.scale : 0);
  }
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
  if (toMs > MAX_TIME_MS) {
    throw new PlanError([
      `The time range ends after ${new Date(MAX_TIME_MS).toISOString()}, the last moment a profile's time can name; the profiles last ${formatSeconds(longestNanos / 1e9)}.`,
    ]);
  }
  // Checked before any slicing or encoding, so callers can refuse early (see `ingestionWindowWarnings`).
  append(warnings, ingestionWindowWarnings(fromMs, toMs, options.nowMs ?? Date.now()));
  const fromNanos = BigInt(fromMs) * 1_000_000n;
  const rangeNanos = BigInt(toMs - fromMs) * 1_000_000n;
  const periodNanos = options.sampleRateHz ? Math.round(1e9 / options.sampleRateHz) : 0;

  const threads: PlannedThread[] = [];
  const profiles: PlannedProfile[] = [];
  let sampleBytes = 0;
  let symbolBytes = 0;
  let costBytes = 0;
  for (const series of chosen) {
    const { key, thread, spec, scale } = series;
    const labelValue = labelValues.get(series.cpuPartOf ?? key)!;
    const labels: LabelPair[] = [
      { name: '__name__', value: spec.metricName },
      { name: 'service_name', value: series.serviceName },
      { name: threadLabelName, value: labelValue.value },
      ...series.ownLabels,
      ...extraLabels,
    ];
    if (spec.notDelta) {
      labels.push({ name: '__delta__', value: 'false' });
    }
    const labelBytes = labels.reduce((sum, l) => sum + utf8Length(l.name) + utf8Length(l.value), 0);
    const unit = scale === undefined || thread.kind === 'time' ? thread.baseUnit : 'nanoseconds';
    const valueScale = thread.kind === 'count' && scale !== undefined && spec.choice !== 'samples' ? scale : 1;
    const slicing = slicedThread(thread, scale, sliceNanos, limits, valueScale, series.filter);
    const threadSliceNanos = slicing.sliceNanos;
    const threadEnd = scale === undefined ? 0 : (thread.startOffset + thread.span) * scale;
    const firstProfile = profiles.length;
    let total = 0;
    let threadBytes = 0;
    let tooLarge = false;
    for (const { slice, parts } of slicing.entries) {
      const sliceStart = slice.index * threadSliceNanos;
      const sliceDuration =
        scale === undefined
          ? rangeNanos
          : BigInt(Math.max(1, Math.min(threadSliceNanos, Math.ceil(threadEnd - sliceStart))));
      // Parts of one slice get distinct times inside the slice, spaced evenly.
      const spacing = scale === undefined ? Number(rangeNanos) / parts.length : threadSliceNanos / parts.length;
      parts.forEach((part, p) => {
        const values = part.values;
        let partTotal = 0;
        for (const v of values) {
          partTotal += v;
          tooLarge ||= !(v <= MAX_SAMPLE_VALUE);
        }
        const planned: PlannedProfile = {
          threadKey: key,
          thread,
          threadLabelValue: labelValue.value,
          labels,
          profileType: spec,
          profileTypeId: profileTypeId(spec),
          timeNanos: fromNanos + BigInt(sliceStart + Math.floor(p * spacing)),
          durationNanos: sliceDuration,
          periodNanos,
          uncompressedBytes: 0,
          nodes: part.nodes,
          values,
          symbols: part.symbols,
          total: partTotal,
          unit: spec.choice === 'samples' ? 'count' : unit,
        };
        planned.uncompressedBytes =
          part.bodyBytes +
          headerBytes(
            {
              sampleType: spec.sampleType,
              periodType: spec.periodType,
              period: periodNanos,
              timeNanos: planned.timeNanos,
              durationNanos: planned.durationNanos,
            },
            part.stringCount
          );
        total += partTotal;
        threadBytes += planned.uncompressedBytes;
        costBytes += planned.uncompressedBytes + labelBytes;
        sampleBytes += planned.uncompressedBytes - part.symbolBytes;
        symbolBytes += part.symbolBytes;
        profiles.push(planned);
      });
    }
    if (tooLarge) {
      profiles.length = firstProfile;
      skipped.push({
        ...threadRefOf(key, thread),
        reason: `a sample value is larger than a profile can hold (about ${MAX_SAMPLE_VALUE.toPrecision(3)} ${unit})`,
      });
      continue;
    }
    const planned: PlannedThread = {
      ...threadRefOf(key, thread),
      labelValue: labelValue.value,
      labels,
      serviceName: series.serviceName,
      profileType: spec.choice,
      profileTypeReason: series.reason,
      profileTypeId: profileTypeId(spec),
      profileCount: profiles.length - firstProfile,
      total,
      unit: spec.choice === 'samples' ? 'count' : unit,
      sliceSeconds: threadSliceNanos / 1e9,
      uncompressedBytes: threadBytes,
    };
    if (series.cpuPartOf !== undefined) {
      planned.cpuPartOf = series.cpuPartOf;
    }
    threads.push(planned);
    if (series.cpuPartOf === undefined) {
      append(warnings, threadWarnings(key, thread, labelValue.value, labelValue.changed));
    }
    append(warnings, slicingWarnings(key, thread, slicing, sliceSeconds, scale));
  }

  if (profiles.length > MAX_PROFILES_PER_UPLOAD) {
    let largest = threads[0];
    for (const t of threads) {
      largest = t.profileCount > largest.profileCount ? t : largest;
    }
    const thread = chosen.find((c) => c.key === largest.threadKey)!;
    throw new PlanError([
      `The upload would have ${profiles.length} profiles, more than the ${MAX_PROFILES_PER_UPLOAD} one upload may have. ` +
        `The largest thread is ${describeThread(thread.thread)} with ${largest.profileCount} profiles over ` +
        `${formatSeconds(thread.scale ? ((thread.thread.startOffset + thread.thread.span) * thread.scale) / 1e9 : 0)}; ` +
        'widen the slices or upload fewer threads at once.',
    ]);
  }
  if (threads.length > MANY_SERIES) {
    warnings.push({
      code: 'many-series',
      message: `${threads.length} threads become ${threads.length} series; every series counts against Pyroscope's per-tenant series limit (5000 by default).`,
    });
  }
  assertUniqueProfiles(profiles);
  const uncompressedBytes = sampleBytes + symbolBytes;
  const volume: UploadVolume = {
    uncompressedBytes,
    estimatedCompressedBytes: Math.round(sampleBytes * GZIP_RATIO_SAMPLES + symbolBytes * GZIP_RATIO_SYMBOLS),
    estimatedPushSeconds:
      Math.max(0, costBytes - PYROSCOPE_INGESTION_BURST_BYTES) / PYROSCOPE_INGESTION_BYTES_PER_SECOND,
  };
  return {
    serviceName,
    services: plannedServices(files, services, threads),
    threadLabelName,
    fromMs,
    toMs,
    sliceNanos,
    threads,
    profiles,
    skipped,
    warnings,
    volume,
  };
}

/** The label set of a series without its thread label (and without the extra labels, which every series has). */
function seriesScope(spec: ProfileTypeSpec, serviceName: string, ownLabels: LabelPair[]): string {
  const labels = [
    { name: '__name__', value: spec.metricName },
    { name: 'service_name', value: serviceName },
  ];
  if (spec.notDelta) {
    labels.push({ name: '__delta__', value: 'false' });
  }
  return labelSetKey([...labels, ...ownLabels]);
}

/**
 * A thread's own labels: the user's (`ThreadChoice.labels`), checked like extra labels, or else the ids derived from
 * the file, minus any whose name the thread label or an extra label already uses (the user's own setting wins).
 */
function ownLabelsOf(
  choice: ThreadChoice | undefined,
  derived: LabelPair[],
  threadLabelName: string,
  extraNames: Set<string>,
  extraCount: number
): { labels: LabelPair[]; problems: string[] } {
  const problems: string[] = [];
  if (choice?.labels === undefined) {
    const labels = derived
      .filter((l) => l.name !== threadLabelName && !extraNames.has(l.name))
      .map((l) => ({ name: l.name, value: cleanLabelValue(l.value) }))
      .filter((l) => l.value !== '');
    return { labels, problems: tooManyLabels(labels.length, extraCount) };
  }
  const labels = choice.labels.map((l) => ({ name: l.name.trim(), value: cleanLabelValue(l.value) }));
  const seen = new Set<string>();
  for (const { name, value } of labels) {
    const problem = labelNameProblem(name) ?? labelValueProblem(name, value);
    if (problem) {
      problems.push(`label ${JSON.stringify(name)}: ${problem}.`);
    } else if (isReservedLabelName(name)) {
      problems.push(`label ${JSON.stringify(name)}: this name is set by the upload.`);
    } else if (name === threadLabelName) {
      problems.push(`label ${JSON.stringify(name)}: this is the thread label; set its value instead.`);
    } else if (extraNames.has(name)) {
      problems.push(`label ${JSON.stringify(name)}: an extra label of the upload has this name already.`);
    } else if (seen.has(name)) {
      problems.push(`label ${JSON.stringify(name)} is given twice.`);
    }
    seen.add(name);
  }
  return { labels, problems: [...problems, ...tooManyLabels(labels.length, extraCount)] };
}

function tooManyLabels(ownCount: number, extraCount: number): string[] {
  const count = FIXED_LABELS + extraCount + ownCount;
  return count > MAX_LABELS_PER_SERIES
    ? [
        `${plural(extraCount, 'extra label')} and ${plural(ownCount, 'thread label')} make ${count} labels with the ` +
          `upload's own ${FIXED_LABELS}, more than Pyroscope's ${MAX_LABELS_PER_SERIES}; remove some.`,
      ]
    : [];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function alsoCpuUnavailable(entry: { wanted: ProfileTypeChoice; cpuPart?: { cpuTotal: number } }): string {
  if (entry.cpuPart === undefined) {
    return 'its stacks do not mark on-CPU time (no CPU_TIME leaves).';
  }
  if (entry.cpuPart.cpuTotal <= 0) {
    return 'nothing is under its CPU_TIME leaves.';
  }
  if (entry.wanted === 'cpu') {
    return 'the thread itself is pushed as CPU time.';
  }
  return 'its unit cannot become CPU time.';
}

interface FileServices {
  perFile: string[];
  /** Per file: the reason its service was chosen. */
  reasons: string[];
  warnings: PlanWarning[];
}

/** Each file's service: as given in `fileServices`, else as `suggestServices` says (one, or one per program). */
function fileServicesOf(files: ParsedFile[], options: UploadOptions, serviceName: string): FileServices {
  const suggested = suggestServices(files, serviceName);
  const problems: string[] = [];
  const warnings: PlanWarning[] = [];
  const perFile: string[] = [];
  const reasons: string[] = [];
  const defaulted: string[] = [];
  files.forEach((file, i) => {
    const given = options.fileServices?.[i];
    if (given === undefined) {
      perFile.push(cleanLabelValue(suggested.services[i].serviceName));
      reasons.push(suggested.reason);
      if (file.profiles.some((profile) => profile.ok)) {
        defaulted.push(`${file.fileName} → ${perFile[i]}`);
      }
      return;
    }
    const cleaned = cleanLabelValue(given);
    if (cleaned === '') {
      problems.push(`The service of ${file.fileName} is empty.`);
    } else if (cleaned !== given.trim()) {
      warnings.push({
        code: 'label-changed',
        message: `The service of ${file.fileName} is written as ${JSON.stringify(cleaned)}.`,
      });
    }
    perFile.push(cleaned);
    reasons.push(`Set for ${file.fileName}.`);
  });
  if (problems.length > 0) {
    throw new PlanError(problems);
  }
  if (!suggested.shared && defaulted.length > 0) {
    warnings.push({
      code: 'services-split',
      message: `${suggested.reason} ${defaulted.join(', ')}. Set the service per file to change this.`,
    });
  }
  return { perFile, reasons, warnings };
}

function plannedServices(files: ParsedFile[], services: FileServices, threads: PlannedThread[]): PlannedService[] {
  const byName = new Map<string, PlannedService>();
  files.forEach((file, i) => {
    const name = services.perFile[i];
    let service = byName.get(name);
    if (!service) {
      service = { serviceName: name, fileNames: [], threadKeys: [], reason: services.reasons[i] };
      byName.set(name, service);
    } else if (!service.reason.includes(services.reasons[i])) {
      service.reason = `${service.reason} ${services.reasons[i]}`;
    }
    service.fileNames.push(file.fileName);
  });
  for (const thread of threads) {
    byName.get(thread.serviceName)?.threadKeys.push(thread.threadKey);
  }
  // A service whose files have nothing planned (unreadable or all excluded) receives nothing: not listed.
  return [...byName.values()].filter((service) => service.threadKeys.length > 0);
}

/** `push(...items)` passes every item as an argument, which overflows the stack for very long lists. */
function append<T>(target: T[], items: T[]): void {
  for (const item of items) {
    target.push(item);
  }
}

function describeThread(thread: ThreadProfile): string {
  return `${thread.fileName}: profile ${thread.index} ${JSON.stringify(thread.name.slice(0, 200))}`;
}

function slicingWarnings(
  key: string,
  thread: ThreadProfile,
  slicing: ThreadSlicing,
  sliceSeconds: number,
  scale: number | undefined
): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const where = describeThread(thread);
  const width = formatSeconds(slicing.sliceNanos / 1e9);
  if (slicing.widened === 'span') {
    const span = formatSeconds(((thread.startOffset + thread.span) * (scale ?? 0)) / 1e9);
    warnings.push({
      code: 'slices-widened',
      message: `${where}: lasts ${span}, which at ${formatSeconds(sliceSeconds)} would be more than ${MAX_SLICES_PER_THREAD} slices; its slices are ${width} wide instead.`,
      threadKey: key,
    });
  } else if (slicing.widened === 'symbols') {
    warnings.push({
      code: 'slices-widened',
      message: `${where}: its slices are ${width} wide instead of ${formatSeconds(sliceSeconds)}, so that its profiles do not mostly repeat the same symbols.`,
      threadKey: key,
    });
  }
  if (slicing.truncatedStacks > 0) {
    warnings.push({
      code: 'stacks-truncated',
      message: `${where}: ${slicing.truncatedStacks} stacks are each larger than a profile may be; they keep their root-most frames (${slicing.truncatedFrames} frames nearer the leaf dropped, as Pyroscope drops frames beyond its depth limit).`,
      threadKey: key,
    });
  }
  return warnings;
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
  if (changed) {
    warnings.push({
      code: 'label-changed',
      message: `${where}: thread label value is ${JSON.stringify(labelValue)}`,
      threadKey: key,
    });
  }
  return warnings;
}

/**
 * Where a range falls outside Pyroscope's default ingestion window (1 h back, 10 min ahead): the planner adds these
 * as warnings; callers that must not push what would be rejected can refuse when this is not empty.
 */
export function ingestionWindowWarnings(fromMs: number, toMs: number, nowMs: number): PlanWarning[] {
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

/** Says when the service name or an extra label value was cleaned (control characters, length) before use. */
function labelCleaningWarnings(options: UploadOptions, serviceName: string, extraLabels: LabelPair[]): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  if (serviceName !== '' && serviceName !== options.serviceName.trim()) {
    warnings.push({ code: 'label-changed', message: `The service name is written as ${JSON.stringify(serviceName)}.` });
  }
  (options.extraLabels ?? []).forEach((label, i) => {
    const cleaned = extraLabels[i].value;
    if (cleaned !== '' && cleaned !== label.value.trim()) {
      warnings.push({
        code: 'label-changed',
        message: `Label ${JSON.stringify(extraLabels[i].name)} is written as ${JSON.stringify(cleaned)}.`,
      });
    }
  });
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
  }
  const nameProblem = labelNameProblem(threadLabelName);
  if (nameProblem) {
    problems.push(`Thread label: ${nameProblem}.`);
  } else if (isReservedLabelName(threadLabelName)) {
    problems.push(`Thread label: ${threadLabelName} is reserved.`);
  }
  const seen = new Set<string>();
  for (const label of extraLabels) {
    const name = label.name;
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
  if (extraLabels.length + FIXED_LABELS > MAX_LABELS_PER_SERIES) {
    problems.push(
      `At most ${MAX_LABELS_PER_SERIES - FIXED_LABELS} extra labels fit in Pyroscope's limit of ${MAX_LABELS_PER_SERIES} labels per series.`
    );
  }
  const latest = new Date(MAX_TIME_MS).toISOString();
  if (!Number.isFinite(options.fromMs)) {
    problems.push('The start of the time range is not a valid time.');
  } else if (!(options.fromMs > 0 && options.fromMs < MAX_TIME_MS)) {
    // pprof's time_nanos is a signed 64-bit count of nanoseconds, and Pyroscope reads 0 or less as "now".
    problems.push(`The start of the time range must lie after 1970 and before ${latest}.`);
  }
  if (options.toMs !== undefined && !(options.toMs > options.fromMs)) {
    problems.push('The end of the time range must be after its start.');
  } else if (options.toMs !== undefined && !(options.toMs <= MAX_TIME_MS)) {
    problems.push(`The end of the time range must lie before ${latest}.`);
  }
  if (!(sliceSeconds >= MIN_SLICE_SECONDS && sliceSeconds <= MAX_SLICE_SECONDS)) {
    problems.push(`The slice width must be between ${MIN_SLICE_SECONDS} and ${MAX_SLICE_SECONDS} seconds.`);
  }
  const rate = options.sampleRateHz;
  if (rate !== undefined && !(rate >= MIN_SAMPLE_RATE_HZ && rate <= MAX_SAMPLE_RATE_HZ)) {
    problems.push(
      `The sampling rate must be between ${MIN_SAMPLE_RATE_HZ} and ${MAX_SAMPLE_RATE_HZ} samples per second.`
    );
  }
  if (problems.length > 0) {
    throw new PlanError(problems);
  }
}

export function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}
