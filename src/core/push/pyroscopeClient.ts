/**
 * The only place that knows Pyroscope's HTTP API. Paths are relative to a base: the Grafana datasource proxy
 * (`/api/datasources/proxy/uid/<uid>`), an app route, or a Pyroscope URL. How bytes travel is the transport's job.
 */
import { errorText } from '../util/errorText';

export const PUSH_PATH = '/push.v1.PusherService/Push';
export const SERIES_PATH = '/querier.v1.QuerierService/Series';

export interface TransportResponse {
  status: number;
  /** The response body as text (Connect errors are JSON `{"code","message"}`). */
  body: string;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  retryAfterSeconds?: number;
}

export interface PyroscopeTransport {
  /** Resolves with any HTTP status; rejects with a TransportError when no response arrived. */
  post(path: string, body: string, signal?: AbortSignal): Promise<TransportResponse>;
  /** Where requests go, for messages. */
  readonly description: string;
}

/** No HTTP response: connection refused or dropped, DNS, timeout. Worth retrying. */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

export class PushCancelledError extends Error {
  constructor() {
    super('The push was cancelled.');
    this.name = 'PushCancelledError';
  }
}

/** The server answered with an error status; `message` is its own text, shown verbatim. */
export class PyroscopeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly serverMessage: string,
    readonly retryAfterSeconds?: number
  ) {
    super(`HTTP ${status}: ${serverMessage}`);
    this.name = 'PyroscopeHttpError';
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** Connect and Grafana both answer errors as JSON with a `message`; anything else is shown as it came. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.message === 'string' && parsed.message !== '') {
      return parsed.message;
    }
    if (parsed && typeof parsed.error === 'string' && parsed.error !== '') {
      return parsed.error;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.trim() === '' ? '(empty response body)' : body.trim();
}

export interface SeriesQuery {
  matchers: string[];
  labelNames?: string[];
  startMs: number;
  endMs: number;
}

export type SeriesLabels = Array<Array<{ name: string; value: string }>>;

export class PyroscopeClient {
  constructor(private readonly transport: PyroscopeTransport) {}

  get description(): string {
    return this.transport.description;
  }

  async push(body: string, signal?: AbortSignal): Promise<void> {
    await this.call(PUSH_PATH, body, signal);
  }

  /** `querier.v1.QuerierService/Series`: the label sets stored for matchers in a time range. */
  async series(query: SeriesQuery, signal?: AbortSignal): Promise<SeriesLabels> {
    const body = JSON.stringify({
      matchers: query.matchers,
      labelNames: query.labelNames ?? [],
      start: String(query.startMs),
      end: String(query.endMs),
    });
    const text = await this.call(SERIES_PATH, body, signal);
    const parsed = JSON.parse(text) as { labelsSet?: Array<{ labels?: Array<{ name: string; value: string }> }> };
    return (parsed.labelsSet ?? []).map((set) => set.labels ?? []);
  }

  private async call(path: string, body: string, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) {
      throw new PushCancelledError();
    }
    let response: TransportResponse;
    try {
      response = await this.transport.post(path, body, signal);
    } catch (e) {
      if (signal?.aborted) {
        throw new PushCancelledError();
      }
      throw e instanceof TransportError ? e : new TransportError(errorText(e));
    }
    if (response.status < 200 || response.status >= 300) {
      throw new PyroscopeHttpError(response.status, serverMessage(response.body), response.retryAfterSeconds);
    }
    return response.body;
  }
}

/** A transport over `fetch`, for the command-line tool (Node 20) or any page allowed to reach the server. */
export function fetchTransport(baseUrl: string, headers: Record<string, string> = {}): PyroscopeTransport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    description: base,
    async post(path, body, signal) {
      let response: Response;
      try {
        response = await fetch(base + path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body,
          signal,
        });
      } catch (e) {
        const cause = e instanceof Error && e.cause !== undefined ? `: ${errorText(e.cause)}` : '';
        throw new TransportError(`${errorText(e)}${cause} (${base}${path})`);
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        status: response.status,
        body: await response.text(),
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      };
    },
  };
}
