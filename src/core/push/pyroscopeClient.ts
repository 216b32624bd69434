/**
 * The only place that knows Pyroscope's HTTP API. Paths are relative to a base: the Grafana datasource proxy
 * (`/api/datasources/proxy/uid/<uid>`), an app route, or a Pyroscope URL. How bytes travel is the transport's job.
 *
 * What counts as an answer from Pyroscope: its Connect handlers answer unary JSON calls with
 * `Content-Type: application/json` and a JSON object (`{}` for `push.v1.PushResponse`), and errors as a JSON
 * object `{"code": "<connect code>", "message": …}` (connect-go `protocol_connect.go`, `newConnectWireError`).
 * Anything else (an HTML login page with 200, a redirect, a proxy's text error) did not come from Pyroscope and
 * is never counted as a success. Nor is a 2xx JSON object that is not the call's answer (a proxy's
 * `{"error": …}` with 200): each call accepts only the shape of its own response message.
 */
import { errorText } from '../util/errorText';

/** Grafana's datasource proxy for a datasource uid: the base of every request through a Pyroscope datasource. */
export function datasourceProxyPath(uid: string): string {
  return `/api/datasources/proxy/uid/${encodeURIComponent(uid)}`;
}

export const PUSH_PATH = '/push.v1.PusherService/Push';
export const SERIES_PATH = '/querier.v1.QuerierService/Series';
export const SELECT_SERIES_PATH = '/querier.v1.QuerierService/SelectSeries';

/** Transports read at most this much of a response body; the rest is dropped unread. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of an unexpected body a message quotes. */
export const EXCERPT_CHARS = 200;
/** How much of a server's own error message a message quotes. */
export const SERVER_MESSAGE_CHARS = 500;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface TransportResponse {
  status: number;
  /** The response body as text, at most MAX_RESPONSE_BYTES of it. */
  body: string;
  /** True when the body was longer than what was read. */
  bodyTruncated?: boolean;
  contentType?: string;
  /** `Location` of a 3xx answer (transports never follow redirects). */
  location?: string;
  /** Set when the platform followed a redirect anyway (a browser's fetch under Grafana's backendSrv): the final URL. */
  redirectedTo?: string;
  /** Seconds from a `Retry-After` header, when the server sent one. */
  retryAfterSeconds?: number;
}

export interface PyroscopeTransport {
  /**
   * Resolves with any HTTP status once the body has been read (up to MAX_RESPONSE_BYTES); rejects when no
   * complete response arrived. Must not follow redirects, and must stop when `signal` aborts, body included.
   */
  post(path: string, body: Uint8Array | string, signal?: AbortSignal): Promise<TransportResponse>;
  /** Where requests go, for messages. */
  readonly description: string;
}

/** No complete HTTP response: connection refused or dropped, DNS, deadline passed. Worth retrying. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly timedOut = false
  ) {
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

/**
 * - `connect`: Pyroscope (or Grafana in front of it) answered with a Connect error object; `code` is set.
 * - `http`: an error status whose body is not a Connect error (a proxy, Grafana's own JSON `{message}`, text).
 * - `redirect`: a 3xx, or a redirect the platform followed.
 * - `not-connect`: a 2xx whose body is not Connect JSON: nothing says Pyroscope accepted anything.
 */
export type HttpFailureKind = 'connect' | 'http' | 'redirect' | 'not-connect';

export class PyroscopeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly kind: HttpFailureKind,
    /** The server's own message (Connect `message`, Grafana `message`, or the body), up to MAX_RESPONSE_BYTES. */
    readonly serverMessage: string,
    message: string,
    readonly code?: string,
    readonly retryAfterSeconds?: number
  ) {
    super(message);
    this.name = 'PyroscopeHttpError';
  }

  get retryable(): boolean {
    return (this.kind === 'connect' || this.kind === 'http') && (this.status === 429 || this.status >= 500);
  }
}

/** At most `max` characters of `text`, saying how much was left out. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function excerpt(response: TransportResponse): string {
  const type = response.contentType ? response.contentType : 'no content type';
  const text = response.body.trim() === '' ? '(empty body)' : JSON.stringify(cut(response.body, EXCERPT_CHARS));
  return `${type}: ${text}${response.bodyTruncated ? ' (body cut at 64 KiB)' : ''}`;
}

const REDIRECT_HINT = 'pushes never follow redirects; point the tool at the final URL';

/** Turns any answer that is not a Connect JSON success into the error that says what came back. */
export function answerError(response: TransportResponse): PyroscopeHttpError | undefined {
  const { status } = response;
  if (response.redirectedTo !== undefined) {
    return new PyroscopeHttpError(
      status,
      'redirect',
      '',
      `the request was redirected to ${response.redirectedTo}: ${REDIRECT_HINT}`
    );
  }
  if (status >= 300 && status < 400) {
    const where = response.location ? `redirect to ${response.location}` : 'redirect without a Location';
    return new PyroscopeHttpError(status, 'redirect', '', `HTTP ${status} ${where}: ${REDIRECT_HINT}`);
  }
  const json = mediaType(response.contentType) === 'application/json' ? jsonObject(response.body) : undefined;
  if (status >= 200 && status < 300) {
    return json
      ? undefined
      : new PyroscopeHttpError(
          status,
          'not-connect',
          response.body,
          `HTTP ${status} with ${excerpt(response)}: not a Connect JSON answer from Pyroscope, so nothing is counted as pushed`
        );
  }
  // A Connect error cut at MAX_RESPONSE_BYTES no longer parses; connect-go writes `code` first, then `message`.
  const cutConnect =
    !json && response.bodyTruncated && mediaType(response.contentType) === 'application/json'
      ? /^\s*\{\s*"code"\s*:\s*"([a-z_]+)"\s*,\s*"message"\s*:\s*"/.exec(response.body)
      : null;
  const code = typeof json?.code === 'string' ? json.code : cutConnect?.[1];
  const text =
    typeof json?.message === 'string' && json.message !== ''
      ? json.message
      : cutConnect
        ? `${response.body.slice(cutConnect[0].length)} (cut at 64 KiB)`
        : undefined;
  const grafanaText = typeof json?.error === 'string' && json.error !== '' ? json.error : undefined;
  if (code !== undefined) {
    const message = text ?? '(no message)';
    return new PyroscopeHttpError(
      status,
      'connect',
      message,
      `HTTP ${status}: ${cut(message, SERVER_MESSAGE_CHARS)}`,
      code,
      response.retryAfterSeconds
    );
  }
  if (text ?? grafanaText) {
    const message = (text ?? grafanaText)!;
    return new PyroscopeHttpError(
      status,
      'http',
      message,
      `HTTP ${status}: ${cut(message, SERVER_MESSAGE_CHARS)}`,
      undefined,
      response.retryAfterSeconds
    );
  }
  return new PyroscopeHttpError(
    status,
    'http',
    response.body,
    `HTTP ${status} with ${excerpt(response)}`,
    undefined,
    response.retryAfterSeconds
  );
}

/**
 * What each call's 2xx answer must look like, from the response messages in grafana/pyroscope's protos (proto3 JSON
 * leaves out empty fields): `push.v1.PushResponse` has no fields, so only `{}` (api/push/v1/push.proto);
 * `querier.v1.SeriesResponse` has `labelsSet` and `querier.v1.SelectSeriesResponse` has `series`, both lists
 * (api/querier/v1/querier.proto). Returns what is wrong, or undefined.
 */
type AnswerCheck = (answer: Record<string, unknown>) => string | undefined;

const onlyListFields =
  (message: string, ...fields: string[]): AnswerCheck =>
  (answer) => {
    const extra = Object.keys(answer).filter((key) => !fields.includes(key));
    if (extra.length > 0) {
      return `${message} has no field ${extra.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    const notList = fields.find((f) => answer[f] !== undefined && !Array.isArray(answer[f]));
    return notList ? `${message}.${notList} is a list` : undefined;
  };

const PUSH_ANSWER: AnswerCheck = onlyListFields('push.v1.PushResponse');
const SERIES_ANSWER: AnswerCheck = onlyListFields('querier.v1.SeriesResponse', 'labelsSet');
const SELECT_SERIES_ANSWER: AnswerCheck = onlyListFields('querier.v1.SelectSeriesResponse', 'series');

export interface SeriesQuery {
  matchers: string[];
  labelNames?: string[];
  startMs: number;
  endMs: number;
}

export type SeriesLabels = Array<Array<{ name: string; value: string }>>;

/**
 * `querier.v1.SelectSeriesRequest` (grafana/pyroscope `api/querier/v1/querier.proto`): `profileTypeID`,
 * `labelSelector`, `start`/`end` in ms since epoch, `step` in seconds (a double), `groupBy`.
 */
export interface SelectSeriesQuery {
  profileTypeId: string;
  /** A selector such as `{service_name="checkout", thread_name="main"}` (see `labelSelector`). */
  labelSelector: string;
  startMs: number;
  endMs: number;
  stepSeconds: number;
  groupBy?: string[];
}

/** One `types.v1.Series` of the answer: its grouped labels and its points (`types.v1.Point`: value, timestamp ms). */
export interface SeriesPoints {
  labels: Array<{ name: string; value: string }>;
  points: Array<{ timestampMs: number; value: number }>;
}

/** A proto3 JSON number: int64 and double fields may come as strings (`"123"`, `"NaN"`). */
function protoNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return n;
}

export interface ClientOptions {
  /** Deadline for one request, headers and body (default 60 s). Passing it is a TransportError, retryable. */
  requestTimeoutMs?: number;
  /** Injected in tests: starts a timer and returns its cancel. */
  startTimer?: (ms: number, onFire: () => void) => () => void;
}

function realTimer(ms: number, onFire: () => void): () => void {
  const timer = setTimeout(onFire, ms);
  return () => clearTimeout(timer);
}

export class PyroscopeClient {
  private readonly requestTimeoutMs: number;
  private readonly startTimer: NonNullable<ClientOptions['startTimer']>;

  constructor(
    private readonly transport: PyroscopeTransport,
    options: ClientOptions = {}
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.startTimer = options.startTimer ?? realTimer;
  }

  get description(): string {
    return this.transport.description;
  }

  /** Resolves only when Pyroscope answered 2xx with Connect JSON; otherwise throws what came back. */
  async push(body: Uint8Array | string, signal?: AbortSignal): Promise<void> {
    await this.call(PUSH_PATH, body, PUSH_ANSWER, 'nothing is counted as pushed', signal);
  }

  /** `querier.v1.QuerierService/Series`: the label sets stored for matchers in a time range. */
  async series(query: SeriesQuery, signal?: AbortSignal): Promise<SeriesLabels> {
    const body = JSON.stringify({
      matchers: query.matchers,
      labelNames: query.labelNames ?? [],
      start: String(query.startMs),
      end: String(query.endMs),
    });
    const answer = await this.call(SERIES_PATH, body, SERIES_ANSWER, 'nothing was read', signal);
    const sets = Array.isArray(answer.labelsSet) ? answer.labelsSet : [];
    return sets.map((set: { labels?: Array<{ name: string; value: string }> }) => set?.labels ?? []);
  }

  /**
   * `querier.v1.QuerierService/SelectSeries`: the sum of the selected profiles' values per step, one series per
   * `groupBy` label set (`querier.v1.SelectSeriesResponse.series`). The answer must fit MAX_RESPONSE_BYTES: callers
   * keep the number of steps bounded.
   */
  async selectSeries(query: SelectSeriesQuery, signal?: AbortSignal): Promise<SeriesPoints[]> {
    const body = JSON.stringify({
      profileTypeID: query.profileTypeId,
      labelSelector: query.labelSelector,
      start: String(query.startMs),
      end: String(query.endMs),
      step: query.stepSeconds,
      groupBy: query.groupBy ?? [],
    });
    const answer = await this.call(SELECT_SERIES_PATH, body, SELECT_SERIES_ANSWER, 'nothing was read', signal);
    const series: unknown[] = Array.isArray(answer.series) ? answer.series : [];
    return series.map((s) => {
      const raw = (s ?? {}) as { labels?: unknown; points?: unknown };
      const labels = Array.isArray(raw.labels) ? (raw.labels as SeriesPoints['labels']) : [];
      const points = Array.isArray(raw.points) ? (raw.points as Array<{ value?: unknown; timestamp?: unknown }>) : [];
      return {
        labels: labels.map((l) => ({ name: String(l?.name ?? ''), value: String(l?.value ?? '') })),
        // proto3 JSON leaves out zero values: a point without `value` is 0.
        points: points.map((p) => ({ timestampMs: protoNumber(p?.timestamp ?? 0), value: protoNumber(p?.value ?? 0) })),
      };
    });
  }

  private async call(
    path: string,
    body: Uint8Array | string,
    check: AnswerCheck,
    consequence: string,
    signal?: AbortSignal
  ): Promise<Record<string, any>> {
    if (signal?.aborted) {
      throw new PushCancelledError();
    }
    const attempt = new AbortController();
    const onAbort = () => attempt.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const cancelTimer = this.startTimer(this.requestTimeoutMs, () => {
      timedOut = true;
      attempt.abort();
    });
    let response: TransportResponse;
    try {
      response = await this.transport.post(path, body, attempt.signal);
    } catch (e) {
      if (signal?.aborted) {
        throw new PushCancelledError();
      }
      if (timedOut) {
        throw new TransportError(`no complete answer within ${this.requestTimeoutMs / 1000} s`, true);
      }
      throw e instanceof TransportError ? e : new TransportError(errorText(e));
    } finally {
      cancelTimer();
      signal?.removeEventListener('abort', onAbort);
    }
    const failure = answerError(response);
    if (failure) {
      throw failure;
    }
    const answer = JSON.parse(response.body) as Record<string, unknown>;
    const wrong = check(answer);
    if (wrong) {
      throw new PyroscopeHttpError(
        response.status,
        'not-connect',
        response.body,
        `HTTP ${response.status} with ${excerpt(response)}: not Pyroscope's answer to ${path.split('/').pop()} (${wrong}), so ${consequence}`
      );
    }
    return answer;
  }
}

/** Reads a fetch body up to `max` bytes, then cancels the rest. */
async function readCapped(response: Response, max: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) {
    return { text: '', truncated: false };
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    const room = max - size;
    chunks.push(value.length > room ? value.subarray(0, room) : value);
    size += Math.min(value.length, room);
    if (value.length >= room) {
      truncated = value.length > room || !(await peekDone(reader));
      if (truncated) {
        await reader.cancel().catch(() => undefined);
      }
      break;
    }
  }
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder().decode(joined), truncated };
}

/** After reading exactly `max` bytes: is the body over? Anything more means it was cut. */
async function peekDone(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<boolean> {
  const { done, value } = await reader.read();
  return done || value.length === 0 ? done : false;
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) {
    return undefined;
  }
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** A transport over `fetch`, for the command-line tool (Node 20) or any page allowed to reach the server. */
export function fetchTransport(baseUrl: string, headers: Record<string, string> = {}): PyroscopeTransport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    description: base,
    async post(path, body, signal) {
      try {
        const response = await fetch(base + path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: body as BodyInit,
          signal,
          redirect: 'manual',
        });
        const { text, truncated } = await readCapped(response, MAX_RESPONSE_BYTES);
        return {
          // A browser's manual redirect is an opaque response with status 0.
          status: response.type === 'opaqueredirect' ? 302 : response.status,
          body: text,
          bodyTruncated: truncated,
          contentType: response.headers.get('content-type') ?? undefined,
          location: response.headers.get('location') ?? undefined,
          retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
        };
      } catch (e) {
        const cause = e instanceof Error && e.cause !== undefined ? `: ${errorText(e.cause)}` : '';
        throw new TransportError(`${errorText(e)}${cause} (${base}${path})`);
      }
    },
  };
}
