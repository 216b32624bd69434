/**
 * Per-profile push semantics with a scripted transport: each request gets the next scripted answer, written the
 * way Pyroscope's distributor and connect-go word them. No network, no real time: clock and sleep are injected.
 */
import { batchProfiles, BatchLimits, PushBatch } from '../batches';
import { EncodedProfile } from '../encodeUpload';
import { PyroscopeClient, PyroscopeTransport, TransportError, TransportResponse } from '../pyroscopeClient';
import { namedFailures, PushOptions, PushThread, pushUpload } from '../pushUpload';

const MIB = 1_048_576;

function profile(thread: number, index: number, costBytes = 100_000): EncodedProfile {
  return {
    ref: {
      threadKey: `0:${thread}`,
      labels: [
        { name: '__name__', value: 'process_cpu' },
        { name: 'service_name', value: 'svc' },
        { name: 'thread_name', value: `t${thread}` },
      ],
      timeNanos: BigInt(index) * 1_000_000_000n,
      id: `id-${thread}-${index}`,
      uncompressedBytes: costBytes - 40,
      costBytes,
    },
    gzipped: new Uint8Array([thread, index]),
  };
}

const thread = (index: number, profilesTotal: number): PushThread => ({
  threadKey: `0:${index}`,
  fileName: 'f.json',
  threadIndex: index,
  threadName: `t${index}`,
  labelValue: `t${index}`,
  profilesTotal,
});

async function batchesOf(profiles: EncodedProfile[], limits?: BatchLimits): Promise<PushBatch[]> {
  const out: PushBatch[] = [];
  for await (const batch of batchProfiles(profiles, limits)) {
    out.push(batch);
  }
  return out;
}

type Answer = TransportResponse | Error | ((ids: string[]) => TransportResponse);

const json = (status: number, body: unknown, extra: Partial<TransportResponse> = {}): TransportResponse => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
  ...extra,
});
const OK = json(200, {});

/** Answers requests in order; records the profile ids each request carried. */
function scripted(answers: Answer[]): { client: PyroscopeClient; sent: string[][] } {
  const sent: string[][] = [];
  const transport: PyroscopeTransport = {
    description: 'scripted',
    async post(_path, body) {
      const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
      const request = JSON.parse(text) as { series: Array<{ samples: Array<{ ID: string }> }> };
      const ids = request.series.flatMap((s) => s.samples.map((sample) => sample.ID));
      sent.push(ids);
      const answer = answers.shift();
      if (answer === undefined) {
        throw new Error('no scripted answer left');
      }
      if (answer instanceof Error) {
        throw answer;
      }
      return typeof answer === 'function' ? answer(ids) : answer;
    },
  };
  return { client: new PyroscopeClient(transport), sent };
}

/** A fake clock that sleeping advances. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    options: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(Math.round(ms));
        now += ms;
      },
    } satisfies Pick<PushOptions, 'now' | 'sleep'>,
  };
}

describe('namedFailures: what the answer says about which profiles failed', () => {
  const profiles = [profile(0, 0).ref, profile(0, 1).ref, profile(0, 2).ref];

  it('reads the whole multierror list when its length matches its count', () => {
    const message =
      '2 errors: push series with index 0 and id id-0-0 failed: ingester down; push series with index 2 and id id-0-2 failed: timeout';
    expect(namedFailures(message, profiles)).toEqual(
      new Map([
        ['id-0-0', 'ingester down'],
        ['id-0-2', 'timeout'],
      ])
    );
    expect(namedFailures('push series with index 1 and id id-0-1 failed: boom', profiles)).toEqual(
      new Map([['id-0-1', 'boom']])
    );
  });

  it('names nothing when the list is not the whole message or names a profile not in the request', () => {
    expect(namedFailures('3 errors: push series with index 0 and id id-0-0 failed: x; other; other', profiles)).toBe(
      undefined
    );
    expect(namedFailures('push rate limit (4.0 MiB) exceeded while adding 1.2 MiB', profiles)).toBe(undefined);
    expect(namedFailures('push series with index 0 and id someone-else failed: x', profiles)).toBe(undefined);
  });
});

describe('pushUpload: per-profile outcomes', () => {
  const retry = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

  it('after a 500 that names the failed profiles, counts the others stored and re-sends only those', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1), profile(1, 0)]);
    const { client, sent } = scripted([
      json(500, {
        code: 'unknown',
        message: 'push series with index 1 and id id-0-1 failed: rpc error: ingester unavailable',
      }),
      OK,
    ]);
    const time = fakeTime();
    const report = await pushUpload(client, batches, [thread(0, 2), thread(1, 1)], [], { ...time.options, retry });
    expect(sent).toEqual([['id-0-0', 'id-0-1', 'id-1-0'], ['id-0-1']]);
    expect(report).toMatchObject({ complete: true, requests: 2, retries: 1 });
    expect(report.threads.map((t) => [t.status, t.profilesPushed])).toEqual([
      ['pushed', 2],
      ['pushed', 1],
    ]);
  });

  it('after a 400 that names the failed profiles, rejects those with their own reasons and stores the rest', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1), profile(1, 0)]);
    const { client, sent } = scripted([
      json(400, {
        code: 'invalid_argument',
        message:
          '2 errors: push series with index 0 and id id-0-0 failed: too many samples; push series with index 2 and id id-1-0 failed: bad utf8',
      }),
    ]);
    const report = await pushUpload(client, batches, [thread(0, 2), thread(1, 1)], [], { ...fakeTime().options });
    expect(sent).toHaveLength(1);
    expect(report.threads.map((t) => [t.status, t.profilesPushed, t.profilesRejected, t.reason])).toEqual([
      ['failed', 1, 1, '1 of 2 profiles stored; 1 rejected: HTTP 400: too many samples'],
      ['failed', 0, 1, '0 of 1 profiles stored; 1 rejected: HTTP 400: bad utf8'],
    ]);
  });

  it('after a 400 that names no profile, sends each alone for a definite answer', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1), profile(0, 2)]);
    const tooOld = json(400, {
      code: 'invalid_argument',
      message: "profile with labels '{…}' is outside of ingestion window",
    });
    const { client, sent } = scripted([tooOld, OK, tooOld, OK]);
    const report = await pushUpload(client, batches, [thread(0, 3)], [], { ...fakeTime().options });
    expect(sent).toEqual([['id-0-0', 'id-0-1', 'id-0-2'], ['id-0-0'], ['id-0-1'], ['id-0-2']]);
    expect(report.threads[0]).toMatchObject({
      status: 'failed',
      profilesPushed: 2,
      profilesRejected: 1,
      profilesUncertain: 0,
      reason: "2 of 3 profiles stored; 1 rejected: HTTP 400: profile with labels '{…}' is outside of ingestion window",
    });
  });

  it('after a 429 that names no profile, re-sends the same bytes in halves, each paced for its own cost', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1)]);
    const limited = json(429, {
      code: 'resource_exhausted',
      message: 'push rate limit (4.0 MiB) exceeded while adding 98 KiB',
    });
    const { client, sent } = scripted([limited, OK, OK]);
    const time = fakeTime();
    const report = await pushUpload(client, batches, [thread(0, 2)], [], {
      ...time.options,
      retry: { ...retry, baseDelayMs: 10 },
    });
    expect(sent).toEqual([['id-0-0', 'id-0-1'], ['id-0-0'], ['id-0-1']]);
    expect(report).toMatchObject({ complete: true, retries: 1 });
    // The backoff (10 ms); then the bucket the 429 said was empty must hold the first half's 100 000 B at 4 MiB/s:
    // 23.8 ms, 13.8 ms of it after the backoff; then 23.8 ms more for the second half.
    expect(time.sleeps).toEqual([10, 14, 24]);
  });

  it('honours Retry-After', async () => {
    const batches = await batchesOf([profile(0, 0)]);
    const { client } = scripted([json(503, { code: 'unavailable', message: 'busy' }, { retryAfterSeconds: 7 }), OK]);
    const time = fakeTime();
    const report = await pushUpload(client, batches, [thread(0, 1)], [], { ...time.options, retry });
    expect(report.complete).toBe(true);
    expect(time.sleeps).toEqual([7000]);
  });

  it('rejects, without retrying, a profile whose cost is over the burst when it gets 429', async () => {
    const batches = await batchesOf([profile(0, 0, 3 * MIB), profile(0, 1)]);
    expect(batches.map((b) => b.profiles.length)).toEqual([1, 1]);
    const { client, sent } = scripted([
      json(429, { code: 'resource_exhausted', message: 'push rate limit (4.0 MiB) exceeded while adding 3.0 MiB' }),
      OK,
    ]);
    const report = await pushUpload(client, batches, [thread(0, 2)], [], { ...fakeTime().options, retry });
    expect(sent).toEqual([['id-0-0'], ['id-0-1']]);
    expect(report.threads[0].reason).toBe(
      "1 of 2 profiles stored; 1 rejected: its rate-limit cost of 3.00 MiB is over Pyroscope's ingestion burst of 2.00 MiB, so it can never be accepted; push it in narrower slices (HTTP 429: push rate limit (4.0 MiB) exceeded while adding 3.0 MiB)"
    );
  });

  it('paces requests by the per-profile token bucket: burst first, then the rate divided among distributors', async () => {
    // 6 profiles of 512 KiB in batches of 1 MiB: 3 requests. Bucket 2 MiB full: requests 1 and 2 leave at once;
    // request 3 waits for 1 MiB at 4 MiB/s ÷ 2 distributors = 500 ms.
    const batches = await batchesOf(
      Array.from({ length: 6 }, (_, i) => profile(0, i, 512 * 1024)),
      { maxCostBytes: MIB, maxProfiles: 64 }
    );
    const { client } = scripted([OK, OK, OK]);
    const time = fakeTime();
    const report = await pushUpload(client, batches, [thread(0, 6)], [], {
      ...time.options,
      ingestion: { rateBytesPerSecond: 4 * MIB, burstBytes: 2 * MIB, distributors: 2 },
    });
    expect(report.complete).toBe(true);
    expect(time.sleeps).toEqual([500]);
  });

  it('keeps two requests under way while the bucket holds both beside each other, and a third waits for an answer', async () => {
    // 3 requests of 768 KiB, bucket 2 MiB full: two fit beside each other (1.5 MiB held aside), a third does not.
    const batches = await batchesOf(
      Array.from({ length: 3 }, (_, i) => profile(0, i, 768 * 1024)),
      { maxCostBytes: MIB, maxProfiles: 64 }
    );
    const answers: Array<() => void> = [];
    const sent: string[][] = [];
    const transport: PyroscopeTransport = {
      description: 'held',
      async post(_path, body) {
        const request = JSON.parse(new TextDecoder().decode(body as Uint8Array)) as {
          series: Array<{ samples: Array<{ ID: string }> }>;
        };
        sent.push(request.series.flatMap((s) => s.samples.map((sample) => sample.ID)));
        await new Promise<void>((resolve) => answers.push(resolve));
        return OK;
      },
    };
    const time = fakeTime();
    const pushed = pushUpload(new PyroscopeClient(transport), batches, [thread(0, 3)], [], {
      ...time.options,
      ingestion: { rateBytesPerSecond: 4 * MIB, burstBytes: 2 * MIB, distributors: 1 },
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    await settle();
    expect(sent).toEqual([['id-0-0'], ['id-0-1']]);
    answers.shift()!();
    await settle();
    // The first answer charged 768 KiB: 512 KiB free beside the 768 KiB still under way, so 256 KiB at 4 MiB/s.
    expect(sent).toEqual([['id-0-0'], ['id-0-1'], ['id-0-2']]);
    expect(time.sleeps).toEqual([63]);
    answers.shift()!();
    answers.shift()!();
    expect(await pushed).toMatchObject({ complete: true, requests: 3 });
  });

  it('stops at the overall bound and says what is not stored', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1)], { maxCostBytes: MIB, maxProfiles: 1 });
    const { client } = scripted([json(503, { code: 'unavailable', message: 'busy' }, { retryAfterSeconds: 100 })]);
    const report = await pushUpload(client, batches, [thread(0, 2)], [], {
      ...fakeTime().options,
      retry,
      overallTimeoutMs: 60_000,
      requestsInFlight: 1,
    });
    expect(report).toMatchObject({
      complete: false,
      timedOut: true,
      error: "the push's overall time limit was reached",
    });
    expect(report.threads[0].reason).toBe(
      "0 of 2 profiles stored; 1 uncertain, maybe stored (a read-back tells): HTTP 503: busy; 1 not stored: the push's overall time limit was reached"
    );
  });

  it('stops at a redirect: nothing of it was stored', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1)], { maxCostBytes: MIB, maxProfiles: 1 });
    const { client, sent } = scripted([{ status: 302, body: '', location: 'https://grafana.example/login' }]);
    const report = await pushUpload(client, batches, [thread(0, 2)], [], {
      ...fakeTime().options,
      requestsInFlight: 1,
    });
    expect(sent).toHaveLength(1);
    expect(report.error).toBe(
      'HTTP 302 redirect to https://grafana.example/login: pushes never follow redirects; point the tool at the final URL'
    );
    expect(report.threads[0]).toMatchObject({ status: 'failed', profilesPushed: 0, profilesUncertain: 0 });
  });

  it('a lost connection is retried; a cancel during the request leaves its profiles uncertain', async () => {
    const batches = await batchesOf([profile(0, 0)]);
    const controller = new AbortController();
    const { client } = scripted([
      new TransportError('socket hang up'),
      () => {
        controller.abort();
        throw new Error('aborted');
      },
    ]);
    const report = await pushUpload(client, batches, [thread(0, 1)], [], {
      ...fakeTime().options,
      retry,
      signal: controller.signal,
    });
    expect(report).toMatchObject({ cancelled: true, retries: 1 });
    expect(report.threads[0]).toMatchObject({ status: 'uncertain', profilesUncertain: 1 });
  });

  it('stops after three requests in a row whose every profile was rejected', async () => {
    const batches = await batchesOf(
      Array.from({ length: 5 }, (_, i) => profile(0, i)),
      { maxCostBytes: MIB, maxProfiles: 1 }
    );
    const bad = json(400, { code: 'invalid_argument', message: 'invalid labels' });
    const { client, sent } = scripted([bad, bad, bad]);
    const report = await pushUpload(client, batches, [thread(0, 5)], [], {
      ...fakeTime().options,
      requestsInFlight: 1,
    });
    expect(sent).toHaveLength(3);
    expect(report.error).toBe('stopped after 3 requests in a row whose every profile was rejected');
    expect(report.threads[0].reason).toBe(
      '0 of 5 profiles stored; 3 rejected: HTTP 400: invalid labels; 2 not stored: stopped after 3 requests in a row whose every profile was rejected'
    );
  });

  it('reports progress in rate-limit cost, per outcome', async () => {
    const batches = await batchesOf([profile(0, 0, 1000), profile(0, 1, 3000)], { maxCostBytes: MIB, maxProfiles: 1 });
    const { client } = scripted([OK, json(400, { code: 'invalid_argument', message: 'no' })]);
    const seen: Array<[number, number, number]> = [];
    await pushUpload(client, batches, [thread(0, 2)], [], {
      ...fakeTime().options,
      bytesTotal: 4000,
      onProgress: (p) => seen.push([p.profilesSent, p.profilesStored, p.bytesSent]),
    });
    expect(seen).toEqual([
      [0, 0, 0],
      [1, 1, 1000],
      [2, 1, 4000],
    ]);
  });

  it('when the push stops while sending the profiles of an ambiguous 400 alone, the rest stay uncertain', async () => {
    const batches = await batchesOf([profile(0, 0), profile(0, 1), profile(0, 2)]);
    const { client, sent } = scripted([
      json(400, { code: 'invalid_argument', message: 'one of them is bad' }),
      OK,
      { status: 302, body: '', location: '/login' },
    ]);
    const report = await pushUpload(client, batches, [thread(0, 3)], [], { ...fakeTime().options });
    expect(sent).toEqual([['id-0-0', 'id-0-1', 'id-0-2'], ['id-0-0'], ['id-0-1']]);
    expect(report.threads[0]).toMatchObject({
      status: 'uncertain',
      profilesPushed: 1,
      profilesUncertain: 2,
      reason: '1 of 3 profiles stored; 2 uncertain, maybe stored (a read-back tells): HTTP 400: one of them is bad',
    });
    expect(report.error).toBe(
      'HTTP 302 redirect to /login: pushes never follow redirects; point the tool at the final URL'
    );
  });
});
