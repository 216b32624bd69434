import { parseFixture } from '../../../../tests/helpers/fixtures';
import { PyroscopeStandIn } from '../../../../tests/standins/pyroscopeStandIn';
import { planUpload, UploadPlan } from '../../plan/planUpload';
import { BatchLimits, batchProfiles, PushBatch } from '../batches';
import { encodePlan } from '../encodeUpload';
import { fetchTransport, PyroscopeClient } from '../pyroscopeClient';
import { PushOptions, PushThread, pushUpload } from '../pushUpload';

const NOW = Date.now();
/** No waiting at all: pacing and backoff sleeps return at once (the stand-in's own rate limit is not at stake here). */
const noWait: PushOptions = {
  sleep: async () => {},
  retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 1 },
  ingestion: { rateBytesPerSecond: Number.MAX_SAFE_INTEGER, burstBytes: 2 * 1_048_576, distributors: 1 },
};

let standIn: PyroscopeStandIn;
let client: PyroscopeClient;

beforeAll(async () => {
  // The stand-in's rate limiter refills by its clock; unlimited here, so no test depends on the machine's speed.
  // Pacing against the limiter is tested below with one injected clock for both sides.
  standIn = new PyroscopeStandIn({ rateBytesPerSecond: Infinity });
  client = new PyroscopeClient(fetchTransport(await standIn.start()));
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
  }
  return out;
}

export function pushThreads(plan: UploadPlan): PushThread[] {
  return plan.threads.map((t) => ({
    threadKey: t.threadKey,
    fileName: t.fileName,
    threadIndex: t.threadIndex,
    threadName: t.threadName,
    labelValue: t.labelValue,
    profilesTotal: t.profileCount,
  }));
}

async function prepare(
  fromMs = NOW - 5 * 60_000,
  limits?: BatchLimits
): Promise<{ plan: UploadPlan; batches: PushBatch[]; threads: PushThread[]; profiles: number }> {
  const files = [
    parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
    parseFixture('speedscope-0.6.0-two-sampled.speedscope.json'),
  ];
  // Two programs would get a service each by default; these tests push both under one.
  const plan = planUpload(files, {
    serviceName: 'checkout',
    fileServices: ['checkout', 'checkout'],
    fromMs,
    sliceSeconds: 2,
    nowMs: NOW,
  });
  const batches = await collect(batchProfiles(encodePlan(plan), limits));
  return { plan, batches, threads: pushThreads(plan), profiles: plan.profiles.length };
}

const EXPECTED_SERIES = [
  { thread: 'MainThread', total: 2_480_000_000 },
  { thread: 'GetTelemetryConfig', total: 50_000_000 },
  { thread: 'one', total: 14_000_000_000 },
  { thread: 'two', total: 14_000_000_000 },
];

function storedSeries() {
  return standIn.series().map((s) => ({ thread: s.labels.thread_name, total: s.total }));
}

describe('pushUpload against the Pyroscope stand-in', () => {
  it('stores one series per thread with exact totals, and compaction loses nothing', async () => {
    const { plan, batches, threads, profiles } = await prepare();
    const report = await pushUpload(client, batches, threads, plan.skipped, noWait);
    expect(report).toMatchObject({ complete: true, cancelled: false, timedOut: false, retries: 0 });
    expect(report.threads.map((t) => [t.labelValue, t.status, t.profilesPushed, t.profilesTotal])).toEqual(
      plan.threads.map((t) => [t.labelValue, 'pushed', t.profileCount, t.profileCount])
    );
    expect(storedSeries()).toEqual(EXPECTED_SERIES);
    expect(standIn.compact()).toBe(0);
    expect(standIn.stored).toHaveLength(profiles);
    expect(
      standIn.requests.every(
        (r) => r.path === '/push.v1.PusherService/Push' && r.headers['content-type'] === 'application/json'
      )
    ).toBe(true);
  });

  it('takes the batches as an async iterable, as the page worker produces them', async () => {
    const { plan, threads } = await prepare();
    const report = await pushUpload(client, batchProfiles(encodePlan(plan)), threads, plan.skipped, noWait);
    expect(report.complete).toBe(true);
    expect(storedSeries()).toEqual(EXPECTED_SERIES);
  });

  it('re-pushing the same plan adds no series and, after compaction, no profiles', async () => {
    const { plan, batches, threads, profiles } = await prepare();
    await pushUpload(client, batches, threads, plan.skipped, noWait);
    await pushUpload(client, batches, threads, plan.skipped, noWait);
    expect(standIn.stored).toHaveLength(2 * profiles);
    expect(standIn.compact()).toBe(profiles);
    expect(storedSeries()).toEqual(EXPECTED_SERIES);
  });

  it('retries 429, 500 and dropped connections, then stores everything exactly once', async () => {
    const { plan, batches, threads } = await prepare();
    standIn.setFaults({ status429: 1, status500: 1, drop: 1 });
    const retries: string[] = [];
    const report = await pushUpload(client, batches, threads, plan.skipped, {
      ...noWait,
      onProgress: (p) => p.retry && retries.push(p.retry.reason.split(':')[0]),
    });
    expect(report).toMatchObject({ complete: true, retries: 3 });
    expect(retries).toEqual(['no response', 'HTTP 429', 'HTTP 500']);
    expect(standIn.compact()).toBe(0);
    expect(storedSeries()).toEqual(EXPECTED_SERIES);
  });

  it('sends each profile of a rejected multi-profile request alone, and reports each rejection with its reason', async () => {
    const { plan, batches, threads, profiles } = await prepare(NOW - 2 * 3_600_000);
    expect(batches).toHaveLength(1);
    const report = await pushUpload(client, batches, threads, plan.skipped, noWait);
    expect(report).toMatchObject({ complete: false, error: undefined, requests: 1 + profiles });
    expect(report.threads.map((t) => [t.status, t.profilesPushed, t.profilesRejected, t.profilesUncertain])).toEqual(
      plan.threads.map((t) => ['failed', 0, t.profileCount, 0])
    );
    expect(report.threads[0].reason).toMatch(
      /^0 of 2 profiles stored; 2 rejected: HTTP 400: profile with labels '\{__name__="process_cpu", service_name="checkout", thread_id="680254", thread_name="MainThread"\}' is outside of ingestion window/
    );
    expect(standIn.stored).toHaveLength(0);
  });

  it('gives up after the retries: what was sent is uncertain, the rest not stored', async () => {
    const { plan, batches, threads } = await prepare(undefined, { maxCostBytes: 1_000_000, maxProfiles: 4 });
    standIn.setFaults({ status500: 10 });
    // One request at a time, so which batches were sent is fixed.
    const report = await pushUpload(client, batches, threads, plan.skipped, { ...noWait, requestsInFlight: 1 });
    expect(report).toMatchObject({
      complete: false,
      error: 'HTTP 500: injected internal error',
      requests: 4,
      retries: 3,
    });
    // The first batch (MainThread 2, GetTelemetryConfig 1, one 1) was sent four times; the others never.
    expect(report.threads.map((t) => [t.status, t.profilesUncertain, t.reason])).toEqual([
      [
        'uncertain',
        2,
        '0 of 2 profiles stored; 2 uncertain, maybe stored (a read-back tells): HTTP 500: injected internal error (after 3 retries)',
      ],
      [
        'uncertain',
        1,
        '0 of 1 profiles stored; 1 uncertain, maybe stored (a read-back tells): HTTP 500: injected internal error (after 3 retries)',
      ],
      [
        'failed',
        1,
        '0 of 4 profiles stored; 1 uncertain, maybe stored (a read-back tells): HTTP 500: injected internal error (after 3 retries); 3 not stored: HTTP 500: injected internal error',
      ],
      ['failed', 0, '0 of 4 profiles stored; 4 not stored: HTTP 500: injected internal error'],
    ]);
  });

  it("stops at a 200 whose JSON is a proxy's error: none of that request's profiles count as pushed", async () => {
    const { plan, batches, threads, profiles } = await prepare(undefined, { maxCostBytes: 1_000_000, maxProfiles: 4 });
    standIn.setFaults({ json200error: 1 });
    const report = await pushUpload(client, batches, threads, plan.skipped, { ...noWait, requestsInFlight: 1 });
    expect(report).toMatchObject({
      complete: false,
      requests: 1,
      error:
        'HTTP 200 with application/json: "{\\"error\\":\\"upstream unavailable\\"}": not Pyroscope\'s answer to Push ' +
        '(push.v1.PushResponse has no field "error"), so nothing is counted as pushed',
    });
    expect(report.threads.map((t) => [t.status, t.profilesPushed])).toEqual(threads.map(() => ['failed', 0]));
    expect(standIn.stored).toHaveLength(0);
    expect(profiles).toBeGreaterThan(4);
  });

  it('reports a cancel honestly: finished threads pushed, the rest not stored', async () => {
    const { plan, batches, threads } = await prepare(undefined, { maxCostBytes: 1_500_000, maxProfiles: 2 });
    const controller = new AbortController();
    const report = await pushUpload(client, batches, threads, plan.skipped, {
      ...noWait,
      requestsInFlight: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.profilesStored > 0) {
          controller.abort();
        }
      },
    });
    expect(report).toMatchObject({ cancelled: true, complete: false });
    // MainThread has 2 profiles (0–2 s and 2–2.6 s): the first batch of 2 carried both. one/two: samples start at
    // 0, 1, 2, 6 and 9 s → 2 s slices 0, 1, 3, 4 → 4 profiles each.
    expect(report.threads.map((t) => [t.labelValue, t.status, t.reason ?? ''])).toEqual([
      ['MainThread', 'pushed', ''],
      ['GetTelemetryConfig', 'failed', '0 of 1 profiles stored; 1 not stored: cancelled'],
      ['one', 'failed', '0 of 4 profiles stored; 4 not stored: cancelled'],
      ['two', 'failed', '0 of 4 profiles stored; 4 not stored: cancelled'],
    ]);
    expect(standIn.stored).toHaveLength(2);
  });

  it('refuses a second profile with the same labels and time before sending it', async () => {
    const { plan, batches, threads } = await prepare();
    const report = await pushUpload(client, [batches[0], batches[0]], threads, plan.skipped, noWait);
    expect(report.error).toMatch(/^Two profiles would share labels .* Pyroscope would keep only one\.$/);
    expect(report.requests).toBe(1);
  });

  it('reads back the stored series with the Series API', async () => {
    const { plan, batches, threads } = await prepare();
    await pushUpload(client, batches, threads, plan.skipped, noWait);
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

  it('paced by the same clock as the per-profile rate limiter of the stand-in, the push never gets a 429', async () => {
    let clock = NOW;
    const sleeps: number[] = [];
    const ingestion = { rateBytesPerSecond: 10_000, burstBytes: 51_000, distributors: 1 };
    const limited = new PyroscopeStandIn({ now: () => clock, ...ingestion });
    const limitedClient = new PyroscopeClient(fetchTransport(await limited.start()));
    try {
      const { plan, batches, threads } = await prepare(undefined, { maxCostBytes: 25_000, maxProfiles: 64 });
      const cost = batches.reduce((sum, b) => sum + b.costBytes, 0);
      expect(batches.length).toBeGreaterThan(1);
      const report = await pushUpload(limitedClient, batches, threads, plan.skipped, {
        ingestion,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      });
      expect(report).toMatchObject({ complete: true, retries: 0 });
      expect(limited.requests.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      // The burst goes at once; the rest at the rate (each wait rounded up to a whole millisecond).
      const waited = sleeps.reduce((a, b) => a + b, 0);
      const floor = ((cost - ingestion.burstBytes) / ingestion.rateBytesPerSecond) * 1000;
      expect(waited).toBeGreaterThanOrEqual(floor);
      expect(waited).toBeLessThanOrEqual(floor + sleeps.length);
    } finally {
      await limited.stop();
    }
  });

  it('a request the stand-in answers 400 after storing its valid profiles: each profile sent alone, exact outcome', async () => {
    // The stand-in's clock is pinned, so the ingestion window's edge does not move while the test runs.
    const pinned = new PyroscopeStandIn({ now: () => NOW, rateBytesPerSecond: Infinity });
    const pinnedClient = new PyroscopeClient(fetchTransport(await pinned.start()));
    try {
      // From 1 h 5 s ago in 2 s slices: slices at -3605 s and -3603 s are outside the 1 h window, -3599 s and
      // -3597 s inside. MainThread (0, 2 s) and GetTelemetryConfig (0 s) are all outside; one and two have slices
      // at 0, 2, 6 and 8 s: two outside, two inside each.
      const { plan, batches, threads } = await prepare(NOW - 3_600_000 - 5_000);
      expect(batches).toHaveLength(1);
      const report = await pushUpload(pinnedClient, batches, threads, plan.skipped, noWait);
      expect(report.requests).toBe(1 + plan.profiles.length);
      expect(report.threads.map((t) => [t.labelValue, t.status, t.profilesPushed, t.profilesRejected])).toEqual([
        ['MainThread', 'failed', 0, 2],
        ['GetTelemetryConfig', 'failed', 0, 1],
        ['one', 'failed', 2, 2],
        ['two', 'failed', 2, 2],
      ]);
      expect(report.threads[2].reason).toMatch(
        /^2 of 4 profiles stored; 2 rejected: HTTP 400: .*outside of ingestion window/
      );
      // The first request stored the four valid profiles already; sending them alone stored identical replicas,
      // which compaction removes.
      expect(pinned.compact()).toBe(4);
      expect(pinned.series().map((s) => [s.labels.thread_name, s.profiles])).toEqual([
        ['one', 2],
        ['two', 2],
      ]);
    } finally {
      await pinned.stop();
    }
  });

  it('completes when the server shares the rate among more distributors than the client was told', async () => {
    let clock = NOW;
    const limits = { rateBytesPerSecond: 10_000, burstBytes: 51_000 };
    const limited = new PyroscopeStandIn({ now: () => clock, ...limits, distributors: 3 });
    const limitedClient = new PyroscopeClient(fetchTransport(await limited.start()));
    try {
      const { plan, batches, threads, profiles } = await prepare(undefined, { maxCostBytes: 25_000, maxProfiles: 64 });
      const report = await pushUpload(limitedClient, batches, threads, plan.skipped, {
        ingestion: { ...limits, distributors: 1 },
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      });
      expect(report.complete).toBe(true);
      expect(report.retries).toBeGreaterThan(0);
      limited.compact();
      expect(limited.stored).toHaveLength(profiles);
      expect(limited.series().map((s) => ({ thread: s.labels.thread_name, total: s.total }))).toEqual(EXPECTED_SERIES);
    } finally {
      await limited.stop();
    }
  });
});
