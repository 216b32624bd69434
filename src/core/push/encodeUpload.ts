import { LabelPair, labelSetKey, utf8Length } from '../plan/labels';
import { PlannedProfile, UploadPlan } from '../plan/planUpload';
import { encodePprof } from '../pprof/encodePprof';
import { gzip } from '../pprof/gzip';
import { stableUuid } from '../util/stableId';

/** Pyroscope's hard per-profile limit (`max_profile_size_bytes`); the planner aims far below it. */
export const PYROSCOPE_MAX_PROFILE_BYTES = 4 << 20;

/** What the push needs to know of an encoded profile; structured-clone safe, so it crosses the worker boundary. */
export interface ProfileRef {
  threadKey: string;
  labels: LabelPair[];
  timeNanos: bigint;
  /** stableUuid of labels@time: the same profile always gets the same id. */
  id: string;
  /** Size of the pprof before gzip: what Pyroscope checks against its limits and rate limiter. */
  uncompressedBytes: number;
  /** What Pyroscope's rate limiter counts for this profile: label bytes + uncompressed pprof bytes. */
  costBytes: number;
}

export interface EncodedProfile {
  ref: ProfileRef;
  gzipped: Uint8Array;
}

/** UTF-8 bytes of the label names and values of one series. */
export function labelBytes(labels: LabelPair[]): number {
  return labels.reduce((sum, l) => sum + utf8Length(l.name) + utf8Length(l.value), 0);
}

export function profileRef(planned: PlannedProfile, uncompressedBytes: number): ProfileRef {
  return {
    threadKey: planned.threadKey,
    labels: planned.labels,
    timeNanos: planned.timeNanos,
    id: stableUuid(`${labelSetKey(planned.labels)}@${planned.timeNanos}`),
    uncompressedBytes,
    costBytes: uncompressedBytes + labelBytes(planned.labels),
  };
}

export async function encodeProfile(planned: PlannedProfile): Promise<EncodedProfile> {
  const pprof = encodePprof(planned);
  if (pprof.length !== planned.uncompressedBytes) {
    throw new Error(`pprof of ${pprof.length} bytes where the plan sized ${planned.uncompressedBytes}`);
  }
  if (pprof.length > PYROSCOPE_MAX_PROFILE_BYTES) {
    throw new Error(
      `${planned.thread.fileName}: profile ${planned.thread.index}: a profile of ${pprof.length} bytes exceeds Pyroscope's ${PYROSCOPE_MAX_PROFILE_BYTES}-byte limit`
    );
  }
  return { ref: profileRef(planned, pprof.length), gzipped: await gzip(pprof) };
}

/** How many profiles are gzipped while the next ones are encoded (zlib runs on Node's thread pool). */
const GZIP_IN_FLIGHT = 4;

/**
 * Encodes the plan's profiles in plan order, one at a time as they are consumed, so memory holds only the profiles
 * in flight. `only` keeps the profiles of some threads (a retry); `signal` stops between two profiles.
 * planUpload has checked the (labels, time) invariant; pushUpload checks it again before anything is sent.
 */
export async function* encodePlan(
  plan: UploadPlan,
  options: { signal?: AbortSignal; only?: Set<string> } = {}
): AsyncIterable<EncodedProfile> {
  const { signal, only } = options;
  const pending: Array<Promise<EncodedProfile>> = [];
  for (const planned of plan.profiles) {
    signal?.throwIfAborted();
    if (only && !only.has(planned.threadKey)) {
      continue;
    }
    const started = encodeProfile(planned);
    // A rejection is awaited below in order; this keeps it from being reported as unhandled meanwhile.
    started.catch(() => undefined);
    pending.push(started);
    if (pending.length >= GZIP_IN_FLIGHT) {
      yield await pending.shift()!;
    }
  }
  while (pending.length > 0) {
    signal?.throwIfAborted();
    yield await pending.shift()!;
  }
}
