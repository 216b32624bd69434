import { useCallback, useRef, useState } from 'react';
import { UploadPlan } from '../../../core/plan/planUpload';
import { encodeProfile, EncodedProfile } from '../../../core/push/encodeUpload';
import { PushCancelledError, PyroscopeClient } from '../../../core/push/pyroscopeClient';
import { PushProgress, PushReport, pushUpload, ThreadPushResult } from '../../../core/push/pushUpload';
import { errorText } from '../../../core/util/errorText';
import { grafanaTransport, PushTarget } from '../infrastructure/grafanaTransport';

export type PushPhase = 'idle' | 'encoding' | 'pushing' | 'done';

export interface PushState {
  phase: PushPhase;
  encoded: number;
  toEncode: number;
  progress?: PushProgress;
  report?: PushReport;
  /** What was pushed (or tried), for the download and for "retry failed". */
  profiles: EncodedProfile[];
  plan?: UploadPlan;
  target?: PushTarget;
  error?: string;
}

const IDLE: PushState = { phase: 'idle', encoded: 0, toEncode: 0, profiles: [] };

/** Encodes in slices of ~20 ms so the page keeps responding while large uploads are converted. */
async function encodeCooperatively(
  plan: UploadPlan,
  signal: AbortSignal,
  onProgress: (done: number) => void
): Promise<EncodedProfile[]> {
  const out: EncodedProfile[] = [];
  let sliceStart = Date.now();
  for (const planned of plan.profiles) {
    if (signal.aborted) {
      throw new PushCancelledError();
    }
    out.push(encodeProfile(planned));
    if (Date.now() - sliceStart > 20) {
      onProgress(out.length);
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = Date.now();
    }
  }
  return out;
}

function mergeReports(previous: PushReport, retried: PushReport): PushReport {
  const byKey = new Map<string, ThreadPushResult>(
    retried.threads.filter((t) => t.status !== 'skipped').map((t) => [t.threadKey, t])
  );
  // A retry sends all of a failed thread's profiles again (the same labels and times, so nothing doubles in
  // Pyroscope): its result replaces the thread's earlier one.
  const threads = previous.threads.map((t) => byKey.get(t.threadKey) ?? t);
  const failed = threads.filter((t) => t.status === 'failed');
  return {
    threads,
    complete: failed.length === 0,
    cancelled: retried.cancelled,
    error: retried.error,
    requests: previous.requests + retried.requests,
    retries: previous.retries + retried.retries,
  };
}

/** Converts and pushes a plan, with progress, cancel and "retry the failed threads". */
export function usePush() {
  const [state, setState] = useState<PushState>(IDLE);
  const controller = useRef<AbortController>();

  const run = useCallback(async (plan: UploadPlan, target: PushTarget, only?: Set<string>, previous?: PushState) => {
    const abort = new AbortController();
    controller.current = abort;
    const toEncode = only ? 0 : plan.profiles.length;
    setState({
      ...IDLE,
      phase: only ? 'pushing' : 'encoding',
      toEncode,
      plan,
      target,
      profiles: previous?.profiles ?? [],
    });
    try {
      const profiles =
        previous?.profiles.length && only
          ? previous.profiles
          : await encodeCooperatively(plan, abort.signal, (done) => setState((s) => ({ ...s, encoded: done })));
      const selected = only ? profiles.filter((p) => only.has(p.planned.threadKey)) : profiles;
      setState((s) => ({ ...s, phase: 'pushing', encoded: profiles.length, profiles }));
      const client = new PyroscopeClient(grafanaTransport(target));
      const report = await pushUpload(client, selected, only ? [] : plan.skipped, {
        signal: abort.signal,
        onProgress: (progress) => setState((s) => ({ ...s, progress })),
      });
      setState((s) => ({
        ...s,
        phase: 'done',
        report: previous?.report ? mergeReports(previous.report, report) : report,
      }));
    } catch (e) {
      setState((s) => ({
        ...s,
        phase: 'done',
        error: e instanceof PushCancelledError ? 'Cancelled before anything was sent.' : errorText(e),
      }));
    }
  }, []);

  const start = useCallback((plan: UploadPlan, target: PushTarget) => run(plan, target), [run]);
  const retryFailed = useCallback(() => {
    if (!state.plan || !state.target || !state.report) {
      return;
    }
    const failed = new Set(state.report.threads.filter((t) => t.status === 'failed').map((t) => t.threadKey));
    return run(state.plan, state.target, failed, state);
  }, [run, state]);
  const cancel = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => setState(IDLE), []);

  return { state, start, cancel, retryFailed, reset };
}
