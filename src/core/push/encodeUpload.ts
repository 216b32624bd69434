import { labelSetKey } from '../plan/labels';
import { PlannedProfile, UploadPlan } from '../plan/planUpload';
import { encodePprof, gzipPprof } from '../pprof/encodePprof';
import { toBase64 } from '../util/base64';
import { stableUuid } from '../util/stableId';

/** Pyroscope's hard per-profile limit (`max_profile_size_bytes`); the planner aims far below it. */
export const PYROSCOPE_MAX_PROFILE_BYTES = 4 << 20;

export interface EncodedProfile {
  planned: PlannedProfile;
  id: string;
  /** Size of the pprof before gzip: what Pyroscope checks against its limits and rate limiter. */
  uncompressedBytes: number;
  /** base64 of the gzipped pprof, as it goes into the request. */
  rawProfile: string;
}

export interface PushBatch {
  profiles: EncodedProfile[];
  /** The Connect JSON request body. */
  body: string;
  /** What Pyroscope's rate limiter counts: uncompressed profiles plus label bytes. */
  costBytes: number;
}

export interface BatchLimits {
  /** Keep each request's rate-limit cost below the default 2 MB burst, or every attempt gets 429. */
  maxCostBytes: number;
  maxProfiles: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxCostBytes: 1_500_000, maxProfiles: 64 };

export function encodeProfile(planned: PlannedProfile): EncodedProfile {
  const pprof = encodePprof(planned);
  if (pprof.length > PYROSCOPE_MAX_PROFILE_BYTES) {
    throw new Error(
      `${planned.thread.fileName}: profile ${planned.thread.index}: a profile of ${pprof.length} bytes exceeds Pyroscope's ${PYROSCOPE_MAX_PROFILE_BYTES}-byte limit`
    );
  }
  return {
    planned,
    id: stableUuid(`${labelSetKey(planned.labels)}@${planned.timeNanos}`),
    uncompressedBytes: pprof.length,
    rawProfile: toBase64(gzipPprof(pprof)),
  };
}

/** planUpload has checked the (labels, time) invariant; pushUpload checks it again before anything is sent. */
export function encodePlan(plan: UploadPlan): EncodedProfile[] {
  return plan.profiles.map(encodeProfile);
}

function labelBytes(profile: EncodedProfile): number {
  return profile.planned.labels.reduce((sum, l) => sum + l.name.length + l.value.length, 0);
}

/** Groups profiles into requests in plan order; profiles of one label set in a request share a series entry. */
export function batchProfiles(profiles: EncodedProfile[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): PushBatch[] {
  const batches: PushBatch[] = [];
  let current: EncodedProfile[] = [];
  let cost = 0;
  const flush = () => {
    if (current.length > 0) {
      batches.push({ profiles: current, body: pushRequestBody(current), costBytes: cost });
    }
    current = [];
    cost = 0;
  };
  for (const profile of profiles) {
    const profileCost = profile.uncompressedBytes + labelBytes(profile);
    if (current.length > 0 && (cost + profileCost > limits.maxCostBytes || current.length >= limits.maxProfiles)) {
      flush();
    }
    current.push(profile);
    cost += profileCost;
  }
  flush();
  return batches;
}

/** `push.v1.PushRequest` in Connect JSON: `{"series":[{"labels":[…],"samples":[{"ID","rawProfile"}]}]}`. */
export function pushRequestBody(profiles: EncodedProfile[]): string {
  const series = new Map<
    string,
    { labels: Array<{ name: string; value: string }>; samples: Array<{ ID: string; rawProfile: string }> }
  >();
  for (const profile of profiles) {
    const key = labelSetKey(profile.planned.labels);
    let entry = series.get(key);
    if (!entry) {
      entry = { labels: profile.planned.labels.map(({ name, value }) => ({ name, value })), samples: [] };
      series.set(key, entry);
    }
    entry.samples.push({ ID: profile.id, rawProfile: profile.rawProfile });
  }
  return JSON.stringify({ series: [...series.values()] });
}
