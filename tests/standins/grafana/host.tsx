/**
 * The page script of the LOCAL GRAFANA STAND-IN (not Grafana). It plays the part of Grafana's frontend for one app
 * plugin: real @grafana/data, ui and runtime, React, react-router and rxjs from node_modules, registered as the
 * shared modules an AMD plugin bundle asks for; the runtime services the plugin uses (backendSrv, dataSourceSrv,
 * PluginPage); and the plugin's root page under /a/<id>/ and its config page under /plugins/<id>.
 */
import './bootData';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import { AppPlugin, AppPluginMeta, PluginContextProvider, PluginType, ThemeContext } from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import {
  BackendSrvRequest,
  config,
  FetchResponse,
  setBackendSrv,
  setDataSourceSrv,
  setPluginComponentHook,
  setPluginComponentsHook,
  setPluginLinksHook,
} from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import { GlobalStyles, PortalContainer } from '@grafana/ui';
import * as d3 from 'd3';
import * as lodash from 'lodash';
import React, { ReactNode } from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as ReactRouter from 'react-router';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import * as rxjs from 'rxjs';
import { Observable } from 'rxjs';

const page = window.__STANDIN__;

/**
 * Grafana's backendSrv.fetch, reduced to what plugins see: relative URLs, JSON by content type, FetchError shape, and
 * its answer to a 401 (`public/app/core/services/backend_srv.ts`, `handleStreamError`): for a local URL, on the first
 * attempt (`options.retry` 0 or unset) of a signed-in user, it calls `GET /api/login/ping` and, when that succeeds,
 * sends the same request again (`retry` then counts as 1); when the ping is 401 too, it logs the user out.
 * Passing `retry: 1` skips all of that and hands the 401 to the caller.
 */
function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  const firstAttempt = (options.retry ?? 0) === 0;
  const isLocal = !/^https?:\/\//.test(options.url);
  return new Observable<FetchResponse<T>>((subscriber) => {
    let resend: rxjs.Subscription | undefined;
    let closed = false;
    const inner = sendOnce<T>(options).subscribe({
      next: (r) => subscriber.next(r),
      complete: () => subscriber.complete(),
      error: (error: { status?: number }) => {
        if (error?.status !== 401 || !firstAttempt || !isLocal) {
          subscriber.error(error);
          return;
        }
        fetch('api/login/ping', { credentials: 'same-origin' })
          .then((ping) => {
            if (ping.status === 401) {
              window.location.href = '/logout';
              subscriber.error(error);
              return;
            }
            if (!closed) {
              resend = sendOnce<T>({ ...options, retry: 1 }).subscribe(subscriber);
            }
          })
          .catch(() => subscriber.error(error));
      },
    });
    return () => {
      closed = true;
      inner.unsubscribe();
      resend?.unsubscribe();
    };
  });
}

function sendOnce<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable((subscriber) => {
    const controller = new AbortController();
    const url = options.url.replace(/^\//, '');
    // One Headers object, as fetch.ts `parseHeaders` builds it: names are case-insensitive, so a plugin's
    // 'Content-Type' and the default are one header, never "application/json, application/json".
    const headers = new Headers({ accept: 'application/json, text/plain, */*', 'X-Grafana-Org-Id': '1' });
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers.set(name, String(value));
    }
    const method = (options.method ?? 'GET').toUpperCase();
    let body: BodyInit | undefined;
    if (options.data !== undefined && method !== 'GET') {
      if (!headers.has('content-type')) {
        headers.set('content-type', 'application/json');
      }
      body =
        typeof options.data === 'string' || options.data instanceof Blob ? options.data : JSON.stringify(options.data);
    }
    fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
      .then(async (response) => {
        const text = await response.text();
        let data: unknown = text;
        if (options.responseType !== 'text') {
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
        }
        const result = {
          data: data as T,
          status: response.status,
          statusText: response.statusText,
          ok: response.ok,
          headers: response.headers,
          url: response.url,
          config: options,
          redirected: false,
          type: response.type,
        };
        if (response.ok) {
          subscriber.next(result as FetchResponse<T>);
          subscriber.complete();
        } else {
          // backendSrv's processRequestError: string data becomes { message, error: statusText, response }.
          const errorData =
            typeof data === 'string' ? { message: data, error: response.statusText, response: data } : data;
          subscriber.error({
            status: response.status,
            statusText: response.statusText,
            data: errorData,
            config: options,
          });
        }
      })
      .catch((e) =>
        subscriber.error({
          status: 0,
          statusText: String(e),
          data: {},
          config: options,
          cancelled: controller.signal.aborted,
        })
      );
    return () => controller.abort();
  });
}

const backendSrv = {
  fetch: fetchObservable,
  request: (options: BackendSrvRequest) => rxjs.lastValueFrom(fetchObservable(options)).then((r) => r.data),
  datasourceRequest: (options: BackendSrvRequest) => rxjs.lastValueFrom(fetchObservable(options)),
  get: (url: string) => rxjs.lastValueFrom(fetchObservable({ url })).then((r) => r.data),
  delete: (url: string) => rxjs.lastValueFrom(fetchObservable({ url, method: 'DELETE' })).then((r) => r.data),
  post: (url: string, data?: unknown) =>
    rxjs.lastValueFrom(fetchObservable({ url, method: 'POST', data })).then((r) => r.data),
  patch: (url: string, data?: unknown) =>
    rxjs.lastValueFrom(fetchObservable({ url, method: 'PATCH', data })).then((r) => r.data),
  put: (url: string, data?: unknown) =>
    rxjs.lastValueFrom(fetchObservable({ url, method: 'PUT', data })).then((r) => r.data),
};
setBackendSrv(backendSrv as never);

const instances = Object.values(config.datasources);
setDataSourceSrv({
  getList: (filters: { type?: string } = {}) =>
    instances
      .filter((ds) => !filters.type || ds.type === filters.type)
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase())),
  getInstanceSettings: (ref: unknown) => {
    const uid = typeof ref === 'string' ? ref : (ref as { uid?: string } | null)?.uid;
    return instances.find((ds) => ds.uid === uid || ds.name === uid);
  },
  get: async () => ({}),
  reload: async () => {},
  registerRuntimeDataSource: () => {},
} as never);

/**
 * The extension registries, as far as a page asks them (`public/app/features/plugins/extensions/usePluginComponent.tsx`):
 * `usePluginComponent(id)` is `{ component: null, isLoading: false }` when no plugin exposes `id`. Here the exposed
 * components are stand-ins that show the props they were given, so tests can read them.
 */
function ExposedComponentStandIn({ id, props }: { id: string; props: Record<string, unknown> }) {
  return (
    <section data-testid="exposed-component" data-component-id={id} aria-label={`Exposed component ${id}`}>
      <pre>{JSON.stringify(props, null, 1)}</pre>
    </section>
  );
}
const exposed = Object.fromEntries(
  page.exposedComponents.map((id) => {
    const Component = (props: Record<string, unknown>) => <ExposedComponentStandIn id={id} props={props} />;
    return [id, Component];
  })
);
setPluginComponentHook(((id: string) => ({ component: exposed[id] ?? null, isLoading: false })) as never);
setPluginComponentsHook((() => ({ components: [], isLoading: false })) as never);
setPluginLinksHook((() => ({ links: [], isLoading: false })) as never);

/** A host-only page for the stand-in's own test: what `usePluginComponent(?id=…)` gives, rendered with a prop. */
function ExtensionProbe() {
  const id = new URLSearchParams(useLocation().search).get('id') ?? '';
  const { component: Component, isLoading } = grafanaRuntime.usePluginComponent<{ initialDS: string }>(id);
  return (
    <main data-testid="extension-probe">
      {isLoading ? 'loading' : Component ? <Component initialDS="pyroscope-local" /> : 'no component'}
    </main>
  );
}

/** Grafana core renders PluginPage with its navigation; the npm default is a bare div, so the host supplies one. */
function HostPluginPage({ children, subTitle }: { children?: ReactNode; subTitle?: ReactNode }) {
  const location = useLocation();
  return (
    <main style={{ padding: 24, boxSizing: 'border-box', width: '100%' }}>
      <grafanaUi.Stack direction="column" gap={2}>
        <grafanaUi.Text element="h1" variant="h2">
          {location.pathname.startsWith('/plugins/') ? 'Speedscope Upload · Configuration' : 'Speedscope Upload'}
        </grafanaUi.Text>
        {subTitle && <grafanaUi.Text color="secondary">{subTitle}</grafanaUi.Text>}
        {children}
      </grafanaUi.Stack>
    </main>
  );
}

// Shared modules, keyed as Grafana's import map keys them.
const shared: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  'react-router': ReactRouter,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': { ...grafanaRuntime, PluginPage: HostPluginPage },
  '@emotion/css': emotionCss,
  rxjs,
  lodash,
  d3,
};

/** Just enough AMD to load one plugin bundle the way SystemJS's AMD extra does. */
function loadAmdModule(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const w = window as unknown as { define?: unknown };
    const define = (deps: string[], factory: (...args: unknown[]) => Record<string, unknown>) => {
      try {
        const args = deps.map((dep) => {
          if (dep === 'module') {
            return { uri: new URL(url, document.baseURI).href };
          }
          if (!(dep in shared)) {
            throw new Error(`the plugin asks for "${dep}", which Grafana does not share`);
          }
          return shared[dep];
        });
        resolve(factory(...args));
      } catch (e) {
        reject(e);
      }
    };
    (define as unknown as { amd: object }).amd = {};
    w.define = define;
    const script = document.createElement('script');
    script.src = url;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}

async function main() {
  const settings = (await backendSrv.get(`/api/plugins/${page.pluginId}/settings`)) as Record<string, unknown>;
  const meta = { ...settings, type: PluginType.app } as unknown as AppPluginMeta;
  // meta.module is relative to Grafana, or an absolute CDN URL for plugins served from a CDN.
  const exports = await loadAmdModule(`${meta.module}?_cache=${encodeURIComponent(meta.info.version)}`);
  const plugin = exports.plugin as AppPlugin;
  plugin.init(meta);
  plugin.meta = meta;
  const Root = plugin.root!;
  const ConfigBody = plugin.configPages?.[0]?.body;

  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <BrowserRouter>
        <Routes>
          <Route
            path="/a/:pluginId/*"
            element={
              <PluginContextProvider meta={meta}>
                <Root
                  meta={meta}
                  basename={`/a/${page.pluginId}`}
                  query={{}}
                  path={`/a/${page.pluginId}`}
                  onNavChanged={() => {}}
                />
              </PluginContextProvider>
            }
          />
          <Route path="/standin/extensions" element={<ExtensionProbe />} />
          <Route
            path="/plugins/:pluginId"
            element={
              <PluginContextProvider meta={meta}>
                {/* Grafana's plugin details page puts the configuration in its page chrome (<main>, <h1>). */}
                <HostPluginPage>{ConfigBody ? <ConfigBody plugin={plugin} query={{}} /> : null}</HostPluginPage>
              </PluginContextProvider>
            }
          />
        </Routes>
      </BrowserRouter>
      <PortalContainer />
    </ThemeContext.Provider>
  );
}

main().catch((e) => {
  document.getElementById('root')!.textContent = `Stand-in host failed: ${e instanceof Error ? e.message : String(e)}`;
  (window as unknown as { __standinError: string }).__standinError = String(e);
});
