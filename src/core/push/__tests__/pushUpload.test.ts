import { parseFixture } from '../../../../tests/helpers/fixtures';
import { PyroscopeStandIn } from '../../../../tests/standins/pyroscopeStandIn';
import { planUpload, UploadPlan } from '../../plan/planUpload';
import { encodePlan, EncodedProfile } from '../encodeUpload';
import { fetchTransport, PyroscopeClient } from '../pyroscopeClient';
import { PushOptions, pushUpload } from '../pushUpload';

const NOW = Date.now();
const noWait: Pick<PushOptions, 'sleep' | 'retry' | 'maxBytesPerSecond'> = {
  sleep: async () => {},
  retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 },
  maxBytesPerSecond: Number.MAX_SAFE_INTEGER,
};

let standIn: PyroscopeStandIn;
let client: PyroscopeClient;

beforeAll(async () => {
  standIn = new PyroscopeStandIn();
  client = new PyroscopeClient(fetchTransport(await standIn.start()));
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

function prepare(fromMs = NOW - 5 * 60_000): { plan: UploadPlan; encoded: EncodedProfile[] } {
  const files = [
    parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
    parseFixture('speedscope-0.6.0-two-sampled.speedscope.json'),
  ];
  const plan = planUpload(files, { serviceName: 'checkout', fromMs, sliceSeconds: 2, nowMs: NOW });
  return { plan, encoded: encodePlan(plan) };
}

const EXPECTED_SERIES = [
  { thread: 'Thread 680254 "MainThread"', total: 2_480_000_000 },
  { thread: 'Thread 680344 "GetTelemetryConfig"', total: 50_000_000 },
  { thread: 'one', total: 14_000_000_000 },
  { thread: 'two', total: 14_000_000_000 },
];

function storedSeries() {
  return standIn.series().map((s) => ({
    thread: s.labels.thread_name,
    total: s.total,
    service: s.labels.service_name,
    profiles: s.profiles,
  }));
}

describe('pushUpload against the Pyroscope stand-in', () => {
  it('stores one series per thread with exact totals, and compaction loses nothing', async () => {
    const { plan, encoded } = prepare();
    const report = await pushUpload(client, encoded, plan.skipped, noWait);
    expect(report).toMatchObject({ complete: true, cancelled: false, retries: 0 });
    expect(report.threads.map((t) => [t.labelValue, t.status, t.profilesPushed, t.profilesTotal])).toEqual(
      plan.threads.map((t) => [t.labelValue, 'pushed', t.profileCount, t.profileCount])
    );
    expect(storedSeries().map(({ thread, total }) => ({ thread, total }))).toEqual(EXPECTED_SERIES);
    expect(standIn.compact()).toBe(0);
    expect(standIn.stored).toHaveLength(encoded.length);
    expect(
      standIn.requests.every(
        (r) => r.path === '/push.v1.PusherService/Push' && r.headers['content-type'] === 'application/json'
      )
    ).toBe(true);
  });

  it('re-pushing the same plan adds no series and, after compaction, no profiles', async () => {
    const { plan, encoded } = prepare();
    await pushUpload(client, encoded, plan.skipped, noWait);
    await pushUpload(client, encoded, plan.skipped, noWait);
    expect(standIn.stored).toHaveLength(2 * encoded.length);
    expect(standIn.compact()).toBe(encoded.length);
    expect(storedSeries().map(({ thread, total }) => ({ thread, total }))).toEqual(EXPECTED_SERIES);
  });

  it('retries 429, 500 and dropped connections, then stores everything exactly once', async () => {
    const { plan, encoded } = prepare();
    standIn.setFaults({ status429: 1, status500: 1, drop: 1 });
    const retries: string[] = [];
    const report = await pushUpload(client, encoded, plan.skipped, {
      ...noWait,
      onProgress: (p) => p.retry && retries.push(p.retry.reason.split(':')[0]),
    });
    expect(report).toMatchObject({ complete: true, retries: 3 });
    expect(retries).toEqual(['no response', 'HTTP 429', 'HTTP 500']);
    expect(standIn.compact()).toBe(0);
    expect(storedSeries().map(({ thread, total }) => ({ thread, total }))).toEqual(EXPECTED_SERIES);
  });

  it('stops on a 400 with the server message verbatim and reports nothing as pushed that was not', async () => {
    const { plan, encoded } = prepare(NOW - 2 * 3_600_000);
    const report = await pushUpload(client, encoded, plan.skipped, noWait);
    expect(report.complete).toBe(false);
    expect(report.error).toMatch(
      /^HTTP 400: profile with labels '\{__name__="process_cpu", service_name="checkout", thread_name="Thread 680254 \\?"MainThread\\?""\}' is outside of ingestion window/
    );
    expect(report.threads.map((t) => t.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(report.threads[0].reason).toMatch(/; 0 of 2 profiles were pushed$/);
    expect(standIn.stored).toHaveLength(0);
  });

  it('gives up after the retries and says how far it got', async () => {
    const { plan, encoded } = prepare();
    standIn.setFaults({ status500: 10 });
    const report = await pushUpload(client, encoded, plan.skipped, noWait);
    expect(report).toMatchObject({
      complete: false,
      error: 'HTTP 500: injected internal error',
      requests: 4,
      retries: 3,
    });
  });

  it('reports a cancel honestly: finished threads pushed, the rest failed with counts', async () => {
    const { plan, encoded } = prepare();
    const controller = new AbortController();
    let batches = 0;
    const report = await pushUpload(client, encoded, plan.skipped, {
      ...noWait,
      batchLimits: { maxCostBytes: 1_500_000, maxProfiles: 2 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.profilesSent > 0 && ++batches === 1) {
          controller.abort();
        }
      },
    });
    expect(report.cancelled).toBe(true);
    expect(report.complete).toBe(false);
    // MainThread has 2 profiles (0–2 s and 2–2.6 s): the first batch of 2 carried both. one/two: samples start at
    // 0, 1, 2, 6 and 9 s → 2 s slices 0, 1, 3, 4 → 4 profiles each.
    expect(report.threads.map((t) => [t.labelValue, t.status, t.reason ?? ''])).toEqual([
      ['Thread 680254 "MainThread"', 'pushed', ''],
      ['Thread 680344 "GetTelemetryConfig"', 'failed', 'cancelled; 0 of 1 profiles were pushed'],
      ['one', 'failed', 'cancelled; 0 of 4 profiles were pushed'],
      ['two', 'failed', 'cancelled; 0 of 4 profiles were pushed'],
    ]);
    expect(standIn.stored).toHaveLength(2);
  });

  it('reads back the stored series with the Series API', async () => {
    const { plan, encoded } = prepare();
    await pushUpload(client, encoded, plan.skipped, noWait);
    const series = await client.series({
      matchers: ['{service_name="checkout", thread_name="one"}'],
      labelNames: ['service_name', 'thread_name', '__profile_type__'],
      startMs: NOW - 3_600_000,
      endMs: NOW + 3_600_000,
    });
    expect(series).toEqual([
      [
        { name: '__profile_type__', value: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds' },
        { name: 'service_name', value: 'checkout' },
        { name: 'thread_name', value: 'one' },
      ],
    ]);
  });
});
