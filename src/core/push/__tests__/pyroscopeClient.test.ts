/**
 * What the client counts as an answer, against the Pyroscope stand-in's misbehaviour switches (a proxy's redirect
 * or login page, a server that trickles or hangs, a huge error body). Deadlines use an injected timer that the test
 * fires itself: nothing depends on how fast the machine is.
 */
import { PyroscopeStandIn } from '../../../../tests/standins/pyroscopeStandIn';
import {
  answerError,
  fetchTransport,
  MAX_RESPONSE_BYTES,
  PyroscopeClient,
  PyroscopeHttpError,
  TransportError,
} from '../pyroscopeClient';

let standIn: PyroscopeStandIn;
let url: string;

beforeAll(async () => {
  standIn = new PyroscopeStandIn();
  url = await standIn.start();
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

/** A timer the test fires; the client's deadline passes exactly when the test says so. */
function manualTimer() {
  const timer: { fire?: () => void; started: number[] } = { started: [] };
  const startTimer = (ms: number, onFire: () => void) => {
    timer.started.push(ms);
    timer.fire = onFire;
    return () => (timer.fire = undefined);
  };
  return { timer, startTimer };
}

/** Waits until the stand-in has the request, however long a loaded machine takes; jest's timeout bounds it. */
async function untilRequests(n: number): Promise<void> {
  while (standIn.requests.length < n) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const BODY = new TextEncoder().encode('{"series":[]}');

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('PyroscopeClient answers', () => {
  it('does not follow a redirect: a 3xx is a failure naming Location, and no second request is made', async () => {
    standIn.setFaults({ redirect: 1, redirectStatus: 302, redirectLocation: 'https://sso.example/login?next=/push' });
    const error = await failure(new PyroscopeClient(fetchTransport(url)).push(BODY));
    expect(error).toBeInstanceOf(PyroscopeHttpError);
    expect(error.message).toBe(
      'HTTP 302 redirect to https://sso.example/login?next=/push: pushes never follow redirects; point the tool at the final URL'
    );
    expect((error as PyroscopeHttpError).retryable).toBe(false);
    expect(standIn.requests.map((r) => r.status)).toEqual([302]);
  });

  it('a 200 with an HTML page is not a success, and says what came back', async () => {
    standIn.setFaults({ html200: 1 });
    const error = await failure(new PyroscopeClient(fetchTransport(url)).push(BODY));
    expect(error).toMatchObject({ kind: 'not-connect', status: 200 });
    expect(error.message).toMatch(
      /^HTTP 200 with text\/html; charset=utf-8: "<!doctype html><html><head><title>Sign in<\/title>.*": not a Connect JSON answer from Pyroscope, so nothing is counted as pushed$/
    );
    const quoted = JSON.parse(/with text\/html; charset=utf-8: (".*?[^\\]")/.exec(error.message)![1]) as string;
    expect(quoted.length).toBeLessThanOrEqual(200 + '… (NNN more characters)'.length);
    expect(standIn.stored).toHaveLength(0);
  });

  it('a 200 JSON object that is not the call\'s answer (a proxy\'s {"error"}) is a failure quoting it', async () => {
    standIn.setFaults({ json200error: 1 });
    const error = await failure(new PyroscopeClient(fetchTransport(url)).push(BODY));
    expect(error).toMatchObject({ kind: 'not-connect', status: 200, retryable: false });
    expect(error.message).toBe(
      'HTTP 200 with application/json: "{\\"error\\":\\"upstream unavailable\\"}": not Pyroscope\'s answer to Push ' +
        '(push.v1.PushResponse has no field "error"), so nothing is counted as pushed'
    );
    expect(standIn.stored).toHaveLength(0);
  });

  it('each call accepts only the fields of its response message', async () => {
    const answering = (body: string) => ({
      description: 'test',
      post: async () => ({ status: 200, body, contentType: 'application/json' }),
    });
    const query = { profileTypeId: 'p', labelSelector: '{}', startMs: 0, endMs: 1, stepSeconds: 1 };
    expect(await new PyroscopeClient(answering('{}')).selectSeries(query)).toEqual([]);
    expect(
      await new PyroscopeClient(answering('{"series":[{"points":[{"value":2,"timestamp":"5"}]}]}')).selectSeries(query)
    ).toEqual([{ labels: [], points: [{ timestampMs: 5, value: 2 }] }]);
    expect((await failure(new PyroscopeClient(answering('{"series":{}}')).selectSeries(query))).message).toBe(
      'HTTP 200 with application/json: "{\\"series\\":{}}": not Pyroscope\'s answer to SelectSeries ' +
        '(querier.v1.SelectSeriesResponse.series is a list), so nothing was read'
    );
    expect(
      (
        await failure(
          new PyroscopeClient(answering('{"message":"denied"}')).series({ matchers: [], startMs: 0, endMs: 1 })
        )
      ).message
    ).toMatch(/querier\.v1\.SeriesResponse has no field "message"\), so nothing was read$/);
    expect((await failure(new PyroscopeClient(answering('{"series":[]}')).push(BODY))).message).toMatch(
      /\(push\.v1\.PushResponse has no field "series"\)/
    );
  });

  it('a server that sends headers and then trickles its body fails at the request deadline', async () => {
    standIn.setFaults({ trickle: 1, trickleEveryMs: 5 });
    const { timer, startTimer } = manualTimer();
    const realFetch = globalThis.fetch;
    let headersArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (headersArrived = resolve));
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (...args) => {
      const response = await realFetch(...args);
      headersArrived();
      return response;
    });
    try {
      const pushing = failure(new PyroscopeClient(fetchTransport(url), { startTimer }).push(BODY));
      await arrived;
      timer.fire!();
      const error = await pushing;
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ timedOut: true, message: 'no complete answer within 60 s' });
      expect(timer.started).toEqual([60_000]);
    } finally {
      spy.mockRestore();
    }
  });

  it('a server that never answers fails at the configured deadline, as a retryable transport error', async () => {
    standIn.setFaults({ hang: 1 });
    const { timer, startTimer } = manualTimer();
    const pushing = failure(
      new PyroscopeClient(fetchTransport(url), { startTimer, requestTimeoutMs: 15_000 }).push(BODY)
    );
    await untilRequests(1);
    timer.fire!();
    expect(await pushing).toMatchObject({ name: 'TransportError', message: 'no complete answer within 15 s' });
    expect(timer.started).toEqual([15_000]);
  });

  it('reads at most 64 KiB of a huge error body and quotes a bounded part of it', async () => {
    standIn.setFaults({ hugeError: 1, hugeErrorBytes: 6 * 1024 * 1024 });
    const error = (await failure(new PyroscopeClient(fetchTransport(url)).push(BODY))) as PyroscopeHttpError;
    expect(error).toMatchObject({ kind: 'connect', code: 'invalid_argument', status: 400 });
    expect(error.serverMessage.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(error.serverMessage.endsWith(' (cut at 64 KiB)')).toBe(true);
    expect(error.message).toMatch(/^HTTP 400: x{500}… \(\d+ more characters\)$/);
  });

  it('a 2xx counts only with Connect JSON: a JSON object with application/json', () => {
    const ok = { status: 200, body: '{}', contentType: 'application/json' };
    expect(answerError(ok)).toBeUndefined();
    expect(answerError({ ...ok, contentType: 'application/json; charset=utf-8' })).toBeUndefined();
    expect(answerError({ ...ok, body: '[]' })?.message).toBe(
      'HTTP 200 with application/json: "[]": not a Connect JSON answer from Pyroscope, so nothing is counted as pushed'
    );
    expect(answerError({ ...ok, contentType: 'text/plain', body: 'OK' })?.kind).toBe('not-connect');
    expect(answerError({ ...ok, body: '' })?.message).toBe(
      'HTTP 200 with application/json: (empty body): not a Connect JSON answer from Pyroscope, so nothing is counted as pushed'
    );
    expect(answerError({ ...ok, redirectedTo: 'https://g.example/login' })?.message).toBe(
      'the request was redirected to https://g.example/login: pushes never follow redirects; point the tool at the final URL'
    );
  });

  it('error answers: Connect errors by their message, others by status, content type and an excerpt', () => {
    const connect = answerError({
      status: 429,
      body: '{"code":"resource_exhausted","message":"push rate limit (4.0 MiB) exceeded while adding 1.0 MiB"}',
      contentType: 'application/json',
      retryAfterSeconds: 3,
    });
    expect(connect).toMatchObject({
      kind: 'connect',
      code: 'resource_exhausted',
      retryable: true,
      retryAfterSeconds: 3,
      message: 'HTTP 429: push rate limit (4.0 MiB) exceeded while adding 1.0 MiB',
    });
    const grafana = answerError({
      status: 400,
      body: '{"message":"Authentication to data source failed"}',
      contentType: 'application/json',
    });
    expect(grafana).toMatchObject({
      kind: 'http',
      retryable: false,
      message: 'HTTP 400: Authentication to data source failed',
    });
    const proxy = answerError({ status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    expect(proxy).toMatchObject({
      kind: 'http',
      retryable: true,
      message: 'HTTP 502 with text/html: "<html>Bad Gateway</html>"',
    });
  });
});
