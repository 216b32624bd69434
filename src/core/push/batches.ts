/**
 * Push requests: which encoded profiles travel together, and the Connect JSON body that carries them.
 *
 * Pyroscope rate-limits each profile on its own (`pkg/distributor/distributor.go`, `pushSeries` → `rateLimit`):
 * its cost is its label bytes plus its decompressed size, taken from a per-tenant token bucket whose burst is
 * `ingestion_burst_size_mb` (2 MiB: `pkg/validation/limits.go` counts 1 MB as 1 048 576 bytes) and whose rate is
 * `ingestion_rate_mb` (4 MiB/s) divided by the number of healthy distributors (`rate_strategy.go`). A request whose
 * profiles together stay under the burst passes whole when the bucket is full.
 */
import { labelSetKey } from '../plan/labels';
import { toBase64 } from '../util/base64';
import { EncodedProfile, ProfileRef } from './encodeUpload';

/** Pyroscope's `limits.go` counts 1 MB as 1 048 576 bytes. */
export const MIB = 1_048_576;

/** Pyroscope's default ingestion limits, in the bytes its rate limiter counts. */
export interface IngestionLimits {
  /** Per tenant, before division by the number of distributors. */
  rateBytesPerSecond: number;
  burstBytes: number;
  /** Healthy distributors sharing the tenant's rate (1 in a single-binary Pyroscope). */
  distributors: number;
}

export const PYROSCOPE_DEFAULT_INGESTION: IngestionLimits = {
  rateBytesPerSecond: 4 * MIB,
  burstBytes: 2 * MIB,
  distributors: 1,
};

export interface PushBatch {
  /** The Connect JSON request body (`push.v1.PushRequest`): UTF-8 bytes, or the text itself where a page sends it. */
  body: Uint8Array | string;
  profiles: ProfileRef[];
  /** What Pyroscope's rate limiter counts for the whole request: the sum of the profiles' costs. */
  costBytes: number;
}

export interface BatchLimits {
  /** Sum of the profiles' rate-limit costs per request; under the burst, so a full bucket admits a request whole. */
  maxCostBytes: number;
  maxProfiles: number;
}

/**
 * Half the default burst: two requests fit under way beside each other (pushUpload's default), a request never waits
 * for a completely full bucket, and a failure touches few profiles.
 */
export function batchLimitsFor(ingestion: IngestionLimits): BatchLimits {
  return { maxCostBytes: ingestion.burstBytes / 2, maxProfiles: 64 };
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = batchLimitsFor(PYROSCOPE_DEFAULT_INGESTION);

/**
 * Groups profiles into requests in the order they come, as they come: a batch is yielded as soon as the next
 * profile would not fit, so only one batch's profiles are held. A profile costlier than `maxCostBytes` travels alone.
 */
export async function* batchProfiles(
  profiles: AsyncIterable<EncodedProfile> | Iterable<EncodedProfile>,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS
): AsyncIterable<PushBatch> {
  let current: EncodedProfile[] = [];
  let cost = 0;
  for await (const profile of profiles) {
    const profileCost = profile.ref.costBytes;
    if (current.length > 0 && (cost + profileCost > limits.maxCostBytes || current.length >= limits.maxProfiles)) {
      yield { body: pushRequestBody(current), profiles: current.map((p) => p.ref), costBytes: cost };
      current = [];
      cost = 0;
    }
    current.push(profile);
    cost += profileCost;
  }
  if (current.length > 0) {
    yield { body: pushRequestBody(current), profiles: current.map((p) => p.ref), costBytes: cost };
  }
}

interface WireSeries {
  labels: Array<{ name: string; value: string }>;
  samples: Array<{ ID: string; rawProfile: string }>;
}

/** `push.v1.PushRequest` in Connect JSON: `{"series":[{"labels":[…],"samples":[{"ID","rawProfile"}]}]}`. */
export function pushRequestBody(profiles: EncodedProfile[]): Uint8Array {
  const series = new Map<string, WireSeries>();
  for (const profile of profiles) {
    const key = labelSetKey(profile.ref.labels);
    let entry = series.get(key);
    if (!entry) {
      entry = { labels: profile.ref.labels.map(({ name, value }) => ({ name, value })), samples: [] };
      series.set(key, entry);
    }
    entry.samples.push({ ID: profile.ref.id, rawProfile: toBase64(profile.gzipped) });
  }
  return new TextEncoder().encode(JSON.stringify({ series: [...series.values()] }));
}

/**
 * The same request split into parts, each with only the profiles whose ids it names: same labels, times, ids and
 * bytes, so a profile that did land before is only stored again as an identical replica, which Pyroscope
 * deduplicates. The body is parsed once for all parts, so splitting a batch into single profiles is linear.
 */
export function splitBatch(batch: PushBatch, parts: ReadonlyArray<ReadonlySet<string>>): PushBatch[] {
  const text = typeof batch.body === 'string' ? batch.body : new TextDecoder().decode(batch.body);
  const request = JSON.parse(text) as { series: WireSeries[] };
  // Where each sample is in the request, so a part keeps the request's order of series and samples.
  const sampleById = new Map<string, { series: number; order: number; sample: WireSeries['samples'][number] }>();
  request.series.forEach((s, series) =>
    s.samples.forEach((sample) => sampleById.set(sample.ID, { series, order: sampleById.size, sample }))
  );
  const refById = new Map(batch.profiles.map((p, order) => [p.id, { order, ref: p }]));
  return parts.map((ids) => {
    const picked = [...ids].flatMap((id) => sampleById.get(id) ?? []).sort((a, b) => a.order - b.order);
    const series: WireSeries[] = [];
    let last = -1;
    for (const { series: index, sample } of picked) {
      if (index !== last) {
        series.push({ labels: request.series[index].labels, samples: [] });
        last = index;
      }
      series[series.length - 1].samples.push(sample);
    }
    const profiles = [...ids]
      .flatMap((id) => refById.get(id) ?? [])
      .sort((a, b) => a.order - b.order)
      .map((p) => p.ref);
    return {
      body: new TextEncoder().encode(JSON.stringify({ series })),
      profiles,
      costBytes: profiles.reduce((sum, p) => sum + p.costBytes, 0),
    };
  });
}

/** The same request with only the profiles whose ids are given (see splitBatch). */
export function subsetBatch(batch: PushBatch, ids: ReadonlySet<string>): PushBatch {
  return splitBatch(batch, [ids])[0];
}
