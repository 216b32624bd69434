/**
 * The Pyroscope stand-in against the behaviours it claims to imitate (tests/standins/README.md), each with the
 * server's own wording. Profiles are written byte by byte (pprofBytes.ts) so that malformed ones can be sent.
 */
import { request } from 'node:http';
import { PyroscopeStandIn, StandInOptions } from '../pyroscopeStandIn';
import { humanizeBytes, humanizeIBytes, TenantRateLimiter } from '../pyroscope/rateLimiter';
import { goTimeString } from '../pyroscope/validation';
import { cpuProfile, pprofBytes, pushBody, RawProfileSpec } from './pprofBytes';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T = BigInt(NOW - 60_000) * 1_000_000n;
const LABELS = { __name__: 'process_cpu', service_name: 'svc', thread_name: 'main' };

let standIn: PyroscopeStandIn;
let url: string;
let clock: number;

async function startWith(options: StandInOptions = {}) {
  await standIn?.stop();
  clock = NOW;
  standIn = new PyroscopeStandIn({ now: () => clock, ...options });
  url = await standIn.start();
}

beforeEach(() => startWith());
afterAll(() => standIn.stop());

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), res };
}

const push = (body: string, headers?: Record<string, string>) => post('/push.v1.PusherService/Push', body, headers);
const error = (message: string, code = 'invalid_argument') => JSON.stringify({ code, message });
const one = (spec: RawProfileSpec, labels: Record<string, string> = LABELS) =>
  pushBody([{ labels, profiles: [pprofBytes(spec)] }]);
const LS = '{__name__="process_cpu", service_name="svc", thread_name="main"}';

describe('push, profile by profile (distributor.go Push / PushBatch / pushSeries)', () => {
  it('stores a valid profile with its exact total and sorted labels', async () => {
    const r = await push(one(cpuProfile(T, { main: 3, work: 40 })));
    expect([r.status, r.text]).toEqual([200, '{}']);
    expect(standIn.series()).toEqual([{ labels: LABELS, profiles: 1, total: 43, timeNanos: [String(T)] }]);
    expect(standIn.stored[0].sampleType).toBe('cpu:nanoseconds:cpu:nanoseconds');
  });

  it('adds service_name="unknown_service" when the series has none', async () => {
    const r = await push(one(cpuProfile(T, { main: 1, work: 1 }), { __name__: 'process_cpu' }));
    expect(r.status).toBe(200);
    expect(standIn.series()[0].labels).toEqual({ __name__: 'process_cpu', service_name: 'unknown_service' });
  });

  it("stores the valid profiles of a partly rejected request and answers with the rejected one's error", async () => {
    const bad = cpuProfile(T + 1n, { main: 5, work: 5 });
    bad.locations[0].id = 0;
    const body = pushBody([
      { labels: LABELS, profiles: [pprofBytes(cpuProfile(T, { main: 1, work: 2 })), pprofBytes(bad)] },
      { labels: { ...LABELS, thread_name: 'other' }, profiles: [pprofBytes(cpuProfile(T, { main: 10, work: 0 }))] },
    ]);
    const r = await push(body);
    expect([r.status, r.text]).toEqual([400, error('location id is 0')]);
    expect(standIn.series().map((s) => [s.labels.thread_name, s.total])).toEqual([
      ['main', 3],
      ['other', 10],
    ]);
  });

  it("answers with the first failing profile's error when several fail (the Connect error the list unwraps to)", async () => {
    const old = cpuProfile(BigInt(NOW - 2 * 3_600_000) * 1_000_000n, { main: 1, work: 1 });
    const dashed = cpuProfile(T, { main: 1, work: 1 });
    dashed.strings[1] = 'cpu-time';
    const r = await push(pushBody([{ labels: LABELS, profiles: [pprofBytes(old), pprofBytes(dashed)] }]));
    const t = NOW - 2 * 3_600_000;
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).message).toBe(
      `profile with labels '${LS}' is outside of ingestion window (profile timestamp: ${goTimeString(t)}, ` +
        `the ingestion window starts at ${goTimeString(NOW - 3_600_000)} and ends at ${goTimeString(NOW + 600_000)})`
    );
    expect(goTimeString(Date.UTC(2026, 10, 25, 10, 0, 0, 120))).toBe('2026-11-25 10:00:00.12 +0000 UTC');
    expect(standIn.stored).toHaveLength(0);
  });

  it('answers "no profiles received" for a request without samples', async () => {
    const r = await push(JSON.stringify({ series: [{ labels: [{ name: '__name__', value: 'x' }], samples: [] }] }));
    expect([r.status, r.text]).toEqual([400, error('no profiles received')]);
  });

  it("validates labels after the profile, with the server's messages", async () => {
    const r = await push(one(cpuProfile(T, { main: 1, work: 1 }), { ...LABELS, 'thread-name': 'x' }));
    expect(JSON.parse(r.text).message).toBe(
      `invalid labels '{__name__="process_cpu", service_name="svc", thread-name="x", thread_name="main"}' with error: invalid label name 'thread-name'`
    );
    const long = await push(one(cpuProfile(T, { main: 1, work: 1 }), { ...LABELS, thread_name: 'é'.repeat(1025) }));
    expect(JSON.parse(long.text).message).toMatch(/has label value too long: 'é{1025}'$/);
  });
});

describe('pprof checks (validation.ValidateProfile) and Normalize (pprof.Profile.Normalize)', () => {
  const cases: Array<[string, (p: RawProfileSpec) => void, string]> = [
    ['function id 0', (p) => (p.functions[1].id = 0), 'function id is 0'],
    [
      'a value count that differs from the sample types',
      (p) => p.samples[0].values.push(1),
      'sample value length mismatch',
    ],
    [
      'a function name index past the string table',
      (p) => (p.functions[0].name = 99),
      'function name string index out of range',
    ],
    [
      'a file name index past the string table',
      (p) => (p.functions[0].filename = 99),
      'function file name string index out of range',
    ],
    [
      'a sample type index past the string table',
      (p) => (p.sampleTypes[0][0] = 42),
      'sample type type string index out of range',
    ],
    ['a first string that is not empty', (p) => (p.strings[0] = 'x'), 'string 0 should be empty string'],
    ['a sample type with "-"', (p) => (p.strings[1] = 'cpu-time'), 'sample type contains -'],
    ['invalid UTF-8', (p) => (p.strings[3] = Uint8Array.from([0x6d, 0xff, 0x61])), 'invalid utf8 string hex: 6dff61'],
    ['no sample type', (p) => (p.sampleTypes = []), 'empty profile'],
  ];
  it.each(cases)('rejects %s', async (_, mutate, message) => {
    const spec = cpuProfile(T, { main: 1, work: 2 });
    mutate(spec);
    const r = await push(one(spec));
    expect([r.status, JSON.parse(r.text)]).toEqual([400, { code: 'invalid_argument', message }]);
    expect(standIn.stored).toHaveLength(0);
  });

  it('rejects more samples than the limit, naming the labels', async () => {
    await startWith({ limits: { maxProfileStacktraceSamples: 1 } });
    const r = await push(one(cpuProfile(T, { main: 1, work: 2 })));
    expect(JSON.parse(r.text).message).toBe(
      `the profile with labels '${LS}' exceeds the samples count limit (max_profile_stacktrace_samples, actual: 2, limit: 1)`
    );
  });

  it('drops samples whose values are all zero or any negative, merges equal stacks, and keeps the total', async () => {
    const spec = cpuProfile(T, { main: 0, work: 7 });
    spec.samples.push({ locations: [2, 1], values: [5] }, { locations: [1], values: [-3] });
    expect((await push(one(spec))).status).toBe(200);
    expect(standIn.stored[0]).toMatchObject({ total: 12, sampleCount: 1 });
  });

  it('accepts a profile left empty by Normalize with 200 and stores nothing', async () => {
    const r = await push(one(cpuProfile(T, { main: 0, work: 0 })));
    expect([r.status, r.text, standIn.stored.length]).toEqual([200, '{}', 0]);
  });

  it('drops samples that point at a location that does not exist', async () => {
    const spec = cpuProfile(T, { main: 4, work: 6 });
    spec.samples[0].locations = [9, 1];
    expect((await push(one(spec))).status).toBe(200);
    expect(standIn.stored[0].total).toBe(4);
  });

  it('truncates stacks deeper than the limit at the root side instead of rejecting', async () => {
    await startWith({ limits: { maxProfileStacktraceDepth: 1 } });
    expect((await push(one(cpuProfile(T, { main: 1, work: 2 })))).status).toBe(200);
    expect(standIn.stored[0].profile.sample.map((s) => s.locationId)).toEqual([[1]]);
  });

  it('refuses a profile over the uncompressed size limit while decompressing (SI units, as go-humanize prints)', async () => {
    await startWith({ limits: { maxProfileSizeBytes: 64 } });
    const r = await push(one(cpuProfile(T, { main: 1, work: 2 })));
    expect([r.status, JSON.parse(r.text).message]).toEqual([
      400,
      'uncompressed profile payload size exceeds limit of 64 B',
    ]);
    expect(humanizeBytes(4 * 1024 * 1024)).toBe('4.2 MB');
  });

  it('v1.16 decompresses without a cap: an oversized profile meets the rate limiter first', async () => {
    await startWith({ version: '1.16', limits: { maxProfileSizeBytes: 64 }, burstBytes: 100 });
    const r = await push(one(cpuProfile(T, { main: 1, work: 2 })));
    expect([r.status, JSON.parse(r.text).code]).toEqual([429, 'resource_exhausted']);
    await startWith({ version: '1.16', limits: { maxProfileSizeBytes: 64 } });
    const sized = await push(one(cpuProfile(T, { main: 1, work: 2 })));
    expect(JSON.parse(sized.text).message).toMatch(
      /exceeds the size limit \(max_profile_size_byte, actual: \d+, limit: 64\)$/
    );
  });

  it('answers 500 "unknown" for bytes that are not a protobuf', async () => {
    const body = JSON.stringify({
      series: [
        {
          labels: [{ name: '__name__', value: 'x' }],
          samples: [{ rawProfile: Buffer.from([0x0a, 0xff]).toString('base64') }],
        },
      ],
    });
    const r = await push(body);
    expect([r.status, JSON.parse(r.text).code]).toEqual([500, 'unknown']);
    await startWith({ version: '1.16' });
    expect(JSON.parse((await push(body)).text)).toEqual({ code: 'invalid_argument', message: 'no profiles received' });
  });
});

describe('rate limit per profile (distributor.go rateLimit, rate_strategy.go, limits.go)', () => {
  it('defaults to 4 MiB/s and a 2 MiB burst, counted in 1 048 576-byte MBs', () => {
    const limiter = new TenantRateLimiter({}, () => 0);
    expect([limiter.rate, limiter.burst]).toEqual([4_194_304, 2_097_152]);
    expect(humanizeIBytes(limiter.rate)).toBe('4.0 MiB');
  });

  it('charges label bytes plus decompressed bytes per profile: the second profile of a request gets 429, the first stays', async () => {
    const profile = pprofBytes(cpuProfile(T, { main: 1, work: 2 }));
    const labelBytes = Object.entries(LABELS).reduce((s, [k, v]) => s + k.length + v.length, 0);
    const cost = labelBytes + profile.length;
    await startWith({ rateBytesPerSecond: 1000, burstBytes: cost + 10 });
    const second = pprofBytes(cpuProfile(T + 1n, { main: 1, work: 2 }));
    const r = await push(pushBody([{ labels: LABELS, profiles: [profile, second] }]));
    expect([r.status, JSON.parse(r.text)]).toEqual([
      429,
      { code: 'resource_exhausted', message: `push rate limit (1000 B) exceeded while adding ${cost} B` },
    ]);
    expect(standIn.stored).toHaveLength(1);
    // The bucket refills at the rate: one second later the same profile fits again.
    clock += 1000;
    expect((await push(pushBody([{ labels: LABELS, profiles: [second] }]))).status).toBe(200);
  });

  it('never admits a profile larger than the burst', async () => {
    await startWith({ burstBytes: 50 });
    expect((await push(one(cpuProfile(T, { main: 1, work: 2 })))).status).toBe(429);
  });

  it("divides the tenant's rate by the number of distributors, not the burst", () => {
    let now = 0;
    const limiter = new TenantRateLimiter({ rateBytesPerSecond: 1000, burstBytes: 1000, distributors: 2 }, () => now);
    expect(limiter.allowN('t', 1000)).toBe(true);
    now += 1000;
    expect([limiter.allowN('t', 501), limiter.allowN('t', 500)]).toEqual([false, true]);
  });
});

describe('tenancy (tenant/interceptor.go)', () => {
  it('answers 401 "no org id" without X-Scope-OrgID when multi-tenant, and keeps tenants apart', async () => {
    await startWith({ multitenancy: true });
    const body = one(cpuProfile(T, { main: 1, work: 1 }));
    expect(await push(body).then((r) => [r.status, r.text])).toEqual([401, error('no org id', 'unauthenticated')]);
    expect(await push(body, { 'X-Scope-OrgID': '' }).then((r) => r.status)).toBe(401);
    expect((await push(body, { 'X-Scope-OrgID': 'team-a' })).status).toBe(200);
    const series = (tenant: string) =>
      post('/querier.v1.QuerierService/Series', JSON.stringify({ labelNames: ['thread_name'] }), {
        'X-Scope-OrgID': tenant,
      });
    expect(JSON.parse((await series('team-a')).text).labelsSet).toHaveLength(1);
    expect(JSON.parse((await series('team-b')).text).labelsSet).toHaveLength(0);
  });
});

describe('misbehaviour switches (/standin/faults)', () => {
  const body = () => one(cpuProfile(T, { main: 1, work: 1 }));
  const setFaults = (faults: object) => post('/standin/faults', JSON.stringify(faults));

  it('redirects with a Location and stores nothing', async () => {
    await setFaults({ redirect: 1, redirectStatus: 301, redirectLocation: 'https://elsewhere.example/push' });
    const res = await fetch(url + '/push.v1.PusherService/Push', { method: 'POST', body: body(), redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([301, 'https://elsewhere.example/push']);
    expect(standIn.stored).toHaveLength(0);
  });

  it('answers 200 with an HTML login page and stores nothing', async () => {
    await setFaults({ html200: 1 });
    const r = await push(body());
    expect([r.status, r.type, r.text.startsWith('<!doctype html>')]).toEqual([200, 'text/html; charset=utf-8', true]);
    expect(standIn.stored).toHaveLength(0);
  });

  it('sends headers and then trickles a body that never ends', async () => {
    await setFaults({ trickle: 1, trickleEveryMs: 5 });
    const controller = new AbortController();
    const res = await fetch(url + '/push.v1.PusherService/Push', {
      method: 'POST',
      body: body(),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toMatch(/^ +$/);
    controller.abort();
    expect(standIn.stored).toHaveLength(0);
  });

  it('never answers a hanging request', async () => {
    await setFaults({ hang: 1 });
    const controller = new AbortController();
    let settled = false;
    const pending = fetch(url + '/push.v1.PusherService/Push', {
      method: 'POST',
      body: body(),
      signal: controller.signal,
    })
      .then(() => (settled = true))
      .catch(() => 'aborted');
    await standIn.requestMatching((r) => r.status === -1);
    expect(settled).toBe(false);
    controller.abort();
    expect(await pending).toBe('aborted');
  });

  it('records a client that goes away in the middle of its body as -2, and keeps serving', async () => {
    const { hostname, port } = new URL(url);
    const upload = request({
      host: hostname,
      port,
      method: 'POST',
      path: '/push.v1.PusherService/Push',
      headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' },
    });
    upload.on('error', () => undefined);
    // The headers and a part of the body reach the stand-in; the rest never comes.
    upload.write('{"series":[', () => upload.destroy());
    const abandoned = await standIn.requestMatching((r) => r.status === -2);
    expect([abandoned.path, abandoned.body]).toEqual(['/push.v1.PusherService/Push', '']);
    expect((await push(body())).status).toBe(200);
    expect(standIn.stored).toHaveLength(1);
  });

  it('answers 400 with a 6 MiB body', async () => {
    await setFaults({ hugeError: 1 });
    const r = await push(body());
    expect([r.status, r.text.length, JSON.parse(r.text).code]).toEqual([400, 6 * 1024 * 1024, 'invalid_argument']);
  });

  it('applies one switch per request, in turn, and then behaves', async () => {
    await setFaults({ status429: 1, status500: 1 });
    expect([(await push(body())).status, (await push(body())).status, (await push(body())).status]).toEqual([
      429, 500, 200,
    ]);
  });
});

describe('queries (querier.v1.QuerierService)', () => {
  const q = async (method: string, request: object) =>
    JSON.parse((await post(`/querier.v1.QuerierService/${method}`, JSON.stringify(request))).text);
  const range = { start: String(NOW - 3_600_000), end: String(NOW) };

  beforeEach(async () => {
    await push(
      pushBody([
        {
          labels: LABELS,
          profiles: [
            pprofBytes(cpuProfile(T, { main: 1, work: 2 })),
            pprofBytes(cpuProfile(T + 10n ** 10n, { main: 4, work: 0 })),
          ],
        },
        { labels: { ...LABELS, thread_name: 'io' }, profiles: [pprofBytes(cpuProfile(T, { main: 0, work: 9 }))] },
      ])
    );
  });

  it('lists series, label values and profile types', async () => {
    expect(
      await q('Series', {
        ...range,
        matchers: ['{service_name="svc"}'],
        labelNames: ['thread_name', '__profile_type__'],
      })
    ).toEqual({
      labelsSet: ['main', 'io'].map((thread) => ({
        labels: [
          { name: '__profile_type__', value: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds' },
          { name: 'thread_name', value: thread },
        ],
      })),
    });
    expect(await q('LabelValues', { ...range, name: 'thread_name', matchers: ['{service_name="svc"}'] })).toEqual({
      names: ['io', 'main'],
    });
    expect(await q('ProfileTypes', range)).toEqual({
      profileTypes: [
        {
          ID: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
          name: 'process_cpu',
          sampleType: 'cpu',
          sampleUnit: 'nanoseconds',
          periodType: 'cpu',
          periodUnit: 'nanoseconds',
        },
      ],
    });
  });

  it('sums per thread with SelectSeries and merges stacks with SelectMergeStacktraces', async () => {
    const series = await q('SelectSeries', {
      ...range,
      profileTypeID: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      labelSelector: '{service_name="svc", thread_name=~"main|io"}',
      groupBy: ['thread_name'],
      step: 3600,
    });
    expect(
      series.series.map((s: { labels: unknown; points: Array<{ value: number }> }) => [
        s.labels,
        s.points.map((p) => p.value),
      ])
    ).toEqual([
      [[{ name: 'thread_name', value: 'main' }], [7]],
      [[{ name: 'thread_name', value: 'io' }], [9]],
    ]);
    const merged = await q('SelectMergeStacktraces', {
      ...range,
      profileTypeID: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      labelSelector: '{thread_name="main"}',
    });
    expect(merged.flamegraph).toEqual({
      names: ['total', 'main', 'work'],
      levels: [{ values: ['0', '7', '0', '0'] }, { values: ['0', '7', '5', '1'] }, { values: ['0', '2', '2', '2'] }],
      total: '7',
      maxSelf: '5',
    });
  });

  it('hides everything from the next n queries with the notQueryable switch', async () => {
    await post('/standin/faults', JSON.stringify({ notQueryable: 1 }));
    expect(await q('LabelValues', { ...range, name: 'thread_name' })).toEqual({ names: [] });
    expect(await q('LabelValues', { ...range, name: 'thread_name' })).toEqual({ names: ['io', 'main'] });
  });

  it('makes profiles queryable queryLagMs after they were stored', async () => {
    await startWith({ queryLagMs: 500 });
    await push(one(cpuProfile(T, { main: 1, work: 1 })));
    expect(await q('LabelValues', { ...range, name: 'thread_name' })).toEqual({ names: [] });
    clock += 500;
    expect(await q('LabelValues', { ...range, name: 'thread_name' })).toEqual({ names: ['main'] });
  });

  it('removes one stored profile on request, for "missing" tests', async () => {
    const r = await post('/standin/remove', JSON.stringify({ labels: { thread_name: 'main' }, nth: 1 }));
    expect(JSON.parse(r.text)).toEqual({ removed: 1, timeNanos: String(T + 10n ** 10n) });
    expect(standIn.series().map((s) => [s.labels.thread_name, s.profiles, s.total])).toEqual([
      ['main', 1, 3],
      ['io', 1, 9],
    ]);
  });
});

describe('routing', () => {
  it("answers an unknown path with 404 and another method with 405, as Go's mux and connect-go do", async () => {
    const missing = await post('/push.v1.PusherService/Nope', '{}');
    expect([missing.status, missing.text]).toEqual([404, '404 page not found\n']);
    expect((await fetch(url + '/push.v1.PusherService/Push')).status).toBe(405);
    const form = await post('/push.v1.PusherService/Push', '{}', { 'Content-Type': 'text/plain' });
    expect([form.status, form.res.headers.get('accept-post')]).toEqual([
      415,
      'application/json, application/json; charset=utf-8, application/proto',
    ]);
  });
});

describe('compaction (phlaredb/compact.go)', () => {
  it('keeps one profile per label set and time', async () => {
    const body = one(cpuProfile(T, { main: 1, work: 1 }));
    await push(body);
    await push(body);
    expect([standIn.stored.length, standIn.compact(), standIn.stored.length]).toEqual([2, 1, 1]);
  });
});
