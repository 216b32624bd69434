/**
 * The ingestion rate limiter of the LOCAL PYROSCOPE STAND-IN, as Pyroscope's distributor builds it (grafana/pyroscope,
 * main of 2026-08):
 * - `pkg/distributor/distributor.go` `New` → `limiter.NewRateLimiter(newGlobalRateStrategy(newIngestionRateStrategy(
 *   limits), d), …)`, and `rateLimit`: `AllowN(now, tenant, TotalBytesUncompressed)` once per profile, where
 *   `pushSeries` sets that to label bytes (names + values) plus the decompressed profile size;
 * - `pkg/distributor/rate_strategy.go` `globalStrategy.Limit`: the tenant's rate divided by the number of healthy
 *   distributors; the burst is not divided;
 * - `pkg/validation/limits.go`: `ingestion_rate_mb` 4 and `ingestion_burst_size_mb` 2, with 1 MB = 1 048 576 bytes;
 * - golang.org/x/time/rate `Limiter.AllowN` (dskit's per-tenant limiter wraps it): a bucket of `burst` tokens that
 *   refills at `limit` per second and starts full; a request for more than `burst` tokens never succeeds.
 * Left out: dskit's 10 s re-reading of changed limits.
 */
export const BYTES_IN_MB = 1_048_576;

export interface RateLimitOptions {
  /** Per-tenant rate in bytes per second (default 4 MB = 4 194 304). `Infinity` disables the limit. */
  rateBytesPerSecond?: number;
  /** Burst in bytes (default 2 MB = 2 097 152). */
  burstBytes?: number;
  /** Healthy distributors sharing the tenant's rate (default 1, the single-binary setup). */
  distributors?: number;
}

export class TenantRateLimiter {
  readonly rate: number;
  readonly limit: number;
  readonly burst: number;
  private buckets = new Map<string, { tokens: number; lastMs: number }>();

  constructor(
    options: RateLimitOptions,
    private readonly clock: () => number
  ) {
    this.rate = options.rateBytesPerSecond ?? 4 * BYTES_IN_MB;
    this.burst = options.burstBytes ?? 2 * BYTES_IN_MB;
    this.limit = this.rate === Infinity ? Infinity : this.rate / Math.max(1, options.distributors ?? 1);
  }

  allowN(tenant: string, n: number): boolean {
    if (this.limit === Infinity) {
      return true;
    }
    const now = this.clock();
    const bucket = this.buckets.get(tenant) ?? { tokens: this.burst, lastMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.lastMs) / 1000) * this.limit);
    bucket.lastMs = now;
    this.buckets.set(tenant, bucket);
    if (n > this.burst || n > bucket.tokens) {
      return false;
    }
    bucket.tokens -= n;
    return true;
  }

  reset(): void {
    this.buckets.clear();
  }
}

/** go-humanize `IBytes`, as the 429 message prints sizes: `4.0 MiB`, `612 KiB`, `500 B`. */
export function humanizeIBytes(bytes: number): string {
  return humanize(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB']);
}

/** go-humanize `Bytes` (SI): `4.2 MB`. */
export function humanizeBytes(bytes: number): string {
  return humanize(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB']);
}

function humanize(bytes: number, base: number, sizes: string[]): string {
  if (bytes < 10) {
    return `${bytes} B`;
  }
  const e = Math.floor(Math.log(bytes) / Math.log(base));
  const value = Math.floor((bytes / Math.pow(base, e)) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${sizes[e]}`;
}
