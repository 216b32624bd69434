import { getBackendSrv } from '@grafana/runtime';
import { PyroscopeTransport, TransportError, TransportResponse } from '../../../core/push/pyroscopeClient';
import { PLUGIN_ID } from '../../../constants';
import { WRITE_ROUTE } from '../../../settings';

/** Where pushes go: a Pyroscope datasource through Grafana's datasource proxy, or the app's own write route. */
export type PushTarget = { kind: 'datasource'; uid: string; name: string } | { kind: 'app-route'; url: string };

export function targetBaseUrl(target: PushTarget): string {
  return target.kind === 'datasource'
    ? `/api/datasources/proxy/uid/${encodeURIComponent(target.uid)}`
    : `/api/plugin-proxy/${PLUGIN_ID}/${WRITE_ROUTE}`;
}

interface FetchErrorLike {
  status?: number;
  data?: unknown;
  statusText?: string;
}

/**
 * A transport over `getBackendSrv().fetch`: Grafana adds the session and the datasource's credentials on the
 * server, so no secret reaches the browser. `showErrorAlert: false` because the page words its own errors.
 */
export function grafanaTransport(target: PushTarget): PyroscopeTransport {
  const base = targetBaseUrl(target);
  return {
    description: target.kind === 'datasource' ? `datasource ${target.name}` : `write target ${target.url}`,
    post(path, body, signal) {
      return new Promise<TransportResponse>((resolve, reject) => {
        const subscription = getBackendSrv()
          .fetch<string>({
            url: base + path,
            method: 'POST',
            // backendSrv passes only strings and Blobs through as they are; anything else with a JSON content type
            // is JSON.stringify'd (public/app/core/utils/fetch.ts `parseBody`): a Uint8Array would become {"0":123,…}.
            data:
              typeof body === 'string'
                ? body
                : new Blob([body as Uint8Array<ArrayBuffer>], { type: 'application/json' }),
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
            next: (response) => resolve({ status: response.status, body: String(response.data ?? '') }),
            error: (error: FetchErrorLike) => {
              if (!error?.status) {
                reject(new TransportError(error?.statusText || 'the request did not reach Grafana'));
                return;
              }
              const data = error.data;
              resolve({ status: error.status, body: typeof data === 'string' ? data : JSON.stringify(data ?? {}) });
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
