import { act, renderHook } from '@testing-library/react';
import { MAX_FUTURE_MS, MAX_PAST_MS } from '../../../../core/plan/planUpload';
import { ExistingReport, PlanSummaryForVerify } from '../../../../core/push/verifyUpload';
import { findExistingProfiles } from '../../infrastructure/existingProfiles';
import { PushTarget } from '../../infrastructure/grafanaTransport';
import {
  EXISTING_CHECK_DELAY_MS,
  placeAfter,
  summarizeExisting,
  useExistingData,
  WINDOW_MARGIN_MS,
} from '../existingData';

jest.mock('../../infrastructure/existingProfiles', () => ({ findExistingProfiles: jest.fn() }));
const findExisting = findExistingProfiles as jest.MockedFunction<typeof findExistingProfiles>;

const NOW = Date.UTC(2026, 10, 25, 14, 0, 0);
const MINUTE = 60_000;

describe('placing an upload after the existing data', () => {
  it('keeps the range’s length and starts where the existing data ends', () => {
    const range = { fromMs: NOW - 3 * MINUTE, toMs: NOW };
    expect(placeAfter(NOW - MINUTE, range, NOW)).toEqual({
      possible: true,
      range: { fromMs: NOW - MINUTE, toMs: NOW + 2 * MINUTE },
    });
  });

  it('never starts where Pyroscope’s window (1 h back) would close before the push is done', () => {
    const range = { fromMs: NOW - 2 * 60 * MINUTE, toMs: NOW - 2 * 60 * MINUTE + MINUTE };
    const earliest = NOW - MAX_PAST_MS + WINDOW_MARGIN_MS;
    expect(placeAfter(NOW - 90 * MINUTE, range, NOW)).toEqual({
      possible: true,
      range: { fromMs: earliest, toMs: earliest + MINUTE },
    });
  });

  it('is impossible when the upload would then end more than 10 minutes ahead', () => {
    const range = { fromMs: NOW - 20 * MINUTE, toMs: NOW };
    expect(placeAfter(NOW - MINUTE, range, NOW)).toEqual({
      possible: false,
      endMs: NOW + 19 * MINUTE,
      latestEndMs: NOW + MAX_FUTURE_MS,
    });
    // Exactly at the edge is still accepted.
    expect(placeAfter(NOW - 10 * MINUTE, range, NOW)).toEqual({
      possible: true,
      range: { fromMs: NOW - 10 * MINUTE, toMs: NOW + MAX_FUTURE_MS },
    });
  });
});

describe('what the check found', () => {
  const range = { fromMs: NOW - 5 * MINUTE, toMs: NOW };
  const report: ExistingReport = {
    threads: [
      { threadKey: '0:0', status: 'overlap', foundTotal: 5, firstDataMs: NOW - 6 * MINUTE, lastDataMs: NOW - MINUTE },
      { threadKey: '0:1', status: 'none', foundTotal: 0 },
      { threadKey: '0:2', status: 'same', foundTotal: 7, firstDataMs: NOW - 4 * MINUTE, lastDataMs: NOW - 2 * MINUTE },
    ],
    overlaps: true,
    rePush: false,
    placeAfterMs: NOW - MINUTE + 1000,
    coveredUntilMs: NOW - 30_000,
  };

  it('counts the threads with data and says where it lies, within what was looked at', () => {
    expect(summarizeExisting(report, range, NOW)).toEqual({
      withData: 2,
      threads: 3,
      rePush: false,
      // The first point's step reaches before the range: the data is known to lie within it.
      firstMs: range.fromMs,
      lastMs: NOW - MINUTE,
      place: { possible: true, range: { fromMs: NOW - MINUTE + 1000, toMs: NOW + 4 * MINUTE + 1000 } },
    });
  });

  it('has nothing to place when nothing is there', () => {
    const none: ExistingReport = {
      threads: [{ threadKey: '0:0', status: 'none', foundTotal: 0 }],
      overlaps: false,
      rePush: false,
      coveredUntilMs: NOW,
    };
    expect(summarizeExisting(none, range, NOW)).toEqual({ withData: 0, threads: 1, rePush: false });
  });
});

describe('the check before a push', () => {
  const DATASOURCE: PushTarget = { kind: 'datasource', uid: 'pyro', name: 'Pyroscope' };
  const planOf = (fromMs: number): PlanSummaryForVerify => ({
    fromMs,
    toMs: fromMs + MINUTE,
    threads: [
      {
        threadKey: '0:0',
        labels: [{ name: 'service_name', value: 'svc' }],
        profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
        profileCount: 1,
        total: 5,
        unit: 'nanoseconds',
      },
    ],
  });
  const FOUND: ExistingReport = { threads: [], overlaps: false, rePush: false, coveredUntilMs: 0 };

  beforeEach(() => {
    jest.useFakeTimers();
    findExisting.mockReset();
  });
  afterEach(() => jest.useRealTimers());

  it('waits until the plan has settled, then asks once, for the latest plan only', async () => {
    findExisting.mockResolvedValue(FOUND);
    const { result, rerender } = renderHook(({ plan }) => useExistingData(plan, DATASOURCE, true), {
      initialProps: { plan: planOf(0) },
    });
    expect(result.current).toEqual({ phase: 'waiting' });
    act(() => jest.advanceTimersByTime(EXISTING_CHECK_DELAY_MS - 1));
    const latest = planOf(1000);
    rerender({ plan: latest });
    act(() => jest.advanceTimersByTime(EXISTING_CHECK_DELAY_MS - 1));
    expect(findExisting).not.toHaveBeenCalled();
    await act(async () => jest.advanceTimersByTime(1));
    expect(findExisting).toHaveBeenCalledTimes(1);
    expect(findExisting.mock.calls[0].slice(0, 2)).toEqual([DATASOURCE, latest]);
    expect(result.current).toEqual({ phase: 'done', report: FOUND, checkedAtMs: expect.any(Number) });
  });

  it('aborts a check under way when the plan changes, and never shows its answer for the new plan', async () => {
    let answer: (report: ExistingReport) => void = () => {};
    findExisting.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    findExisting.mockImplementationOnce(() => new Promise(() => {}));
    const { result, rerender } = renderHook(({ plan }) => useExistingData(plan, DATASOURCE, true), {
      initialProps: { plan: planOf(0) },
    });
    act(() => jest.advanceTimersByTime(EXISTING_CHECK_DELAY_MS));
    expect(result.current).toEqual({ phase: 'checking' });
    const signal = findExisting.mock.calls[0][2];
    rerender({ plan: planOf(1000) });
    expect(signal.aborted).toBe(true);
    await act(async () => answer(FOUND));
    expect(result.current).toEqual({ phase: 'waiting' });
  });

  it('says why the check failed', async () => {
    findExisting.mockRejectedValue(new Error('HTTP 500: querier unavailable'));
    const plan = planOf(0);
    const { result } = renderHook(() => useExistingData(plan, DATASOURCE, true));
    await act(async () => jest.advanceTimersByTime(EXISTING_CHECK_DELAY_MS));
    expect(result.current).toEqual({ phase: 'failed', error: 'HTTP 500: querier unavailable' });
  });

  it('does not check for the app’s write target, without a plan, or while turned off (a push under way)', () => {
    const writeTarget: PushTarget = { kind: 'app-route', url: 'https://profiles.example.com' };
    const plan = planOf(0);
    const off = [
      renderHook(() => useExistingData(plan, writeTarget, true)),
      renderHook(() => useExistingData(undefined, DATASOURCE, true)),
      renderHook(() => useExistingData(plan, DATASOURCE, false)),
    ];
    act(() => jest.advanceTimersByTime(EXISTING_CHECK_DELAY_MS));
    expect(off.map((hook) => hook.result.current)).toEqual([undefined, undefined, undefined]);
    expect(findExisting).not.toHaveBeenCalled();
  });
});
