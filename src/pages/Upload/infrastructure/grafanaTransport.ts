import { getBackendSrv } from '@grafana/runtime';
import {
  datasourceProxyPath,
  MAX_RESPONSE_BYTES,
  PyroscopeTransport,
  TransportError,
  TransportResponse,
} from '../../../core/push/pyroscopeClient';
import { PLUGIN_ID } from '../../../constants';
import { WRITE_ROUTE } from '../../../settings';

/** Where pushes go: a Pyroscope datasource through Grafana's datasource proxy, or the app's own write route. */
export type PushTarget = { kind: 'datasource'; uid: string; name: string } | { kind: 'app-route'; url: string };

/**
 * The app route for reading back what the write route pushed (src/plugin.json): same URL and credentials as the
 * write route, but only the querier call the read-back makes (`SelectSeries`), nothing below it.
 */
export const READ_ROUTE = 'pyroscope-read';

/** Pushes go to the target; reads go to the same datasource, or to the app's read route beside its write route. */
export type TransportPurpose = 'push' | 'read';

export function targetBaseUrl(target: PushTarget, purpose: TransportPurpose = 'push'): string {
  return target.kind === 'datasource'
    ? datasourceProxyPath(target.uid)
    : `/api/plugin-proxy/${PLUGIN_ID}/${purpose === 'push' ? WRITE_ROUTE : READ_ROUTE}`;
}

interface FetchErrorLike {
  status?: number;
  data?: unknown;
  statusText?: string;
}

const utf8 = new TextDecoder();

/** backendSrv reads whole bodies; what goes on is cut as a transport over fetch would have read it. */
function capped(text: string): { body: string; bodyTruncated: boolean } {
  return text.length > MAX_RESPONSE_BYTES
    ? { body: text.slice(0, MAX_RESPONSE_BYTES), bodyTruncated: true }
    : { body: text, bodyTruncated: false };
}

/**
 * The body of an error answer as text. With `responseType: 'text'`, backendSrv's `processRequestError` wraps a
 * string body as `{ message, error: statusText, response }` (public/app/core/services/backend_srv.ts); older
 * versions hand over the string, or the parsed JSON.
 */
function errorBody(data: unknown): string {
  if (typeof data === 'string') {
    return data;
  }
  const response = (data as { response?: unknown } | undefined)?.response;
  return typeof response === 'string' ? response : JSON.stringify(data ?? {});
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/**
 * A transport over `getBackendSrv().fetch`: Grafana adds the session and the datasource's credentials on the
 * server, so no secret reaches the browser. `showErrorAlert: false` because the page words its own errors.
 *
 * What backendSrv does that the push client must know (public/app/core/services/backend_srv.ts, utils/fetch.ts):
 * - it calls the browser's fetch without `redirect`, so a redirect is followed (a POST becomes a GET with no body)
 *   and the answer says `redirected: true` with the final `url`: passed on as `redirectedTo`, never a success;
 * - on success it gives the status, `headers` and the body; on an error only the status and the body, so an error
 *   body that is a JSON object is taken as JSON (it can only ever make a failure more precise);
 * - it has no timeout: the push client's deadline aborts `signal`, which unsubscribes and so aborts the fetch.
 */
export function grafanaTransport(target: PushTarget, purpose: TransportPurpose = 'push'): PyroscopeTransport {
  const base = targetBaseUrl(target, purpose);
  return {
    description:
      target.kind === 'datasource'
        ? `datasource ${target.name}`
        : `${purpose === 'push' ? 'write target' : "the write target's read route to"} ${target.url}`,
    post(path, body, signal) {
      return new Promise<TransportResponse>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new DOMException('The push was cancelled.', 'AbortError'));
          return;
        }
        const subscription = getBackendSrv()
          .fetch<string>({
            url: base + path,
            method: 'POST',
            // A string is the one body every Grafana version passes on as it is (`parseBody` in
            // public/app/core/utils/fetch.ts: strings always, Blobs only in newer versions, and anything else with a
            // JSON content type is JSON.stringify'd: a Uint8Array would become {"0":123,…}). The page's push bodies
            // arrive as text from the pipeline, so nothing is decoded here on the page.
            data: typeof body === 'string' ? body : utf8.decode(body),
            headers: { 'Content-Type': 'application/json' },
            responseType: 'text',
            // On a 401 from a local URL, backendSrv pings /api/login/ping and re-sends the request once, unless this
            // is a retry (backend_srv.ts `handleStreamError`). Through the app route a 401 is the write target's
            // answer, not Grafana's session: hand it to the push client instead of sending the batch twice.
            retry: 1,
            showErrorAlert: false,
            showSuccessAlert: false,
          })
          .subscribe({
            next: (response) => {
              const retryAfter = Number(response.headers?.get?.('retry-after'));
              resolve({
                status: response.status,
                ...capped(String(response.data ?? '')),
                contentType: response.headers?.get?.('content-type') ?? undefined,
                redirectedTo: response.redirected ? response.url || '(an unknown URL)' : undefined,
                retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
              });
            },
            error: (error: FetchErrorLike) => {
              if (!error?.status || error.status < 0) {
                reject(new TransportError(error?.statusText || 'the request did not reach Grafana'));
                return;
              }
              const text = errorBody(error.data);
              resolve({
                status: error.status,
                ...capped(text),
                contentType: isJsonObject(text) ? 'application/json' : undefined,
              });
            },
          });
        signal?.addEventListener(
          'abort',
          () => {
            subscription.unsubscribe();
            reject(new DOMException('The push was cancelled.', 'AbortError'));
          },
          { once: true }
        );
      });
    },
  };
}
