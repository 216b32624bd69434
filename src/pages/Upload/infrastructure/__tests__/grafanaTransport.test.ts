/**
 * The push rules through Grafana's backendSrv, with a scripted backendSrv that answers the way the real one does
 * (public/app/core/services/backend_srv.ts): success with status, headers, `redirected` and `url`; errors with status
 * and `data` wrapped by `processRequestError`. The request deadline is an injected timer fired by the test.
 */
import { Observable } from 'rxjs';
import { PyroscopeClient } from '../../../../core/push/pyroscopeClient';
import { grafanaTransport } from '../grafanaTransport';

type Answer =
  | { ok: true; status: number; data: string; contentType?: string; redirected?: boolean; url?: string }
  | { ok: false; status: number; data: unknown }
  | 'hang';

const requests: Array<Record<string, unknown>> = [];
const answers: Answer[] = [];
let unsubscribed = 0;

jest.mock('@grafana/runtime', () => ({
  getBackendSrv: () => ({
    fetch: (options: Record<string, unknown>) =>
      new Observable((subscriber) => {
        requests.push(options);
        const answer = answers.shift()!;
        if (answer !== 'hang') {
          if (answer.ok) {
            const headers = new Map([['content-type', answer.contentType ?? 'application/json']]);
            subscriber.next({
              status: answer.status,
              ok: true,
              data: answer.data,
              headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
              redirected: answer.redirected ?? false,
              url: answer.url ?? String(options.url),
            });
            subscriber.complete();
          } else {
            subscriber.error({ status: answer.status, statusText: 'Bad Request', data: answer.data });
          }
        }
        return () => unsubscribed++;
      }),
  }),
}));

const target = { kind: 'datasource', uid: 'pyro', name: 'Pyroscope' } as const;
const body = new TextEncoder().encode('{"series":[{"labels":[{"name":"service_name","value":"é"}],"samples":[]}]}');

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  requests.length = 0;
  answers.length = 0;
  unsubscribed = 0;
});

describe('grafanaTransport', () => {
  it('sends the body as the same UTF-8 text, and a Connect JSON 2xx is a success', async () => {
    answers.push({ ok: true, status: 200, data: '{}' });
    await new PyroscopeClient(grafanaTransport(target)).push(body);
    expect(requests).toEqual([
      expect.objectContaining({
        url: '/api/datasources/proxy/uid/pyro/push.v1.PusherService/Push',
        method: 'POST',
        data: new TextDecoder().decode(body),
        headers: { 'Content-Type': 'application/json' },
        responseType: 'text',
        retry: 1,
        showErrorAlert: false,
      }),
    ]);
  });

  it('a redirect that backendSrv followed is a failure naming where it ended', async () => {
    answers.push({
      ok: true,
      status: 200,
      data: '<html>login</html>',
      contentType: 'text/html',
      redirected: true,
      url: 'https://grafana.example/login',
    });
    const error = await failure(new PyroscopeClient(grafanaTransport(target)).push(body));
    expect(error.message).toBe(
      'the request was redirected to https://grafana.example/login: pushes never follow redirects; point the tool at the final URL'
    );
  });

  it('a 200 HTML page is a failure that says what came back', async () => {
    answers.push({
      ok: true,
      status: 200,
      data: '<!doctype html><title>Proxy login</title>',
      contentType: 'text/html',
    });
    const error = await failure(new PyroscopeClient(grafanaTransport(target)).push(body));
    expect(error.message).toBe(
      'HTTP 200 with text/html: "<!doctype html><title>Proxy login</title>": not a Connect JSON answer from Pyroscope, so nothing is counted as pushed'
    );
  });

  it("reads Pyroscope's Connect error out of backendSrv's wrapped error data", async () => {
    const text = '{"code":"invalid_argument","message":"profile with labels \'{}\' is outside of ingestion window"}';
    answers.push({ ok: false, status: 400, data: { message: text, error: 'Bad Request', response: text } });
    const error = await failure(new PyroscopeClient(grafanaTransport(target)).push(body));
    expect(error).toMatchObject({
      kind: 'connect',
      code: 'invalid_argument',
      message: "HTTP 400: profile with labels '{}' is outside of ingestion window",
    });
  });

  it('a hanging request ends at the deadline and its subscription is dropped', async () => {
    answers.push('hang');
    let fire: () => void = () => undefined;
    const client = new PyroscopeClient(grafanaTransport(target), {
      requestTimeoutMs: 30_000,
      startTimer: (_ms, onFire) => {
        fire = onFire;
        return () => undefined;
      },
    });
    const pushing = failure(client.push(body));
    fire();
    expect(await pushing).toMatchObject({ name: 'TransportError', message: 'no complete answer within 30 s' });
    expect(unsubscribed).toBe(1);
  });
});
