import { useEffect, useState } from 'react';
import { MAX_FUTURE_MS, MAX_PAST_MS } from '../../../core/plan/planUpload';
import { ExistingReport, PlanSummaryForVerify } from '../../../core/push/verifyUpload';
import { errorText } from '../../../core/util/errorText';
import { findExistingProfiles } from '../infrastructure/existingProfiles';
import { PushTarget } from '../infrastructure/grafanaTransport';

/**
 * The check before a push for profiles already stored under the plan's label sets in its range.
 * - `waiting`: the plan or target just changed; the check starts once they have been still for a moment.
 * - `checking`: queries under way.
 * - `done`: what was found (`report`), and when.
 * - `failed`: the check could not be made (`error`); pushing is not held back by it.
 */
export type ExistingCheck =
  | { phase: 'waiting' }
  | { phase: 'checking' }
  | { phase: 'done'; report: ExistingReport; checkedAtMs: number }
  | { phase: 'failed'; error: string };

/** Edits replan the upload several times a second while typing: query only once the plan has settled. */
export const EXISTING_CHECK_DELAY_MS = 600;

/**
 * Checks for existing profiles whenever the plan, the datasource or `recheckAfter` (a finished push) changes; a
 * newer check, leaving the page or `enabled` turning false (a push starting) aborts the one under way. Only for a
 * datasource target: the app's write target is read back through a route that serves the read-back alone.
 */
export function useExistingData(
  plan: PlanSummaryForVerify | undefined,
  target: PushTarget | undefined,
  enabled: boolean,
  recheckAfter?: unknown
): ExistingCheck | undefined {
  const datasource = target?.kind === 'datasource' ? target : undefined;
  const active = enabled && plan !== undefined && plan.threads.length > 0 && datasource !== undefined;
  const [result, setResult] = useState<{ inputs: unknown[]; check: ExistingCheck }>();
  const inputs = [plan, datasource?.uid, recheckAfter];

  useEffect(() => {
    if (!active || !plan || !datasource) {
      return;
    }
    const abort = new AbortController();
    const settled = [plan, datasource.uid, recheckAfter];
    const timer = setTimeout(() => {
      setResult({ inputs: settled, check: { phase: 'checking' } });
      findExistingProfiles(datasource, plan, abort.signal).then(
        (report) =>
          !abort.signal.aborted &&
          setResult({ inputs: settled, check: { phase: 'done', report, checkedAtMs: Date.now() } }),
        (e) => !abort.signal.aborted && setResult({ inputs: settled, check: { phase: 'failed', error: errorText(e) } })
      );
    }, EXISTING_CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // The datasource by its uid: a new target object for the same datasource is the same check.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, plan, datasource?.uid, recheckAfter]);

  if (!active) {
    return undefined;
  }
  // A result for other inputs is never shown for these.
  const current = result && result.inputs.every((input, i) => input === inputs[i]);
  return current ? result.check : { phase: 'waiting' };
}

/** Pushing at the edge of Pyroscope's window fails if the push starts a little later: keep this much inside it. */
export const WINDOW_MARGIN_MS = 5 * 60 * 1000;

export type PlaceAfter =
  { possible: true; range: { fromMs: number; toMs: number } } | { possible: false; endMs: number; latestEndMs: number };

/**
 * The upload's range moved to start after the latest existing profile (`report.placeAfterMs`), as long as before:
 * never earlier than Pyroscope's window allows (1 h back, with a margin), and impossible when it would then end more
 * than 10 min ahead (Pyroscope rejects such profiles by default; `core/plan` MAX_PAST_MS/MAX_FUTURE_MS).
 */
export function placeAfter(placeAfterMs: number, range: { fromMs: number; toMs: number }, nowMs: number): PlaceAfter {
  const length = range.toMs - range.fromMs;
  const earliest = Math.ceil((nowMs - MAX_PAST_MS + WINDOW_MARGIN_MS) / 1000) * 1000;
  const fromMs = Math.max(placeAfterMs, earliest);
  const toMs = fromMs + length;
  const latestEndMs = nowMs + MAX_FUTURE_MS;
  return toMs <= latestEndMs
    ? { possible: true, range: { fromMs, toMs } }
    : { possible: false, endMs: toMs, latestEndMs };
}

/** What the check found, in numbers a sentence can use. */
export interface ExistingSummary {
  /** Threads whose labels already hold profiles in the range. */
  withData: number;
  threads: number;
  /** Every thread with data holds exactly the planned total: most likely this upload, pushed before. */
  rePush: boolean;
  /** Where the existing data lies (ms, within the range looked at); undefined when there is none. */
  firstMs?: number;
  lastMs?: number;
  place?: PlaceAfter;
}

export function summarizeExisting(
  report: ExistingReport,
  range: { fromMs: number; toMs: number },
  nowMs: number
): ExistingSummary {
  const withData = report.threads.filter((t) => t.status !== 'none');
  const summary: ExistingSummary = { withData: withData.length, threads: report.threads.length, rePush: report.rePush };
  if (withData.length > 0) {
    // Known to a step of the check: never say it starts before the range or ends after what was looked at.
    summary.firstMs = Math.max(range.fromMs, Math.min(...withData.map((t) => t.firstDataMs ?? range.fromMs)));
    summary.lastMs = Math.min(report.coveredUntilMs, Math.max(...withData.map((t) => t.lastDataMs ?? range.toMs)));
  }
  if (report.placeAfterMs !== undefined) {
    summary.place = placeAfter(report.placeAfterMs, range, nowMs);
  }
  return summary;
}
