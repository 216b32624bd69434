import { errorText } from '../util/errorText';
import { SkippedThread, ThreadRef } from '../threads/threadRef';
import { assertUniqueProfiles } from '../plan/invariant';
import { BatchLimits, batchProfiles, DEFAULT_BATCH_LIMITS, EncodedProfile } from './encodeUpload';
import { PushCancelledError, PyroscopeClient, PyroscopeHttpError, TransportError } from './pyroscopeClient';

export interface RetryPolicy {
  /** Further attempts after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

export interface PushProgress {
  profilesSent: number;
  profilesTotal: number;
  bytesSent: number;
  bytesTotal: number;
  /** Set while waiting before a retry. */
  retry?: { attempt: number; delayMs: number; reason: string };
}

export interface PushOptions {
  batchLimits?: BatchLimits;
  retry?: RetryPolicy;
  /** Stay under Pyroscope's default 4 MB/s ingestion rate by pacing requests (uncompressed bytes per second). */
  maxBytesPerSecond?: number;
  onProgress?: (progress: PushProgress) => void;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export type ThreadPushStatus = 'pushed' | 'failed' | 'skipped';

export interface ThreadPushResult extends ThreadRef {
  labelValue?: string;
  status: ThreadPushStatus;
  profilesPushed: number;
  profilesTotal: number;
  reason?: string;
}

export interface PushReport {
  threads: ThreadPushResult[];
  /** Every planned profile was accepted. */
  complete: boolean;
  cancelled: boolean;
  /** The error that stopped the push, verbatim. */
  error?: string;
  requests: number;
  retries: number;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new PushCancelledError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new PushCancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeFailure(error: unknown): string {
  if (error instanceof PyroscopeHttpError) {
    return error.message;
  }
  if (error instanceof TransportError) {
    return `no response: ${error.message}`;
  }
  return errorText(error);
}

/**
 * Pushes encoded profiles in batches, one request at a time. 429, 5xx and lost connections are retried with
 * exponential backoff (honouring Retry-After); any other error stops the push, since Pyroscope rejects a request
 * whole and the next ones would most likely fail the same way. Re-pushing is safe: same labels and times.
 */
export async function pushUpload(
  client: PyroscopeClient,
  profiles: EncodedProfile[],
  skipped: SkippedThread[],
  options: PushOptions = {}
): Promise<PushReport> {
  assertUniqueProfiles(profiles.map((p) => p.planned));
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxBytesPerSecond = options.maxBytesPerSecond ?? 3_000_000;
  const batches = batchProfiles(profiles, options.batchLimits ?? DEFAULT_BATCH_LIMITS);

  const results = new Map<string, ThreadPushResult>();
  for (const profile of profiles) {
    const { threadKey, thread, threadLabelValue } = profile.planned;
    const existing = results.get(threadKey);
    if (existing) {
      existing.profilesTotal++;
    } else {
      results.set(threadKey, {
        threadKey,
        fileName: thread.fileName,
        threadIndex: thread.index,
        threadName: thread.name,
        labelValue: threadLabelValue,
        status: 'pushed',
        profilesPushed: 0,
        profilesTotal: 1,
      });
    }
  }

  const progress: PushProgress = {
    profilesSent: 0,
    profilesTotal: profiles.length,
    bytesSent: 0,
    bytesTotal: batches.reduce((sum, b) => sum + b.body.length, 0),
  };
  options.onProgress?.({ ...progress });
  let requests = 0;
  let retries = 0;
  let stopError: string | undefined;
  let cancelled = false;
  const started = now();
  let costSent = 0;

  try {
    for (const batch of batches) {
      // Pace: do not send faster than maxBytesPerSecond on average since the start.
      const earliest = started + (costSent / maxBytesPerSecond) * 1000;
      if (now() < earliest) {
        await sleep(earliest - now(), options.signal);
      }
      for (let attempt = 0; ; attempt++) {
        try {
          requests++;
          await client.push(batch.body, options.signal);
          break;
        } catch (e) {
          const retryable = e instanceof TransportError || (e instanceof PyroscopeHttpError && e.retryable);
          if (!retryable || attempt >= retry.maxRetries) {
            throw e;
          }
          retries++;
          const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
          const retryAfterMs = e instanceof PyroscopeHttpError && e.retryAfterSeconds ? e.retryAfterSeconds * 1000 : 0;
          const delayMs = Math.min(retry.maxDelayMs, Math.max(backoff, retryAfterMs));
          options.onProgress?.({ ...progress, retry: { attempt: attempt + 1, delayMs, reason: describeFailure(e) } });
          await sleep(delayMs, options.signal);
        }
      }
      costSent += batch.costBytes;
      for (const profile of batch.profiles) {
        results.get(profile.planned.threadKey)!.profilesPushed++;
      }
      progress.profilesSent += batch.profiles.length;
      progress.bytesSent += batch.body.length;
      options.onProgress?.({ ...progress });
    }
  } catch (e) {
    if (e instanceof PushCancelledError) {
      cancelled = true;
    } else {
      stopError = describeFailure(e);
    }
  }

  for (const result of results.values()) {
    if (result.profilesPushed === result.profilesTotal) {
      continue;
    }
    result.status = 'failed';
    const done = `${result.profilesPushed} of ${result.profilesTotal} profiles were pushed`;
    result.reason = cancelled ? `cancelled; ${done}` : `${stopError}; ${done}`;
  }
  const threads: ThreadPushResult[] = [
    ...results.values(),
    ...skipped.map((s) => ({ ...s, status: 'skipped' as const, profilesPushed: 0, profilesTotal: 0 })),
  ];
  return {
    threads,
    complete: progress.profilesSent === profiles.length,
    cancelled,
    error: stopError,
    requests,
    retries,
  };
}
