import { useCallback, useRef, useState } from 'react';
import { PyroscopeClient } from '../../../core/push/pyroscopeClient';
import { PushProgress, PushReport, PushThread, pushUpload, ThreadPushResult } from '../../../core/push/pushUpload';
import { errorText } from '../../../core/util/errorText';
import { grafanaTransport, PushTarget } from '../infrastructure/grafanaTransport';
import { PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { PlanInput } from '../pipeline/pipelineMessages';
import { PlanSummary } from './summaries';

export type PushPhase = 'idle' | 'pushing' | 'done';

export interface PushState {
  phase: PushPhase;
  progress?: PushProgress;
  report?: PushReport;
  /** What was pushed (or tried): the plan shown then and the input that makes it again, for retries and the zip. */
  plan?: PlanSummary;
  input?: PlanInput;
  target?: PushTarget;
  error?: string;
  /** The zip of pprof files is being made. */
  archiving?: boolean;
}

const IDLE: PushState = { phase: 'idle' };

/** Threads a retry sends again: those not confirmed stored. Re-sending is safe: same labels, times and ids. */
const unsettled = (t: ThreadPushResult) => t.status === 'failed' || t.status === 'uncertain';

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
  return plan.threads
    .filter((t) => !only || only.has(t.threadKey))
    .map(({ threadKey, fileName, threadIndex, threadName, labelValue, profileCount }) => ({
      threadKey,
      fileName,
      threadIndex,
      threadName,
      labelValue,
      profilesTotal: profileCount,
    }));
}

/**
 * Pushes a plan: the pipeline encodes and batches, the page hands each request body to Grafana. Progress, cancel
 * (the pipeline keeps its files) and "retry the failed threads" (only their batches are made again).
 */
export function usePush(pipeline: PipelineClient | undefined) {
  const [state, setState] = useState<PushState>(IDLE);
  const controller = useRef<AbortController>();

  const run = useCallback(
    async (plan: PlanSummary, input: PlanInput, target: PushTarget, only?: Set<string>, previous?: PushReport) => {
      if (!pipeline) {
        return;
      }
      const abort = new AbortController();
      controller.current = abort;
      setState({ phase: 'pushing', plan, input, target, report: previous });
      try {
        const client = new PyroscopeClient(grafanaTransport(target));
        const report = await pushUpload(
          client,
          pipeline.batches(input, only, abort.signal),
          pushThreads(plan, only),
          only ? [] : plan.skipped,
          { signal: abort.signal, onProgress: (progress) => setState((s) => ({ ...s, progress })) }
        );
        setState((s) => ({ ...s, phase: 'done', report: previous ? mergeReports(previous, report) : report }));
      } catch (e) {
        setState((s) => ({ ...s, phase: 'done', error: errorText(e) }));
      }
    },
    [pipeline]
  );

  const start = useCallback(
    (plan: PlanSummary, input: PlanInput, target: PushTarget) => run(plan, input, target),
    [run]
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
