import { Observable } from 'rxjs';

export interface RecordedRequest {
  url: string;
  method?: string;
  body: string;
  headers?: Record<string, string>;
}

export type Reply = { status: number; body: unknown; contentType?: string } | 'hang';

/**
 * A stand-in for Grafana's backendSrv.fetch: records each request and answers from a script, the way the real one
 * does (`{data, status}` on success, a FetchError-like `{status, data}` on error). Unsubscribing a hanging request
 * counts as an abort.
 */
export class FakeBackendSrv {
  requests: RecordedRequest[] = [];
  aborted = 0;
  private script: Reply[] = [];

  answer(...replies: Reply[]) {
    this.script.push(...replies);
  }

  fetch = jest.fn((options: { url: string; method?: string; data?: unknown; headers?: Record<string, string> }) => {
    return new Observable((subscriber) => {
      this.requests.push({
        url: options.url,
        method: options.method,
        body: typeof options.data === 'string' ? options.data : JSON.stringify(options.data),
        headers: options.headers,
      });
      const reply = this.script.shift() ?? { status: 200, body: {} };
      if (reply === 'hang') {
        return () => this.aborted++;
      }
      const timer = setTimeout(() => {
        if (reply.status >= 200 && reply.status < 300) {
          // Pyroscope answers Connect JSON; backendSrv passes the response headers on (a Headers object).
          const contentType = reply.contentType ?? 'application/json';
          subscriber.next({
            status: reply.status,
            data: typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body),
            headers: { get: (name: string) => (name.toLowerCase() === 'content-type' ? contentType : null) },
            ok: true,
          });
          subscriber.complete();
        } else {
          subscriber.error({ status: reply.status, data: reply.body, statusText: 'error' });
        }
      }, 0);
      return () => clearTimeout(timer);
    });
  });
}
