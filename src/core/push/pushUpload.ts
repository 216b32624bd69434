import { DuplicateProfileError, UniqueProfiles } from '../plan/invariant';
import { SkippedThread, ThreadRef } from '../threads/threadRef';
import { errorText } from '../util/errorText';
import { IngestionLimits, MIB, PushBatch, PYROSCOPE_DEFAULT_INGESTION, splitBatch, subsetBatch } from './batches';
import { ProfileRef } from './encodeUpload';
import {
  cut,
  PushCancelledError,
  PyroscopeClient,
  PyroscopeHttpError,
  SERVER_MESSAGE_CHARS,
  TransportError,
} from './pyroscopeClient';

export interface RetryPolicy {
  /** Further attempts after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 15_000 };
/** A Retry-After is honoured up to this long; the overall bound still applies. */
const MAX_RETRY_AFTER_MS = 120_000;
/** Pyroscope rejects profiles older than 1 h by default: a push that takes longer cannot end well anyway. */
export const DEFAULT_OVERALL_TIMEOUT_MS = 60 * 60_000;
/** After this many batches in a row whose every profile was rejected, the rest would most likely fail the same way. */
const DEFAULT_STOP_AFTER_REJECTED_BATCHES = 3;
/**
 * Two requests under way hide one's round trip behind the other's wait for the rate limiter; more would only add
 * profiles to retry after a failure, since the requests under way together stay within the burst anyway.
 */
export const DEFAULT_REQUESTS_IN_FLIGHT = 2;

/** A thread whose profiles are being pushed; `profilesTotal` is how many of its profiles the batches will carry. */
export interface PushThread extends ThreadRef {
  labelValue?: string;
  profilesTotal: number;
}

/** What the push reports on, for each planned thread: its identity, label value and number of profiles. */
export function pushThreadsOf(threads: Array<ThreadRef & { labelValue: string; profileCount: number }>): PushThread[] {
  return threads.map(({ threadKey, fileName, threadIndex, threadName, labelValue, profileCount }) => ({
    threadKey,
    fileName,
    threadIndex,
    threadName,
    labelValue,
    profilesTotal: profileCount,
  }));
}

export interface PushProgress {
  /** Profiles with an outcome so far: stored, rejected or uncertain. */
  profilesSent: number;
  /** Profiles Pyroscope confirmed. */
  profilesStored: number;
  profilesTotal: number;
  /**
   * Rate-limit cost (label bytes + uncompressed pprof bytes, `ProfileRef.costBytes`) of the profiles with an
   * outcome: the unit of Pyroscope's ingestion limit, so bytes over the rate give the time left.
   */
  bytesSent: number;
  /** What the caller announced in `PushOptions.bytesTotal` (the plan's uncompressed volume); 0 when unknown. */
  bytesTotal: number;
  /** Set while waiting before a retry. */
  retry?: { attempt: number; delayMs: number; reason: string };
}

export interface PushOptions {
  retry?: RetryPolicy;
  /** Pyroscope's ingestion limits that pacing follows (default: Pyroscope's defaults, one distributor). */
  ingestion?: IngestionLimits;
  /** Bound for the whole push (default 1 h); when reached, the push stops and says so. */
  overallTimeoutMs?: number;
  /** Requests under way at once (default 2); their costs together stay within the burst. */
  requestsInFlight?: number;
  /**
   * The total cost the batches will carry (e.g. the plan's uncompressed volume), shown in progress; the batches
   * arrive one by one, so the push cannot know it ahead.
   */
  bytesTotal?: number;
  onProgress?: (progress: PushProgress) => void;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * - `pushed`: every profile of the thread was confirmed stored.
 * - `uncertain`: the rest may or may not be stored (a request failed after Pyroscope may have stored some of its
 *   profiles); a read-back tells. Pushing them again is safe: same labels, times and ids.
 * - `failed`: some profiles were rejected, or were never sent.
 */
export type ThreadPushStatus = 'pushed' | 'uncertain' | 'failed' | 'skipped';

export interface ThreadPushResult extends ThreadRef {
  labelValue?: string;
  status: ThreadPushStatus;
  /** Confirmed stored. */
  profilesPushed: number;
  profilesRejected: number;
  profilesUncertain: number;
  profilesTotal: number;
  reason?: string;
}

export interface PushReport {
  threads: ThreadPushResult[];
  /** Every profile was confirmed stored. */
  complete: boolean;
  cancelled: boolean;
  /** The overall bound was reached. */
  timedOut: boolean;
  /** What stopped the push before its end, when something did. */
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

export function describeFailure(error: unknown): string {
  if (error instanceof TransportError) {
    return `no response: ${error.message}`;
  }
  return errorText(error);
}

/** Something that ends the whole push: the profiles not yet settled are reported as not stored, with this reason. */
class StopPush extends Error {
  constructor(
    message: string,
    readonly timedOut = false
  ) {
    super(message);
  }
}

/**
 * Pyroscope's `PushBatch` pushes every profile of a request on its own and collects the failures as
 * `push series with index <i> and id <id> failed: <error>`, joined by dskit's multierror (`N errors: a; b`). The
 * answer carries that whole list only when none of the failures is a Connect error (connect-go then answers with
 * `err.Error()`); otherwise it carries the first Connect error's message alone. So: a list whose length matches
 * its `N errors` count names exactly the failed profiles, and the others were stored; anything else names none.
 */
export function namedFailures(message: string, profiles: ProfileRef[]): Map<string, string> | undefined {
  const prefix = /^(\d+) errors: /.exec(message);
  const count = prefix ? Number(prefix[1]) : 1;
  const matches = [...message.matchAll(/push series with index \d+ and id (\S+) failed: /g)];
  if (matches.length === 0 || matches.length !== count || matches[0].index !== (prefix?.[0].length ?? 0)) {
    return undefined;
  }
  const ids = new Set(profiles.map((p) => p.id));
  const failures = new Map<string, string>();
  for (let i = 0; i < matches.length; i++) {
    const id = matches[i][1];
    if (!ids.has(id)) {
      return undefined;
    }
    const end = i + 1 < matches.length ? matches[i + 1].index! - '; '.length : message.length;
    failures.set(id, message.slice(matches[i].index! + matches[i][0].length, end));
  }
  return failures;
}

function isRetryable(error: unknown): boolean {
  return error instanceof TransportError || (error instanceof PyroscopeHttpError && error.retryable);
}

/** Pyroscope looked at the profiles and refused them (validation); anything else it refuses is the whole request. */
function isProfileRejection(error: unknown): error is PyroscopeHttpError {
  return error instanceof PyroscopeHttpError && error.kind === 'connect' && error.code === 'invalid_argument';
}

/**
 * A client-side model of Pyroscope's token bucket, so requests leave when the server will have room for them.
 *
 * A request under way holds its cost aside (`reserve`) until its answer, when the bucket is charged (`take`). The
 * server charged it at some moment in between; whichever it was, the server's bucket holds at least the model's
 * tokens minus what is held aside (charging earlier only leaves more room later, as the bucket is capped at the
 * burst), so a request that fits in what is left gets through even with another one under way.
 */
class Pacer {
  private readonly rate: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private reserved = 0;

  constructor(
    limits: IngestionLimits,
    private readonly now: () => number
  ) {
    this.rate = limits.rateBytesPerSecond / Math.max(1, limits.distributors);
    this.burst = limits.burstBytes;
    this.tokens = this.burst;
    this.last = now();
  }

  /**
   * How long to wait before a request of this cost; a cost over the burst waits for a full bucket. Callers keep the
   * costs under way plus this one within the burst, so waiting is enough for it to fit.
   */
  waitMs(cost: number): number {
    this.refill();
    const need = Math.min(cost, this.burst);
    const free = this.tokens - this.reserved;
    // Whole milliseconds, rounded up: the server's bucket must not come up a rounding error short.
    return free >= need ? 0 : Math.ceil(((need - free) / this.rate) * 1000);
  }

  /** The request leaves now: its cost is held aside until its answer. */
  reserve(cost: number): void {
    this.reserved += cost;
  }

  /**
   * Called when the answer has come: the server charged each profile at some moment while it handled the request.
   * Charging at the latest possible moment is the cautious model: a bucket that was full meanwhile (the server's
   * is capped at the burst) may have refilled no further than this.
   */
  take(cost: number): void {
    this.refill();
    this.reserved = Math.max(0, this.reserved - cost);
    this.tokens = Math.max(0, this.tokens - cost);
  }

  /** A 429 says the server's bucket is empty, whatever this model thought. */
  drain(): void {
    this.refill();
    this.tokens = 0;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}

interface ThreadTally {
  thread: PushThread;
  stored: number;
  rejected: number;
  uncertain: number;
  rejectReasons: string[];
  uncertainReason?: string;
}

const mib = (bytes: number) => `${(bytes / MIB).toFixed(2)} MiB`;

/**
 * Pushes batches as they arrive, two requests at a time by default, paced by Pyroscope's per-profile rate rule
 * (see Pacer), and reports per
 * thread what is known of every profile: stored (a Connect JSON 2xx), rejected (with Pyroscope's reason), uncertain
 * (a failed request may have stored part of its profiles), or not stored (the push stopped first, with why).
 *
 * - 429, 5xx, lost connections and request deadlines are retried with exponential backoff, honouring Retry-After,
 *   re-sending only the profiles that may not have landed (the same bytes: same labels, times and ids); after a
 *   429, a request of several profiles is re-sent in halves.
 * - A 400 `invalid_argument` for several profiles is ambiguous (Pyroscope stores the valid ones): each profile is
 *   then sent alone, which gives it a definite answer.
 * - Redirects, answers that are not Pyroscope's (HTML, a proxy's text) and other 4xx stop the push.
 */
export async function pushUpload(
  client: PyroscopeClient,
  batches: AsyncIterable<PushBatch> | Iterable<PushBatch>,
  threads: PushThread[],
  skipped: SkippedThread[],
  options: PushOptions = {}
): Promise<PushReport> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const signal = options.signal;
  const pacer = new Pacer(options.ingestion ?? PYROSCOPE_DEFAULT_INGESTION, now);
  const deadline = now() + (options.overallTimeoutMs ?? DEFAULT_OVERALL_TIMEOUT_MS);
  const tallies = new Map<string, ThreadTally>(
    threads.map((thread) => [thread.threadKey, { thread, stored: 0, rejected: 0, uncertain: 0, rejectReasons: [] }])
  );
  const progress: PushProgress = {
    profilesSent: 0,
    profilesStored: 0,
    profilesTotal: threads.reduce((sum, t) => sum + t.profilesTotal, 0),
    bytesSent: 0,
    bytesTotal: options.bytesTotal ?? 0,
  };
  let requests = 0;
  let retries = 0;

  const tallyOf = (profile: ProfileRef): ThreadTally => {
    const tally = tallies.get(profile.threadKey);
    if (!tally) {
      throw new Error(
        `a batch carries a profile of thread ${profile.threadKey}, which is not among the pushed threads`
      );
    }
    return tally;
  };
  const settledIds = new Set<string>();
  const rejectedIds = new Set<string>();
  const settle = (profiles: ProfileRef[], outcome: 'stored' | 'rejected' | 'uncertain', reason = '') => {
    for (const profile of profiles) {
      settledIds.add(profile.id);
      if (outcome === 'rejected') {
        rejectedIds.add(profile.id);
      }
      const tally = tallyOf(profile);
      tally[outcome]++;
      if (outcome === 'rejected' && !tally.rejectReasons.includes(reason)) {
        tally.rejectReasons.push(reason);
      }
      if (outcome === 'uncertain') {
        tally.uncertainReason = reason;
      }
    }
    progress.profilesSent += profiles.length;
    progress.bytesSent += profiles.reduce((sum, p) => sum + p.costBytes, 0);
    if (outcome === 'stored') {
      progress.profilesStored += profiles.length;
    }
    options.onProgress?.({ ...progress });
  };

  /** What ended the push while other requests were under way: they stop before their next attempt. */
  let stopping: unknown;

  /** Waits, unless the wait would pass the overall bound. */
  const waitFor = async (ms: number) => {
    if (ms <= 0) {
      return;
    }
    if (now() + ms > deadline) {
      throw new StopPush(`the push's overall time limit was reached`, true);
    }
    await sleep(ms, signal);
  };

  /** Sends `batch` until each of its profiles has an outcome. */
  const settleBatch = async (batch: PushBatch): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      try {
        for (let ms = pacer.waitMs(pending.costBytes); ms > 0; ms = pacer.waitMs(pending.costBytes)) {
          await waitFor(ms);
        }
        if (signal?.aborted) {
          throw new PushCancelledError();
        }
        if (stopping !== undefined) {
          throw stopping;
        }
        pacer.reserve(pending.costBytes);
      } catch (e) {
        // After a failed attempt, what is pending may have landed; before the first one, it was never sent.
        if (attempt > 0) {
          settle(pending.profiles, 'uncertain', 'a request for them failed and the push stopped before the retry');
        }
        throw e;
      }
      let error: unknown;
      try {
        requests++;
        try {
          await client.push(pending.body, signal);
        } finally {
          pacer.take(pending.costBytes);
        }
        settle(pending.profiles, 'stored');
        return;
      } catch (e) {
        if (e instanceof PushCancelledError) {
          settle(pending.profiles, 'uncertain', 'cancelled while the request was under way');
          throw e;
        }
        error = e;
      }
      const reason = describeFailure(error);
      const named =
        error instanceof PyroscopeHttpError && pending.profiles.length > 1
          ? namedFailures(error.serverMessage, pending.profiles)
          : undefined;
      if (named) {
        settle(
          pending.profiles.filter((p) => !named.has(p.id)),
          'stored'
        );
        pending = subsetBatch(pending, new Set(named.keys()));
        if (!isRetryable(error)) {
          for (const profile of pending.profiles) {
            const why = cut(named.get(profile.id) ?? '', SERVER_MESSAGE_CHARS);
            settle([profile], 'rejected', `HTTP ${(error as PyroscopeHttpError).status}: ${why}`);
          }
          return;
        }
      } else if (isProfileRejection(error)) {
        if (pending.profiles.length === 1) {
          settle(pending.profiles, 'rejected', reason);
          return;
        }
        // Some of these may be stored: only a request per profile tells which were refused, and why.
        await settleParts(
          pending,
          pending.profiles.map((p) => [p]),
          reason
        );
        return;
      } else if (!isRetryable(error)) {
        // A redirect, an answer that is not Pyroscope's, or a refusal of the whole request (401, 403, 404, 413):
        // nothing of it was stored.
        if (attempt > 0) {
          settle(pending.profiles, 'uncertain', `an earlier attempt failed, then: ${reason}`);
        }
        throw new StopPush(reason);
      }
      const rateLimited = error instanceof PyroscopeHttpError && error.status === 429;
      if (rateLimited) {
        pacer.drain();
        if (pending.profiles.length === 1 && pending.costBytes > pacer.burst) {
          settle(
            pending.profiles,
            'rejected',
            `its rate-limit cost of ${mib(pending.costBytes)} is over Pyroscope's ingestion burst of ${mib(pacer.burst)}, so it can never be accepted; push it in narrower slices (${reason})`
          );
          return;
        }
      }
      if (attempt >= retry.maxRetries) {
        settle(pending.profiles, 'uncertain', `${reason} (after ${attempt} retries)`);
        throw new StopPush(reason);
      }
      retries++;
      const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
      const retryAfterMs =
        error instanceof PyroscopeHttpError && error.retryAfterSeconds
          ? Math.min(MAX_RETRY_AFTER_MS, error.retryAfterSeconds * 1000)
          : 0;
      const delayMs = Math.max(backoff, retryAfterMs);
      options.onProgress?.({ ...progress, retry: { attempt: attempt + 1, delayMs, reason } });
      try {
        await waitFor(delayMs);
      } catch (e) {
        settle(pending.profiles, 'uncertain', reason);
        throw e;
      }
      if (rateLimited && pending.profiles.length > 1) {
        // Pyroscope stored the first profiles its bucket had room for. Halves need half the room, so they get through
        // even when the server's bucket refills slower than this model thinks (more distributors than configured).
        const half = Math.ceil(pending.profiles.length / 2);
        await settleParts(pending, [pending.profiles.slice(0, half), pending.profiles.slice(half)], reason);
        return;
      }
    }
  };

  /** Settles the profiles of `batch` part by part; if the push stops meanwhile, the rest stay uncertain. */
  const settleParts = async (batch: PushBatch, parts: ProfileRef[][], reason: string): Promise<void> => {
    try {
      // One parse of the body for all parts (a batch split into single profiles stays linear).
      for (const part of splitBatch(
        batch,
        parts.map((p) => new Set(p.map((profile) => profile.id)))
      )) {
        await settleBatch(part);
      }
    } catch (e) {
      // All of them were in a request that failed and may have stored them.
      settle(
        batch.profiles.filter((p) => !settledIds.has(p.id)),
        'uncertain',
        reason
      );
      throw e;
    }
  };

  let stopReason: string | undefined;
  let cancelled = false;
  let timedOut = false;
  options.onProgress?.({ ...progress });
  const maxInFlight = Math.max(1, options.requestsInFlight ?? DEFAULT_REQUESTS_IN_FLIGHT);
  const underWay = new Map<Promise<void>, number>();
  const costUnderWay = () => [...underWay.values()].reduce((sum, cost) => sum + cost, 0);
  let rejectedInARow = 0;
  const settleInOrder = async (batch: PushBatch) => {
    await settleBatch(batch);
    const rejected = batch.profiles.filter((p) => rejectedIds.has(p.id)).length;
    rejectedInARow = rejected === batch.profiles.length ? rejectedInARow + 1 : 0;
    if (rejectedInARow >= DEFAULT_STOP_AFTER_REJECTED_BATCHES) {
      throw new StopPush(`stopped after ${rejectedInARow} requests in a row whose every profile was rejected`);
    }
  };
  const launch = (batch: PushBatch) => {
    const settled: Promise<void> = settleInOrder(batch)
      .catch((e: unknown) => {
        stopping ??= e;
      })
      .finally(() => underWay.delete(settled));
    underWay.set(settled, batch.costBytes);
  };
  try {
    const unique = new UniqueProfiles();
    for await (const batch of batches) {
      if (signal?.aborted) {
        throw new PushCancelledError();
      }
      for (const profile of batch.profiles) {
        try {
          unique.add(profile);
        } catch (e) {
          throw e instanceof DuplicateProfileError ? new StopPush(e.message) : e;
        }
      }
      // Another request leaves only when the bucket can hold it beside those under way (see Pacer).
      while (
        stopping === undefined &&
        underWay.size > 0 &&
        (underWay.size >= maxInFlight || costUnderWay() + batch.costBytes > pacer.burst)
      ) {
        await Promise.race(underWay.keys());
      }
      if (stopping !== undefined) {
        break;
      }
      launch(batch);
    }
  } catch (e) {
    stopping ??= e;
  }
  while (underWay.size > 0) {
    await Promise.all(underWay.keys());
  }
  if (stopping !== undefined) {
    const e = stopping;
    if (e instanceof PushCancelledError || signal?.aborted) {
      cancelled = true;
    } else if (e instanceof StopPush) {
      stopReason = e.message;
      timedOut = e.timedOut;
    } else {
      stopReason = errorText(e);
    }
  }

  const results: ThreadPushResult[] = [...tallies.values()].map((tally) => threadResult(tally, cancelled, stopReason));
  return {
    threads: [
      ...results,
      ...skipped.map((s) => ({
        ...s,
        status: 'skipped' as const,
        profilesPushed: 0,
        profilesRejected: 0,
        profilesUncertain: 0,
        profilesTotal: 0,
      })),
    ],
    complete: !cancelled && stopReason === undefined && results.every((r) => r.status === 'pushed'),
    cancelled,
    timedOut,
    error: stopReason,
    requests,
    retries,
  };
}

function threadResult(tally: ThreadTally, cancelled: boolean, stopReason: string | undefined): ThreadPushResult {
  const { thread, stored, rejected, uncertain } = tally;
  const total = thread.profilesTotal;
  const notSent = Math.max(0, total - stored - rejected - uncertain);
  const status: ThreadPushStatus =
    stored === total ? 'pushed' : rejected === 0 && notSent === 0 ? 'uncertain' : 'failed';
  const parts: string[] = [];
  if (status !== 'pushed') {
    parts.push(`${stored} of ${total} profiles stored`);
  }
  if (rejected > 0) {
    const others = tally.rejectReasons.length > 1 ? ` (and ${tally.rejectReasons.length - 1} other reasons)` : '';
    parts.push(`${rejected} rejected: ${tally.rejectReasons[0]}${others}`);
  }
  if (uncertain > 0) {
    parts.push(`${uncertain} uncertain, maybe stored (a read-back tells): ${tally.uncertainReason}`);
  }
  if (notSent > 0) {
    parts.push(`${notSent} not stored: ${cancelled ? 'cancelled' : (stopReason ?? 'the batches ended early')}`);
  }
  return {
    threadKey: thread.threadKey,
    fileName: thread.fileName,
    threadIndex: thread.threadIndex,
    threadName: thread.threadName,
    labelValue: thread.labelValue,
    status,
    profilesPushed: stored,
    profilesRejected: rejected,
    profilesUncertain: uncertain,
    profilesTotal: total,
    reason: parts.length > 0 ? parts.join('; ') : undefined,
  };
}
