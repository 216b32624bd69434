/**
 * Read-back: asks Pyroscope's querier (through the same client, so the same datasource proxy) what it holds for each
 * pushed series, and compares it with what the plan pushed. Also the check before a push for data already there.
 *
 * One `SelectSeries` request per thread, selecting the thread's exact labels and its profile type
 * (`api/querier/v1/querier.proto`). Its points are sums per step, so:
 * - the thread's total is the sum of all points (exact below 2^53, about 104 days in nanoseconds);
 * - its profile count is the number of points when no step can hold two profiles: steps no wider than the smallest
 *   gap between the thread's profile times (1 ms when the times are not known; the server keeps milliseconds).
 * Windows are laid out so that the points hold exactly the thread's range (see `windowOver`).
 *   Counting needs one point per profile, so it is done only for threads of at most MAX_COUNTED_PROFILES profiles;
 *   larger threads get one step over the whole range and their count is not checked (`foundProfiles` undefined).
 * Series with more labels than the pushed ones (other data under the same labels) are part of the selection: that
 * is what a user of Grafana sees too, and it shows as "more than expected".
 */
import { LabelPair, labelSelector } from '../plan/labels';
import { PlannedThread } from '../plan/planUpload';
import { BaseUnit } from '../threads/units';
import { errorText } from '../util/errorText';
import { defaultSleep } from './pushUpload';
import { PushCancelledError, PyroscopeClient, PyroscopeHttpError } from './pyroscopeClient';

/** At about 50 bytes a point, this many points stay well inside the client's 64 KiB answer. */
export const MAX_COUNTED_PROFILES = 1000;
/** Steps of the check before a push: where existing data ends, to this fraction of the range. */
export const EXISTING_STEPS = 100;

/** What one pushed series should hold. */
export interface ThreadExpectation {
  threadKey: string;
  /** The labels it was pushed with (`PlannedThread.labels`); names starting with `__` are left out of the selector. */
  labels: LabelPair[];
  profileTypeId: string;
  /** The range its profiles lie in, ms since epoch, both ends included. */
  fromMs: number;
  toMs: number;
  profileCount: number;
  /** Exact sum of the values pushed, in `unit`. */
  total: number;
  unit: BaseUnit;
  /** The times (ms) its profiles were pushed at, when known: steps can then be wider than 1 ms. */
  profileTimesMs?: number[];
  /**
   * The total `findExisting` found under these labels in the range before the push (`withExisting`). Then both
   * `total` (the earlier copy of an identical re-push counted once, as v1 does at query time) and `total +
   * existingTotal` (other data, or duplicates v2 shows until compaction) are an exact arrival; profiles are not
   * counted.
   */
  existingTotal?: number;
  /** The last ms `findExisting` looked at: with `existingTotal`, the read-back covers the same [fromMs, this]. */
  existingUntilMs?: number;
}

/** The plan summary the page holds (`UploadPlan` without `profiles`), or the part of it verification needs. */
export interface PlanSummaryForVerify {
  fromMs: number;
  toMs: number;
  threads: Array<Pick<PlannedThread, 'threadKey' | 'labels' | 'profileTypeId' | 'profileCount' | 'total' | 'unit'>>;
}

/** Notes a pushed profile's time (ms, floored as Pyroscope keeps it) under its thread, for `profileTimesMs`. */
export function noteProfileTime(times: Map<string, number[]>, threadKey: string, timeNanos: bigint): void {
  const ms = Number(timeNanos / 1_000_000n);
  const noted = times.get(threadKey);
  if (noted) {
    noted.push(ms);
  } else {
    times.set(threadKey, [ms]);
  }
}

/**
 * One expectation per planned series. `profileTimesMs` (by thread key) comes from the pushed `ProfileRef`s
 * (`timeNanos`) or plan.json; `only` keeps the threads that were pushed.
 */
export function expectationsFromPlan(
  plan: PlanSummaryForVerify,
  options: { profileTimesMs?: Map<string, number[]>; only?: Set<string> } = {}
): ThreadExpectation[] {
  return plan.threads
    .filter((t) => options.only === undefined || options.only.has(t.threadKey))
    .map((t) => {
      const times = options.profileTimesMs?.get(t.threadKey);
      const expectation: ThreadExpectation = {
        threadKey: t.threadKey,
        labels: t.labels,
        profileTypeId: t.profileTypeId,
        fromMs: plan.fromMs,
        toMs: latest(plan.toMs, times),
        profileCount: t.profileCount,
        total: t.total,
        unit: t.unit,
      };
      if (times) {
        expectation.profileTimesMs = times;
      }
      return expectation;
    });
}

/**
 * - `exact`: the total and (when counted) the number of profiles are the pushed ones.
 * - `missing`: less arrived (`missingProfiles`, `missingTotal`).
 * - `more`: more than was pushed: other data with the same labels in the range (an earlier overlapping push).
 * - `not-queryable`: nothing of it is visible (yet); after the last attempt it may still be on its way, or lost.
 */
export type ArrivalStatus = 'exact' | 'missing' | 'more' | 'not-queryable';

export interface ThreadArrival {
  threadKey: string;
  status: ArrivalStatus;
  expectedProfiles: number;
  /** Profiles found; undefined when the thread has more than MAX_COUNTED_PROFILES (not counted). */
  foundProfiles?: number;
  expectedTotal: number;
  foundTotal: number;
  /** Expected minus found, never below 0 (0 when not counted). */
  missingProfiles: number;
  missingTotal: number;
  unit: BaseUnit;
  /** Queries made for this thread. */
  attempts: number;
  /** The last query error, when the last attempt failed (the status is then `not-queryable`). */
  error?: string;
  /** What was there before the push (`ThreadExpectation.existingTotal`). */
  existingTotal?: number;
}

export interface VerifyReport {
  threads: ThreadArrival[];
  /** Every thread arrived exactly. */
  complete: boolean;
  /** Rounds of queries made (the first one included). */
  rounds: number;
}

export interface RetryInfo {
  /** The round about to start (2 for the first retry). */
  round: number;
  delayMs: number;
  /** Threads still not exact. */
  pending: number;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  /** Rounds of queries at most, the first included (default 6). */
  maxRounds?: number;
  /** Wait before the second round, doubled each round up to `maxDelayMs` (defaults 500 and 8000 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Also query again threads that are partly there (v2 makes segments visible one by one). Default true. */
  retryMissing?: boolean;
  /** Injected in tests; resolves after `ms`, rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
  /** Queries in flight at once (default 4). */
  concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 4;

/** Runs `task` over `items` with at most `limit` at once; the first failure stops taking new items and is thrown. */
async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The labels a query selects on: `__name__` is in the profile type, `__delta__` is an instruction to the server. */
function selectorLabels(labels: LabelPair[]): LabelPair[] {
  return labels.filter((l) => !l.name.startsWith('__'));
}

/**
 * The querier turns `step` (seconds, a double) into ms as `time.Duration(step * 1e9).Milliseconds()`, which loses
 * a millisecond for some values (1001 ms becomes 1000): the largest step of at most `ms` that survives it exactly.
 */
export function exactStepMs(ms: number): number {
  for (let step = Math.max(1, Math.floor(ms)); step > 1; step--) {
    if (Math.trunc(Math.trunc((step / 1000) * 1e9) / 1e6) === step) {
      return step;
    }
  }
  return 1;
}

/** A SelectSeries window: `start`, `end` and `step` in ms. */
interface SeriesWindow {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/**
 * SelectSeries puts a profile in the first point at or after its time (points at start, start + step, … up to end;
 * `rangeSeries` in grafana/pyroscope `pkg/querier/querier.go`), reading from one step before start. So a point holds
 * (point - step, point], and with the first point at `fromMs + step - 1` the points hold exactly [fromMs, last point],
 * the last point being the first at or after `lastMs`.
 */
function windowOver(fromMs: number, lastMs: number, stepMs: number): SeriesWindow {
  const startMs = fromMs + stepMs - 1;
  const endMs = lastMs <= startMs ? startMs : startMs + Math.ceil((lastMs - startMs) / stepMs) * stepMs;
  return { startMs, endMs, stepMs };
}

/** Steps no wider than the smallest gap between the thread's profiles: each step then holds at most one profile. */
function countingWindow(e: ThreadExpectation): SeriesWindow {
  const times = e.profileTimesMs;
  if (!times || times.length === 0) {
    return windowOver(e.fromMs, e.toMs, 1);
  }
  const sorted = [...times].sort((a, b) => a - b);
  let gap = e.toMs - e.fromMs + 1;
  for (let i = 1; i < sorted.length; i++) {
    gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  }
  // Times are whole ms (the server floors nanoseconds), and floor(a) - floor(b) >= floor(a - b): a step of
  // floor(gap) ms never holds two profiles.
  return windowOver(e.fromMs, sorted[sorted.length - 1], exactStepMs(Math.max(1, gap)));
}

/** The later of `end` and every time, without spreading a thread's (possibly long) list of times into arguments. */
function latest(end: number, timesMs: number[] | undefined): number {
  let last = end;
  for (const ms of timesMs ?? []) {
    last = Math.max(last, ms);
  }
  return last;
}

/** One step (whole seconds, so exact) over the range: the total only. */
function totalWindow(e: ThreadExpectation): SeriesWindow {
  const last = latest(e.toMs, e.profileTimesMs);
  return windowOver(e.fromMs, last, Math.ceil((last - e.fromMs + 1) / 1000) * 1000);
}

/** One point holding exactly [fromMs, untilMs], what `findExisting` covered (its span is whole seconds: exact). */
function sameAsExisting(fromMs: number, untilMs: number): SeriesWindow {
  return windowOver(fromMs, untilMs, untilMs - fromMs + 1);
}

interface Found {
  total: number;
  profiles?: number;
}

async function readBack(client: PyroscopeClient, e: ThreadExpectation, signal?: AbortSignal): Promise<Found> {
  const counted = e.profileCount <= MAX_COUNTED_PROFILES && e.existingTotal === undefined;
  const window =
    e.existingUntilMs !== undefined
      ? sameAsExisting(e.fromMs, e.existingUntilMs)
      : counted
        ? countingWindow(e)
        : totalWindow(e);
  const series = await client.selectSeries(
    {
      profileTypeId: e.profileTypeId,
      labelSelector: labelSelector(selectorLabels(e.labels)),
      startMs: window.startMs,
      endMs: window.endMs,
      stepSeconds: window.stepMs / 1000,
    },
    signal
  );
  let total = 0;
  let profiles = 0;
  for (const s of series) {
    for (const p of s.points) {
      total += p.value;
      profiles += p.value !== 0 ? 1 : 0;
    }
  }
  return counted ? { total, profiles } : { total };
}

function arrivalOf(e: ThreadExpectation, read: Found, attempts: number): ThreadArrival {
  const existing = e.existingTotal ?? 0;
  // With data there before the push, the points count those profiles too: only totals can be compared.
  const found: Found = existing > 0 ? { total: read.total } : read;
  const nothing = found.total === 0 && !read.profiles;
  const exactTotal = found.total === e.total || (existing > 0 && found.total === e.total + existing);
  const more = found.total > e.total + existing || (found.profiles !== undefined && found.profiles > e.profileCount);
  const fewer = !exactTotal || (found.profiles !== undefined && found.profiles < e.profileCount);
  const status: ArrivalStatus = nothing ? 'not-queryable' : more ? 'more' : fewer ? 'missing' : 'exact';
  const arrival: ThreadArrival = {
    threadKey: e.threadKey,
    status,
    expectedProfiles: e.profileCount,
    expectedTotal: e.total,
    foundTotal: found.total,
    missingProfiles: found.profiles === undefined ? 0 : Math.max(0, e.profileCount - found.profiles),
    missingTotal: status === 'missing' ? Math.max(0, e.total + existing - found.total) : 0,
    unit: e.unit,
    attempts,
  };
  if (found.profiles !== undefined) {
    arrival.foundProfiles = found.profiles;
  }
  if (existing > 0) {
    arrival.existingTotal = existing;
  }
  return arrival;
}

/** The expectations with what `findExisting` found before the push, for series that had data. */
export function withExisting(expectations: ThreadExpectation[], existing: ExistingReport): ThreadExpectation[] {
  const totals = new Map(existing.threads.map((t) => [t.threadKey, t.foundTotal]));
  return expectations.map((e) =>
    (totals.get(e.threadKey) ?? 0) > 0
      ? { ...e, existingTotal: totals.get(e.threadKey), existingUntilMs: existing.coveredUntilMs }
      : e
  );
}

function retryable(e: unknown): boolean {
  return !(e instanceof PyroscopeHttpError) || e.retryable;
}

/**
 * Reads back every expected series and says whether it arrived exactly. Threads with nothing visible (and, unless
 * `retryMissing` is false, threads partly there) are queried again after a backoff, up to `maxRounds`. Answers that
 * are errors worth retrying (5xx, 429, no answer) count as "not queryable yet"; any other error (a 4xx, a redirect,
 * not Pyroscope) is thrown: nothing could be verified.
 */
export async function verifyUpload(
  client: PyroscopeClient,
  expectations: ThreadExpectation[],
  options: VerifyOptions = {}
): Promise<VerifyReport> {
  const maxRounds = Math.max(1, options.maxRounds ?? 6);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8000;
  const retryMissing = options.retryMissing ?? true;
  const sleep = options.sleep ?? defaultSleep;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const results = new Map<string, ThreadArrival>();
  let pending = expectations;
  let rounds = 0;
  while (pending.length > 0) {
    rounds++;
    await inParallel(pending, concurrency, async (e) => {
      if (options.signal?.aborted) {
        throw new PushCancelledError();
      }
      const attempts = (results.get(e.threadKey)?.attempts ?? 0) + 1;
      try {
        results.set(e.threadKey, arrivalOf(e, await readBack(client, e, options.signal), attempts));
      } catch (error) {
        if (error instanceof PushCancelledError || !retryable(error)) {
          throw error;
        }
        results.set(e.threadKey, { ...arrivalOf(e, { total: 0 }, attempts), error: errorText(error) });
      }
    });
    pending = pending.filter((e) => {
      const status = results.get(e.threadKey)!.status;
      return status === 'not-queryable' || (retryMissing && status === 'missing');
    });
    if (pending.length === 0 || rounds >= maxRounds) {
      break;
    }
    const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** (rounds - 1));
    options.onRetry?.({ round: rounds + 1, delayMs, pending: pending.length });
    await sleep(delayMs, options.signal);
  }
  const threads = expectations.map((e) => results.get(e.threadKey)!);
  return { threads, complete: threads.every((t) => t.status === 'exact'), rounds };
}

/** One line for a thread's arrival; `format` renders a value in its unit (the CLI's or the page's formatter). */
export function describeArrival(a: ThreadArrival, format: (value: number, unit: BaseUnit) => string): string {
  const profiles = (n: number) => `${n} profile${n === 1 ? '' : 's'}`;
  const counted = a.foundProfiles !== undefined ? '' : ' (profiles not counted: too many to list one by one)';
  switch (a.status) {
    case 'exact':
      if (a.existingTotal !== undefined) {
        const before = format(a.existingTotal, a.unit);
        return (
          `arrived exactly: total ${format(a.expectedTotal, a.unit)} ` +
          (a.foundTotal === a.expectedTotal
            ? `(the ${before} there before is the same data, counted once)`
            : `on top of the ${before} there before`)
        );
      }
      return `arrived exactly: ${profiles(a.expectedProfiles)}, total ${format(a.expectedTotal, a.unit)}${counted}`;
    case 'missing':
      return (
        (a.foundProfiles !== undefined
          ? `missing ${a.missingProfiles}: ${a.missingProfiles} of ${profiles(a.expectedProfiles)} not found; `
          : 'missing: ') +
        `total ${format(a.foundTotal, a.unit)} of ${format(a.expectedTotal + (a.existingTotal ?? 0), a.unit)}` +
        (a.existingTotal ? ` (${format(a.existingTotal, a.unit)} of it there before the push)` : '') +
        ` (${format(a.missingTotal, a.unit)} short)`
      );
    case 'more':
      return (
        `more than expected: total ${format(a.foundTotal, a.unit)} where ${format(a.expectedTotal, a.unit)} was pushed` +
        (a.existingTotal ? ` and ${format(a.existingTotal, a.unit)} was there before` : '') +
        (a.foundProfiles !== undefined ? `, ${profiles(a.foundProfiles)} where ${a.expectedProfiles}` : '') +
        ': other data with the same labels in the range (an earlier overlapping push?)'
      );
    default:
      return (
        `not queryable yet: nothing visible after ${a.attempts} ${a.attempts === 1 ? 'query' : 'queries'}` +
        (a.error ? ` (last error: ${a.error})` : '')
      );
  }
}

/** What a thread's series already holds in the upload's range, before a push. */
export interface ExistingSeries {
  threadKey: string;
  /**
   * - `none`: nothing there.
   * - `same`: exactly the planned total: most likely this very upload, pushed before. Pushing it again with the same
   *   (labels, times) stores nothing new: Pyroscope keeps one profile per label set and time (v1 at query time, v2
   *   once compaction has merged the blocks; until then v2 may show both copies).
   * - `overlap`: other data with these labels: the upload would add to it.
   */
  status: 'none' | 'same' | 'overlap';
  foundTotal: number;
  /** The data lies within [firstDataMs, lastDataMs] (ms), known to whole seconds or 1/EXISTING_STEPS of the range. */
  firstDataMs?: number;
  lastDataMs?: number;
}

export interface ExistingReport {
  threads: ExistingSeries[];
  /** Some series have other data in the range. */
  overlaps: boolean;
  /** Every thread with data is `same`, and at least one has data: a re-push. */
  rePush: boolean;
  /** Where the upload could start so that it lies after all existing data of its series (whole seconds). */
  placeAfterMs?: number;
  /** The range looked at was [plan.fromMs, coveredUntilMs] (a whole number of seconds long). */
  coveredUntilMs: number;
}

/**
 * Before a push: looks for data already stored under each planned series' labels in the plan's range (an earlier
 * push of the same files, or an overlapping one). Errors are thrown: the caller says the check could not be made.
 */
export async function findExisting(
  client: PyroscopeClient,
  plan: PlanSummaryForVerify,
  options: { signal?: AbortSignal; concurrency?: number } = {}
): Promise<ExistingReport> {
  const stepMs = Math.max(1, Math.ceil((plan.toMs - plan.fromMs) / 1000 / EXISTING_STEPS)) * 1000;
  const window = windowOver(plan.fromMs, plan.toMs, stepMs);
  const byKey = new Map<string, ExistingSeries>();
  await inParallel(plan.threads, options.concurrency ?? DEFAULT_CONCURRENCY, async (t) => {
    const series = await client.selectSeries(
      {
        profileTypeId: t.profileTypeId,
        labelSelector: labelSelector(selectorLabels(t.labels)),
        startMs: window.startMs,
        endMs: window.endMs,
        stepSeconds: stepMs / 1000,
      },
      options.signal
    );
    const points = series.flatMap((s) => s.points).filter((p) => p.value !== 0);
    const foundTotal = points.reduce((sum, p) => sum + p.value, 0);
    const existing: ExistingSeries = {
      threadKey: t.threadKey,
      status: points.length === 0 ? 'none' : foundTotal === t.total ? 'same' : 'overlap',
      foundTotal,
    };
    if (points.length > 0) {
      // A point holds (point - step, point].
      existing.firstDataMs = Math.min(...points.map((p) => p.timestampMs)) - stepMs + 1;
      existing.lastDataMs = Math.max(...points.map((p) => p.timestampMs));
    }
    byKey.set(t.threadKey, existing);
  });
  const threads = plan.threads.map((t) => byKey.get(t.threadKey)!);
  const withData = threads.filter((t) => t.status !== 'none');
  const report: ExistingReport = {
    threads,
    overlaps: withData.some((t) => t.status === 'overlap'),
    rePush: withData.length > 0 && withData.every((t) => t.status === 'same'),
    coveredUntilMs: window.endMs,
  };
  if (withData.length > 0) {
    report.placeAfterMs = Math.ceil((Math.max(...withData.map((t) => t.lastDataMs!)) + 1) / 1000) * 1000;
  }
  return report;
}
