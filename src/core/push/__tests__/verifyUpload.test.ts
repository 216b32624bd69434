import { parseFixture } from '../../../../tests/helpers/fixtures';
import { PyroscopeStandIn } from '../../../../tests/standins/pyroscopeStandIn';
import { planUpload, UploadPlan } from '../../plan/planUpload';
import { batchProfiles, PushBatch } from '../batches';
import { encodePlan } from '../encodeUpload';
import { labelSelector } from '../../plan/labels';
import { fetchTransport, PyroscopeClient, PyroscopeHttpError } from '../pyroscopeClient';
import { pushThreadsOf, pushUpload } from '../pushUpload';
import {
  describeArrival,
  exactStepMs,
  expectationsFromPlan,
  findExisting,
  verifyUpload,
  withExisting,
} from '../verifyUpload';

const NOW = Date.now();
const FROM = NOW - 5 * 60_000;

let standIn: PyroscopeStandIn;
let baseUrl: string;
let client: PyroscopeClient;

beforeAll(async () => {
  standIn = new PyroscopeStandIn({ rateBytesPerSecond: Infinity });
  baseUrl = await standIn.start();
  client = new PyroscopeClient(fetchTransport(baseUrl));
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

/** The committed fixtures, planned with their default services, profile types and labels. */
function fixturePlan(fromMs = FROM): UploadPlan {
  const files = [
    parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
    parseFixture('speedscope-0.6.0-two-sampled.speedscope.json'),
  ];
  return planUpload(files, { serviceName: 'checkout', fromMs, sliceSeconds: 2, nowMs: NOW });
}

async function push(plan: UploadPlan): Promise<PushBatch[]> {
  const batches = await collect(batchProfiles(encodePlan(plan)));
  const report = await pushUpload(client, batches, pushThreadsOf(plan.threads), plan.skipped, {
    sleep: async () => {},
    ingestion: { rateBytesPerSecond: Number.MAX_SAFE_INTEGER, burstBytes: 2 * 1_048_576, distributors: 1 },
  });
  expect(report.complete).toBe(true);
  return batches;
}

/** What the page holds: the plan without its profiles. */
function summary(plan: UploadPlan) {
  const { profiles: _profiles, ...rest } = plan;
  return rest;
}

const sleeps: number[] = [];
const recordSleep = async (ms: number) => {
  sleeps.push(ms);
};
beforeEach(() => (sleeps.length = 0));

const format = (value: number, unit: string) => `${value} ${unit}`;

describe('verifyUpload against the Pyroscope stand-in', () => {
  it('finds every pushed thread with its exact total and profile count', async () => {
    const plan = fixturePlan();
    await push(plan);
    const report = await verifyUpload(client, expectationsFromPlan(summary(plan)), { sleep: recordSleep });
    expect(report.complete).toBe(true);
    expect(report.rounds).toBe(1);
    expect(sleeps).toEqual([]);
    expect(report.threads.map((t) => [t.status, t.foundTotal, t.foundProfiles])).toEqual(
      plan.threads.map((t) => ['exact', t.total, t.profileCount])
    );
    // The fixtures' totals, as pushed (see pushUpload.test.ts).
    expect(report.threads.map((t) => t.foundTotal).sort((a, b) => a - b)).toEqual([
      50_000_000, 2_480_000_000, 14_000_000_000, 14_000_000_000,
    ]);
    expect(plan.threads.some((t) => t.profileCount > 1)).toBe(true);
    const main = plan.threads.findIndex((t) => t.labelValue === 'MainThread');
    expect(describeArrival(report.threads[main], format)).toBe(
      `arrived exactly: ${plan.threads[main].profileCount} profiles, total 2480000000 nanoseconds`
    );
  });

  it('counts with wider steps when the profile times are known (from the pushed refs)', async () => {
    const plan = fixturePlan();
    const batches = await push(plan);
    const times = new Map<string, number[]>();
    for (const ref of batches.flatMap((b) => b.profiles)) {
      times.set(ref.threadKey, [...(times.get(ref.threadKey) ?? []), Number(ref.timeNanos / 1_000_000n)]);
    }
    const steps: number[] = [];
    const inner = fetchTransport(baseUrl);
    const recording = new PyroscopeClient({
      description: inner.description,
      post: (path, body, signal) => {
        steps.push(JSON.parse(String(body)).step);
        return inner.post(path, body, signal);
      },
    });
    const report = await verifyUpload(recording, expectationsFromPlan(summary(plan), { profileTimesMs: times }));
    expect(report.threads.map((t) => [t.status, t.foundProfiles])).toEqual(
      plan.threads.map((t) => ['exact', t.profileCount])
    );
    // Slices of 2 s: steps of 2 s for threads of several profiles; one step over the range for a thread of one.
    const range = (plan.toMs - plan.fromMs + 1) / 1000;
    expect(steps).toEqual(plan.threads.map((t) => (t.profileCount > 1 ? 2 : range)));
  });

  it('says "missing 1" with the numbers when one stored profile is gone', async () => {
    const plan = fixturePlan();
    await push(plan);
    const main = plan.threads.find((t) => t.labelValue === 'MainThread')!;
    const response = await fetch(`${baseUrl}/standin/remove`, {
      method: 'POST',
      body: JSON.stringify({ labels: { thread_name: 'MainThread' }, nth: 0 }),
    });
    expect(response.status).toBe(200);
    const removedNanos = BigInt(((await response.json()) as { timeNanos: string }).timeNanos);
    const removed = plan.profiles.find((p) => p.threadKey === main.threadKey && p.timeNanos === removedNanos)!;
    expect(removed.total).toBeGreaterThan(0);

    const report = await verifyUpload(client, expectationsFromPlan(summary(plan)), {
      sleep: recordSleep,
      maxRounds: 3,
      baseDelayMs: 100,
    });
    expect(report.complete).toBe(false);
    const arrival = report.threads.find((t) => t.threadKey === main.threadKey)!;
    expect(arrival).toMatchObject({
      status: 'missing',
      expectedProfiles: main.profileCount,
      foundProfiles: main.profileCount - 1,
      missingProfiles: 1,
      expectedTotal: 2_480_000_000,
      foundTotal: 2_480_000_000 - removed.total,
      missingTotal: removed.total,
      attempts: 3,
    });
    expect(describeArrival(arrival, format)).toBe(
      `missing 1: 1 of ${main.profileCount} profiles not found; total ${2_480_000_000 - removed.total} nanoseconds of ` +
        `2480000000 nanoseconds (${removed.total} nanoseconds short)`
    );
    // Only the missing thread was asked again, after 100 then 200 ms.
    expect(sleeps).toEqual([100, 200]);
    expect(report.threads.filter((t) => t.status === 'exact')).toHaveLength(plan.threads.length - 1);
  });

  it('retries "not queryable yet" with backoff and then finds everything', async () => {
    const plan = fixturePlan();
    await push(plan);
    const expectations = expectationsFromPlan(summary(plan));
    // The first round sees nothing (one query per thread), the second sees all.
    standIn.setFaults({ notQueryable: expectations.length });
    const retries: unknown[] = [];
    const report = await verifyUpload(client, expectations, {
      sleep: recordSleep,
      onRetry: (info) => retries.push(info),
    });
    expect(report.complete).toBe(true);
    expect(report.rounds).toBe(2);
    expect(sleeps).toEqual([500]);
    expect(retries).toEqual([{ round: 2, delayMs: 500, pending: expectations.length }]);
    expect(report.threads.every((t) => t.attempts === 2)).toBe(true);
  });

  it('gives up after the last round and says nothing was visible', async () => {
    const plan = fixturePlan();
    await push(plan);
    const expectations = expectationsFromPlan(summary(plan)).slice(0, 1);
    standIn.setFaults({ notQueryable: 100 });
    const report = await verifyUpload(client, expectations, {
      sleep: recordSleep,
      maxRounds: 4,
      baseDelayMs: 500,
      maxDelayMs: 1500,
    });
    expect(sleeps).toEqual([500, 1000, 1500]);
    expect(report.threads[0]).toMatchObject({ status: 'not-queryable', foundTotal: 0, attempts: 4 });
    expect(describeArrival(report.threads[0], format)).toBe('not queryable yet: nothing visible after 4 queries');
  });

  it('says "more than expected" when an overlapping push added to the same series', async () => {
    const plan = fixturePlan();
    await push(plan);
    // The same files again one second later: same labels, other times.
    await push(fixturePlan(FROM + 1000));
    const report = await verifyUpload(client, expectationsFromPlan(summary(plan)), { sleep: recordSleep });
    expect(report.threads.every((t) => t.status === 'more')).toBe(true);
    expect(report.threads.map((t) => t.foundTotal)).toEqual(plan.threads.map((t) => 2 * t.total));
    expect(sleeps).toEqual([]);
  });

  it('throws a query error that retrying cannot fix', async () => {
    const plan = fixturePlan();
    const html = new PyroscopeClient({
      description: 'login page',
      post: async () => ({ status: 200, body: '<html></html>', contentType: 'text/html' }),
    });
    await expect(verifyUpload(html, expectationsFromPlan(summary(plan)))).rejects.toThrow(PyroscopeHttpError);
  });
});

describe('findExisting', () => {
  it('finds nothing before the first push', async () => {
    const report = await findExisting(client, summary(fixturePlan()));
    expect(report).toMatchObject({ overlaps: false, rePush: false });
    expect(report.placeAfterMs).toBeUndefined();
    expect(report.threads.every((t) => t.status === 'none' && t.foundTotal === 0)).toBe(true);
  });

  it('recognises the same upload pushed before as a re-push', async () => {
    const plan = fixturePlan();
    await push(plan);
    const report = await findExisting(client, summary(plan));
    expect(report.rePush).toBe(true);
    expect(report.overlaps).toBe(false);
    expect(report.threads.map((t) => [t.status, t.foundTotal])).toEqual(plan.threads.map((t) => ['same', t.total]));
  });

  it('finds an overlapping upload in the range and where to place the new one after it', async () => {
    const earlier = fixturePlan(FROM - 2000);
    await push(earlier);
    const plan = fixturePlan();
    const report = await findExisting(client, summary(plan));
    expect(report.overlaps).toBe(true);
    expect(report.rePush).toBe(false);
    const lastEarlierMs = Math.max(
      ...earlier.profiles
        .filter((p) => p.timeNanos >= BigInt(plan.fromMs) * 1_000_000n)
        .map((p) => Number(p.timeNanos / 1_000_000n))
    );
    expect(report.placeAfterMs).toBeGreaterThan(lastEarlierMs);
    expect(report.placeAfterMs! % 1000).toBe(0);
    // Pushed there, the new upload verifies exactly.
    const moved = fixturePlan(report.placeAfterMs!);
    await push(moved);
    const verified = await verifyUpload(client, expectationsFromPlan(summary(moved)), { sleep: recordSleep });
    expect(verified.complete).toBe(true);
  });
});

describe('verifying with what was there before the push', () => {
  it('a deliberate re-push arrives exactly, with the copy counted twice until compaction and once after', async () => {
    const plan = fixturePlan();
    await push(plan);
    const before = await findExisting(client, summary(plan));
    expect(before.rePush).toBe(true);
    await push(plan);
    const expectations = withExisting(expectationsFromPlan(summary(plan)), before);
    // The stand-in, like v2 before compaction, shows both copies.
    const doubled = await verifyUpload(client, expectations, { sleep: recordSleep });
    expect(doubled.complete).toBe(true);
    expect(doubled.threads.map((t) => t.foundTotal)).toEqual(plan.threads.map((t) => 2 * t.total));
    const main = plan.threads.findIndex((t) => t.labelValue === 'MainThread');
    expect(describeArrival(doubled.threads[main], format)).toBe(
      'arrived exactly: total 2480000000 nanoseconds on top of the 2480000000 nanoseconds there before'
    );
    // Compaction keeps one profile per (labels, time), as v1 does at query time.
    expect(standIn.compact()).toBe(plan.profiles.length);
    const once = await verifyUpload(client, expectations, { sleep: recordSleep });
    expect(once.complete).toBe(true);
    expect(describeArrival(once.threads[main], format)).toBe(
      'arrived exactly: total 2480000000 nanoseconds (the 2480000000 nanoseconds there before is the same data, counted once)'
    );
  });

  it('an upload into a range with other data arrives on top of it; without the baseline it is "more"', async () => {
    await push(fixturePlan(FROM - 2000));
    const plan = fixturePlan();
    const before = await findExisting(client, summary(plan));
    expect(before.overlaps).toBe(true);
    await push(plan);
    const plain = await verifyUpload(client, expectationsFromPlan(summary(plan)), { sleep: recordSleep });
    // GetTelemetryConfig's earlier 50 ms lie before the range: only the longer threads overlap.
    expect(before.threads.filter((t) => t.status === 'overlap').length).toBe(3);
    expect(plain.threads.map((t) => t.status)).toEqual(
      before.threads.map((t) => (t.status === 'overlap' ? 'more' : 'exact'))
    );
    const based = await verifyUpload(client, withExisting(expectationsFromPlan(summary(plan)), before), {
      sleep: recordSleep,
    });
    expect(based.threads.map((t) => t.status)).toEqual(plan.threads.map(() => 'exact'));
    // One profile gone: missing, with the numbers including what was there before.
    // The earlier upload stored MainThread's two profiles first; the third is the new upload's first.
    const removed = standIn.removeProfile({ thread_name: 'MainThread' }, 2)!;
    expect(removed.total).toBe(2_000_000_000);
    const after = await verifyUpload(client, withExisting(expectationsFromPlan(summary(plan)), before), {
      sleep: recordSleep,
      maxRounds: 1,
    });
    const main = plan.threads.findIndex((t) => t.labelValue === 'MainThread');
    const existing = before.threads[main].foundTotal;
    expect(after.threads[main]).toMatchObject({
      status: 'missing',
      foundTotal: 2_480_000_000 + existing - removed.total,
      missingTotal: removed.total,
      existingTotal: existing,
    });
  });
});

describe('selectSeries', () => {
  it('puts a profile in the first point at or after it, reads one step before start, and none after the last point', async () => {
    const plan = fixturePlan();
    await push(plan);
    const main = plan.profiles.filter((p) => p.threadLabelValue === 'MainThread');
    const t0 = Number(main[0].timeNanos / 1_000_000n);
    const query = { profileTypeId: main[0].profileTypeId, labelSelector: '{thread_name="MainThread"}', stepSeconds: 1 };
    const points = async (startMs: number, endMs: number) =>
      (await client.selectSeries({ ...query, startMs, endMs })).flatMap((s) =>
        s.points.map((p) => [p.timestampMs - t0, p.value])
      );
    expect(await points(t0 - 1, t0 + 999)).toEqual([[999, main[0].total]]);
    expect(await points(t0 + 999, t0 + 999)).toEqual([[999, main[0].total]]);
    expect(await points(t0 + 1000, t0 + 1999)).toEqual([]);
  });
});

describe('PyroscopeClient.selectSeries', () => {
  it('sends querier.v1.SelectSeriesRequest as Connect JSON and reads proto3 JSON answers (int64 as strings, zero values left out)', async () => {
    const sent: Array<{ path: string; body: unknown }> = [];
    const fake = new PyroscopeClient({
      description: 'fake',
      post: async (path, body) => {
        sent.push({ path, body: JSON.parse(String(body)) });
        return {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            series: [
              {
                labels: [{ name: 'thread_name', value: 'a' }],
                points: [{ timestamp: '1000', value: 2.5 }, { timestamp: '2000' }],
              },
              {},
            ],
          }),
        };
      },
    });
    const series = await fake.selectSeries({
      profileTypeId: 'wall:wall:nanoseconds:cpu:nanoseconds',
      labelSelector: '{service_name="x"}',
      startMs: 1000,
      endMs: 2000,
      stepSeconds: 0.5,
      groupBy: ['thread_name'],
    });
    expect(sent).toEqual([
      {
        path: '/querier.v1.QuerierService/SelectSeries',
        body: {
          profileTypeID: 'wall:wall:nanoseconds:cpu:nanoseconds',
          labelSelector: '{service_name="x"}',
          start: '1000',
          end: '2000',
          step: 0.5,
          groupBy: ['thread_name'],
        },
      },
    ]);
    expect(series).toEqual([
      {
        labels: [{ name: 'thread_name', value: 'a' }],
        points: [
          { timestampMs: 1000, value: 2.5 },
          { timestampMs: 2000, value: 0 },
        ],
      },
      { labels: [], points: [] },
    ]);
  });
});

describe('exactStepMs', () => {
  it('keeps steps the querier converts back exactly, and steps down from those it would shorten', () => {
    expect([1, 2, 999, 1000, 2000, 14_001].map(exactStepMs)).toEqual([1, 2, 999, 1000, 2000, 14_001]);
    // 1.001 s * 1e9 is 1 000 999 999.99… ns: Go's Duration truncates it to 1000 ms.
    expect(exactStepMs(1001)).toBe(1000);
  });
});

describe('labelSelector', () => {
  it('quotes values with escapes', () => {
    expect(labelSelector([{ name: 'thread_name', value: 'a "b" \\ c' }])).toBe('{thread_name="a \\"b\\" \\\\ c"}');
  });
});
