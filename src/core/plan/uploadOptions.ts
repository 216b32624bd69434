import { LabelPair } from './labels';
import { ProfileTypeChoice } from './profileTypes';

export const DEFAULT_THREAD_LABEL = 'thread_name';
export const DEFAULT_SLICE_SECONDS = 10;
export const MIN_SLICE_SECONDS = 1;
export const MAX_SLICE_SECONDS = 3600;

/** Pyroscope's defaults: 16 000 samples per profile; 1 MiB keeps every profile far below the 2 MB rate-limit burst. */
export const DEFAULT_PROFILE_LIMITS: ProfileLimits = { maxSamplesPerProfile: 16_000, maxProfileBytes: 1 << 20 };

export interface ProfileLimits {
  maxSamplesPerProfile: number;
  /** Upper bound for the uncompressed pprof size of one profile. */
  maxProfileBytes: number;
}

export interface ThreadChoice {
  include?: boolean;
  /** The thread label value; by default the clean thread name derived from the file (`threadInsights`). */
  labelValue?: string;
  /** Overrides the upload's profile type and the suggested one (`threadInsights`) for this thread. */
  profileType?: ProfileTypeChoice;
  /**
   * The thread's own labels besides the thread label; by default the ids derived from the file (`thread_id`, `pid`).
   * `[]` removes them. They count in Pyroscope's 30 labels and may not reuse the thread label's or an extra label's name.
   */
  labels?: LabelPair[];
  /**
   * Besides the wall series, push the thread's CPU part (the stacks under dotnet-trace's `CPU_TIME` leaves) as a CPU
   * series of its own, keyed `<threadKey>#cpu`. Only for threads whose insight has a `cpuPart`.
   */
  alsoCpu?: boolean;
}

export interface UploadOptions {
  serviceName: string;
  /** Where the earliest profile of each file starts, in epoch milliseconds. */
  fromMs: number;
  /** End of the chosen range; defaults to from + the longest file's duration. */
  toMs?: number;
  /** Applies to every thread unless a thread choice overrides it; by default each thread gets its suggested type. */
  profileType?: ProfileTypeChoice;
  /** For unit `none`: samples per second, which turns counts into CPU or wall time. */
  sampleRateHz?: number;
  extraLabels?: LabelPair[];
  threadLabelName?: string;
  sliceSeconds?: number;
  /**
   * The service of each file, in file order; missing entries default to `suggestServices`: the service name for
   * every file, or one service per file when the files come from different programs.
   */
  fileServices?: string[];
  /** Per thread, by `threadKey(fileIndex, profileIndex)`. */
  threads?: Record<string, ThreadChoice>;
  /** For the time-window warnings; defaults to Date.now(). */
  nowMs?: number;
  limits?: ProfileLimits;
}
