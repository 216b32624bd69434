import { useCallback, useEffect, useRef, useState } from 'react';
import { PushCancelledError, PyroscopeClient } from '../../../core/push/pyroscopeClient';
import {
  PushProgress,
  PushReport,
  PushThread,
  pushThreadsOf,
  pushUpload,
  ThreadPushResult,
} from '../../../core/push/pushUpload';
import {
  ExistingReport,
  expectationsFromPlan,
  RetryInfo,
  verifyUpload,
  VerifyReport,
  noteProfileTime,
  withExisting,
} from '../../../core/push/verifyUpload';
import { errorText } from '../../../core/util/errorText';
import { grafanaTransport, PushTarget } from '../infrastructure/grafanaTransport';
import { PageBatch, PinnedPlanInput, PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { PlanInput } from '../pipeline/pipelineMessages';
import { PlanSummary } from './summaries';

export type PushPhase = 'idle' | 'pushing' | 'done';

/**
 * The push's latest progress, kept out of the page's state: only what subscribes to it (the push panel, with
 * `useSyncExternalStore`) re-renders, and at most once per `intervalMs`, however many answers arrive.
 */
export class ProgressFeed {
  private shown?: PushProgress;
  private latest?: PushProgress;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly intervalMs = 100) {}

  get = (): PushProgress | undefined => this.shown;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(progress: PushProgress | undefined): void {
    this.latest = progress;
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Shows the latest progress now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.shown !== this.latest) {
      this.shown = this.latest;
      this.listeners.forEach((listener) => listener());
    }
  }
}

export interface PushState {
  phase: PushPhase;
  /** Subscribe to it for the progress of a push under way (it changes without changing this state). */
  progress: ProgressFeed;
  report?: PushReport;
  /**
   * What was pushed (or tried): the plan shown then and the input that makes it again, pinned to the drops it was
   * made from, for retries and the zip (a file dropped again since makes them fail: "no longer loaded").
   */
  plan?: PlanSummary;
  input?: PinnedPlanInput;
  target?: PushTarget;
  error?: string;
  /** The zip of pprof files is being made. */
  archiving?: boolean;
  /** The read-back of the pushed threads, after a push that was not cancelled. */
  verification?: VerificationState;
}

export interface VerificationState {
  phase: 'verifying' | 'done';
  report?: VerifyReport;
  /** While waiting to ask again for threads not visible yet. */
  retry?: RetryInfo;
  /** Why nothing could be verified (an answer that was not Pyroscope's, or a 4xx). */
  error?: string;
}

/** Read-back rounds: the first and up to 5 retries, waiting 0.5, 1, 2, 4 and 8 s (about 15 s in all). */
const VERIFY_ROUNDS = 6;

export interface PushOptions {
  /** Injected in tests: the wait between read-back rounds. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Passes the batches on, noting each profile's time (ms, floored as the server does) by thread. */
async function* notingTimes(batches: AsyncIterable<PageBatch>, times: Map<string, number[]>): AsyncIterable<PageBatch> {
  for await (const batch of batches) {
    for (const profile of batch.profiles) {
      noteProfileTime(times, profile.threadKey, profile.timeNanos);
    }
    yield batch;
  }
}

/** Threads a retry sends again: those not confirmed stored. Re-sending is safe: same labels, times and ids. */
export const unsettled = (t: ThreadPushResult) => t.status === 'failed' || t.status === 'uncertain';

function mergeReports(previous: PushReport, retried: PushReport): PushReport {
  const byKey = new Map(retried.threads.filter((t) => t.status !== 'skipped').map((t) => [t.threadKey, t]));
  // A retry sends all of a thread's profiles again: its result replaces the thread's earlier one.
  const threads = previous.threads.map((t) => byKey.get(t.threadKey) ?? t);
  return {
    ...retried,
    threads,
    complete: !threads.some(unsettled),
    requests: previous.requests + retried.requests,
    retries: previous.retries + retried.retries,
  };
}

function pushThreads(plan: PlanSummary, only: Set<string> | undefined): PushThread[] {
  return pushThreadsOf(plan.threads.filter((t) => !only || only.has(t.threadKey)));
}

/**
 * Pushes a plan: the pipeline encodes and batches, the page hands each request body to Grafana. Progress, cancel
 * (the pipeline keeps its files) and "retry the failed threads" (only their batches are made again).
 */
export function usePush(pipeline: PipelineClient | undefined, options: PushOptions = {}) {
  const [state, setState] = useState<PushState>(() => ({ phase: 'idle', progress: new ProgressFeed() }));
  const progress = state.progress;
  const controller = useRef<AbortController>();
  /** Profile times (ms) by thread key, of every push of the current plan: a retry sends only some threads. */
  const profileTimes = useRef(new Map<string, number[]>());
  /** What the check before the push found under the plan's labels: the read-back counts it as already there. */
  const existingBefore = useRef<ExistingReport | undefined>(undefined);
  const { sleep } = options;
  // Leaving the page stops a push or a read-back in flight.
  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(
    async (
      plan: PlanSummary,
      input: PinnedPlanInput,
      target: PushTarget,
      only?: Set<string>,
      previous?: PushReport
    ) => {
      if (!pipeline) {
        return;
      }
      // A read-back of an earlier push still waiting is of no use any more.
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      progress.set(undefined);
      progress.flush();
      setState({ phase: 'pushing', progress, plan, input, target, report: previous });
      if (!previous) {
        profileTimes.current = new Map();
      }
      // A retry sends all of a thread's profiles again.
      only?.forEach((key) => profileTimes.current.delete(key));
      const client = new PyroscopeClient(grafanaTransport(target));
      let merged: PushReport;
      try {
        const report = await pushUpload(
          client,
          notingTimes(pipeline.batches(input, only, abort.signal), profileTimes.current),
          pushThreads(plan, only),
          only ? [] : plan.skipped,
          { signal: abort.signal, onProgress: (p) => progress.set(p) }
        );
        merged = previous ? mergeReports(previous, report) : report;
      } catch (e) {
        setState((s) => ({ ...s, phase: 'done', error: errorText(e) }));
        return;
      } finally {
        progress.flush();
      }
      const pushed = new Set(merged.threads.filter((t) => t.status === 'pushed').map((t) => t.threadKey));
      const verify = !merged.cancelled && pushed.size > 0;
      setState((s) => ({
        ...s,
        phase: 'done',
        report: merged,
        verification: verify ? { phase: 'verifying' } : undefined,
      }));
      if (!verify) {
        return;
      }
      // Read back from where the push went: the same datasource, or the app's read route to the write target (the
      // write route forwards pushes only).
      const reader = target.kind === 'datasource' ? client : new PyroscopeClient(grafanaTransport(target, 'read'));
      try {
        const planned = expectationsFromPlan(plan, { profileTimesMs: profileTimes.current, only: pushed });
        const expectations = existingBefore.current ? withExisting(planned, existingBefore.current) : planned;
        const report = await verifyUpload(reader, expectations, {
          signal: abort.signal,
          maxRounds: VERIFY_ROUNDS,
          sleep,
          onRetry: (retry) => setState((s) => ({ ...s, verification: { phase: 'verifying', retry } })),
        });
        setState((s) => ({ ...s, verification: { phase: 'done', report } }));
      } catch (e) {
        if (!(e instanceof PushCancelledError)) {
          setState((s) => ({ ...s, verification: { phase: 'done', error: errorText(e) } }));
        }
      }
    },
    [pipeline, sleep, progress]
  );

  /** `existing`: the check for data already stored under the plan's labels, made for this plan before the push. */
  const start = useCallback(
    (plan: PlanSummary, input: PlanInput, target: PushTarget, existing?: ExistingReport) => {
      if (!pipeline) {
        return undefined;
      }
      existingBefore.current = existing;
      return run(plan, pipeline.pin(input), target);
    },
    [run, pipeline]
  );
  const retryFailed = useCallback(() => {
    if (!state.plan || !state.input || !state.target || !state.report) {
      return;
    }
    const failed = new Set(state.report.threads.filter(unsettled).map((t) => t.threadKey));
    return run(state.plan, state.input, state.target, failed, state.report);
  }, [run, state]);
  const cancel = useCallback(() => controller.current?.abort(), []);

  /** The zip of the pushed plan's pprof files, made in the pipeline. */
  const archive = useCallback(async (): Promise<Uint8Array | undefined> => {
    if (!pipeline || !state.input) {
      return undefined;
    }
    setState((s) => ({ ...s, archiving: true }));
    try {
      return await pipeline.archive(state.input).result;
    } catch (e) {
      if (!(e instanceof PipelineCancelledError)) {
        setState((s) => ({ ...s, error: errorText(e) }));
      }
      return undefined;
    } finally {
      setState((s) => ({ ...s, archiving: false }));
    }
  }, [pipeline, state.input]);

  return { state, start, cancel, retryFailed, archive };
}
