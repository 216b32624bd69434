/**
 * A LOCAL STAND-IN for Grafana (not Grafana) serving one app plugin, for browser tests where no Grafana can run.
 *
 * Reproduced, from `../shared/reference/grafana*.md`:
 * - the production build served from `/public/plugins/<id>/` and loaded as an AMD module with Grafana's shared
 *   modules (see grafana/host.tsx), `<base href="/">`, icons under `/public/build/img/icons/`;
 * - `GET/POST /api/plugins/<id>/settings` (jsonData replaced whole, secureJsonData merged key by key, secrets
 *   never returned, only `secureJsonFields`; saving needs the Admin role);
 * - the datasource proxy `/api/datasources/proxy/uid/<uid>/<path>`: forwards any method with the datasource's
 *   basic auth; an upstream 401 becomes 400 "Authentication to data source failed"; an unreachable upstream 502;
 * - optionally a CDN: plugin files from a second origin (with CORS), `meta.module` an absolute URL there;
 * - the app route proxy `/api/plugin-proxy/<id>/<path>` for the routes of src/plugin.json, matched, checked and
 *   templated as Grafana does (see grafana/appRoute.ts for the source it follows); the upstream answer, a 401
 *   included, passes through unchanged (`pkg/util/proxyutil/reverse_proxy.go`: no response mapping for app routes),
 *   an unreachable target is an empty 502;
 * - `GET /api/login/ping` (the session check backendSrv makes after a 401 on a local URL), and `GET /login` as an
 *   HTML page (where a browser lands when it follows a redirect to Grafana's login).
 * Not reproduced: the CDN's loading strategy `fetch` (SystemJS fetching and rewriting the source; here a script
 * tag loads it), third-party CSS that Grafana core ships (date picker calendar, uPlot, Monaco) and its fonts,
 * sessions and login, permissions beyond the org role, the CDN, Grafana's navigation, toasts,
 * data queries, timeouts, request queueing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { buildHostScript } from '../hosts/hostBundle';
import { findRoute, PluginRoute, proxyPathOf, routeTarget } from './grafana/appRoute';

const ROOT = resolve(__dirname, '../..');
const PLUGIN = JSON.parse(readFileSync(join(ROOT, 'src/plugin.json'), 'utf8')) as {
  id: string;
  info: Record<string, unknown>;
  routes: PluginRoute[];
};
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.md': 'text/markdown',
};

export interface GrafanaStandInOptions {
  pyroscopeUrl: string;
  orgRole?: 'Viewer' | 'Editor' | 'Admin';
  theme?: 'light' | 'dark';
  /** Basic auth the datasource adds upstream, as Grafana does with the datasource's credentials. */
  datasourceBasicAuth?: { user: string; password: string };
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
  /** Serve the plugin's files from a second origin, as Grafana does for CDN plugins (module URL on the CDN). */
  cdn?: boolean;
  /** Components other plugins expose (`usePluginComponent`), e.g. 'grafana-pyroscope-app/embedded-profiles-exploration/v1'. */
  exposedComponents?: string[];
  /** Build the host page before serving (default true); API-only tests skip it. */
  buildHost?: boolean;
  /** `[dataproxy] timeout`: how long the proxies wait for upstream response headers (default 30 s, as Grafana). */
  dataproxyTimeoutMs?: number;
  /** Starts the dataproxy deadline and returns its cancel; tests inject one they fire themselves. */
  startTimer?: (ms: number, onFire: () => void) => () => void;
}

function realTimer(ms: number, onFire: () => void): () => void {
  const timer = setTimeout(onFire, ms);
  return () => clearTimeout(timer);
}

export const DATASOURCE_UID = 'pyroscope-local';

const LOGIN_PAGE = '<!doctype html><html><head><title>Grafana</title></head><body><form>Log in</form></body></html>';

let hostBundle: Promise<string> | undefined;

/** Builds the host page script once per process, with the shared packages of the host that `GRAFANA_HOST` chooses. */
function hostScript(): Promise<string> {
  hostBundle ??= buildHostScript(join(__dirname, 'grafana/host.tsx'));
  return hostBundle;
}

export class GrafanaStandIn {
  requests: Array<{ method: string; url: string; status: number }> = [];
  /** What the app route sent upstream: the target URL and the headers the route set (rendered, empty or not). */
  routeRequests: Array<{ url: string; headers: Record<string, string> }> = [];
  /** Requests to the CDN origin, when there is one. */
  cdnRequests: string[] = [];
  private server?: Server;
  private cdnServer?: Server;
  private cdnUrl?: string;
  private settings: {
    enabled: boolean;
    pinned: boolean;
    jsonData: Record<string, unknown>;
    secureJsonData: Record<string, string>;
  };

  constructor(private options: GrafanaStandInOptions) {
    this.settings = {
      enabled: true,
      pinned: true,
      jsonData: options.jsonData ?? { defaultDatasourceUid: DATASOURCE_UID },
      secureJsonData: options.secureJsonData ?? {},
    };
  }

  set role(role: 'Viewer' | 'Editor' | 'Admin') {
    this.options.orgRole = role;
  }

  set theme(theme: 'light' | 'dark') {
    this.options.theme = theme;
  }

  async start(port = 0): Promise<string> {
    if (this.options.buildHost !== false) {
      await hostScript();
    }
    if (this.options.cdn) {
      this.cdnServer = createServer((req, res) => {
        this.cdnRequests.push(req.url ?? '');
        const path = new URL(req.url ?? '/', 'http://cdn').pathname;
        // Browsers fetch chunks with crossorigin="anonymous": the CDN must allow the Grafana origin.
        res.setHeader('Access-Control-Allow-Origin', '*');
        const prefix = `/public/plugins/${PLUGIN.id}/`;
        const file = normalize(join(ROOT, 'dist', path.slice(prefix.length)));
        if (!path.startsWith(prefix) || !file.startsWith(join(ROOT, 'dist')) || !existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        res
          .writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(readFileSync(file));
      });
      await new Promise<void>((r) => this.cdnServer!.listen(0, '127.0.0.1', r));
      this.cdnUrl = `http://127.0.0.1:${(this.cdnServer.address() as AddressInfo).port}`;
    }
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => this.send(req, res, 500, { message: String(e) }));
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.cdnServer?.closeAllConnections();
    this.cdnServer?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, type = 'application/json') {
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '', status });
    res.writeHead(status, { 'Content-Type': type });
    res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname;
    const role = this.options.orgRole ?? 'Admin';
    if (path === '/standin/host.js') {
      return this.send(req, res, 200, await hostScript(), 'text/javascript');
    }
    if (path.startsWith(`/public/plugins/${PLUGIN.id}/`)) {
      return this.serveFile(req, res, join(ROOT, 'dist'), path.slice(`/public/plugins/${PLUGIN.id}/`.length));
    }
    if (path.startsWith('/public/fonts/')) {
      return this.serveFile(
        req,
        res,
        join(ROOT, 'node_modules/@grafana/ui/dist/public/fonts'),
        path.slice('/public/fonts/'.length)
      );
    }
    if (path.startsWith('/public/build/img/icons/')) {
      return this.serveFile(
        req,
        res,
        join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons'),
        path.slice('/public/build/img/icons/'.length)
      );
    }
    if (path === `/api/plugins/${PLUGIN.id}/settings`) {
      return this.pluginSettings(req, res, role);
    }
    const proxy = path.match(/^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)?$/);
    if (proxy) {
      if (decodeURIComponent(proxy[1]) !== DATASOURCE_UID) {
        return this.send(req, res, 404, { message: 'Data source not found' });
      }
      const auth = this.options.datasourceBasicAuth;
      const headers: Record<string, string> = auth
        ? { Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` }
        : {};
      return this.forward(req, res, this.options.pyroscopeUrl + (proxy[2] ?? '') + url.search, headers, true);
    }
    if (path === '/login' && req.method === 'GET') {
      // Where a followed redirect to Grafana's /login lands: an HTML page with 200, as Grafana's login view.
      return this.send(req, res, 200, LOGIN_PAGE, 'text/html; charset=utf-8');
    }
    if (path === '/api/login/ping') {
      return this.send(req, res, 200, { message: 'Logged in' });
    }
    const proxyPath = proxyPathOf(path, PLUGIN.id);
    if (proxyPath !== undefined) {
      return this.appRoute(req, res, proxyPath, url.search, role);
    }
    if (path === '/' || path.startsWith('/a/') || path.startsWith('/plugins/') || path === '/standin/extensions') {
      return this.send(req, res, 200, this.html(), 'text/html');
    }
    return this.send(req, res, 404, { message: 'Not found' });
  }

  /** `/api/plugin-proxy/<id>/…`: Grafana's `HandleRequest` and `director` (grafana/appRoute.ts). */
  private async appRoute(req: IncomingMessage, res: ServerResponse, proxyPath: string, search: string, role: string) {
    const decision = findRoute(PLUGIN.routes, req.method ?? 'GET', proxyPath, role);
    if (decision.kind === 'not-found') {
      return this.send(req, res, 404, { message: 'plugin route match not found' });
    }
    if (decision.kind === 'forbidden') {
      return this.send(req, res, 403, { message: 'plugin proxy route access denied' });
    }
    const target = routeTarget(decision.route, decision.rest, search, {
      JsonData: this.settings.jsonData,
      SecureJsonData: this.settings.secureJsonData,
    });
    if ('error' in target) {
      return this.send(req, res, 502, '', 'text/plain');
    }
    this.routeRequests.push({ url: target.url, headers: target.headers });
    return this.forward(req, res, target.url, target.headers, false);
  }

  private html(): string {
    const page = {
      pluginId: PLUGIN.id,
      theme: this.options.theme ?? 'dark',
      orgRole: this.options.orgRole ?? 'Admin',
      exposedComponents: this.options.exposedComponents ?? [],
      datasources: {
        [DATASOURCE_UID]: {
          uid: DATASOURCE_UID,
          name: 'Pyroscope (local)',
          type: 'grafana-pyroscope-datasource',
          url: this.options.pyroscopeUrl,
        },
      },
    };
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><base href="/"><title>Grafana stand-in</title></head>
<body style="margin:0"><div id="root"></div><script>window.__STANDIN__=${JSON.stringify(page)};</script><script src="/standin/host.js"></script></body></html>`;
  }

  private serveFile(req: IncomingMessage, res: ServerResponse, base: string, relative: string) {
    const file = normalize(join(base, relative));
    if (!file.startsWith(base) || !existsSync(file)) {
      return this.send(req, res, 404, { message: 'Not found' });
    }
    return this.send(req, res, 200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
  }

  private async pluginSettings(req: IncomingMessage, res: ServerResponse, role: string) {
    if (req.method === 'POST') {
      if (role !== 'Admin') {
        return this.send(req, res, 403, { message: 'Permission denied' });
      }
      const body = JSON.parse(await readBody(req)) as {
        enabled?: boolean;
        pinned?: boolean;
        jsonData?: Record<string, unknown>;
        secureJsonData?: Record<string, string>;
      };
      this.settings.enabled = Boolean(body.enabled);
      this.settings.pinned = Boolean(body.pinned);
      this.settings.jsonData = body.jsonData ?? {};
      Object.assign(this.settings.secureJsonData, body.secureJsonData ?? {});
      return this.send(req, res, 200, { message: 'Plugin settings updated' });
    }
    const secureJsonFields = Object.fromEntries(
      Object.entries(this.settings.secureJsonData)
        .filter(([, v]) => v !== '')
        .map(([k]) => [k, true])
    );
    return this.send(req, res, 200, {
      id: PLUGIN.id,
      type: 'app',
      name: 'Speedscope Upload',
      enabled: this.settings.enabled,
      pinned: this.settings.pinned,
      jsonData: this.settings.jsonData,
      secureJsonFields,
      info: { ...PLUGIN.info, version: '0.1.0' },
      module: this.cdnUrl
        ? `${this.cdnUrl}/public/plugins/${PLUGIN.id}/module.js`
        : `public/plugins/${PLUGIN.id}/module.js`,
      baseUrl: `public/plugins/${PLUGIN.id}`,
      includes: [],
    });
  }

  /**
   * Grafana's reverse proxy (`pkg/util/proxyutil/reverse_proxy.go`, Go's `httputil.ReverseProxy`): the upstream
   * answer is streamed back as it comes, redirects are not followed (the 3xx and its Location reach the browser),
   * no answer within `[dataproxy] timeout` (30 s, to the response headers) is an empty 504, an unreachable upstream
   * an empty 502. For datasources only, an upstream 401 becomes 400 "Authentication to data source failed"
   * (`pkg/api/pluginproxy/ds_proxy.go`).
   */
  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    headers: Record<string, string>,
    isDatasource: boolean
  ) {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBodyBytes(req);
    const headersDeadline = new AbortController();
    const startTimer = this.options.startTimer ?? realTimer;
    const cancelDeadline = startTimer(this.options.dataproxyTimeoutMs ?? 30_000, () => headersDeadline.abort());
    res.on('close', () => headersDeadline.abort());
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: req.method,
        headers: { 'Content-Type': String(req.headers['content-type'] ?? 'application/json'), ...headers },
        body: body === undefined ? undefined : new Uint8Array(body),
        redirect: 'manual',
        signal: headersDeadline.signal,
      });
    } catch {
      return this.send(req, res, headersDeadline.signal.aborted ? 504 : 502, '', 'text/plain');
    } finally {
      cancelDeadline();
    }
    if (isDatasource && upstream.status === 401) {
      await upstream.body?.cancel();
      return this.send(req, res, 400, { message: 'Authentication to data source failed' });
    }
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '', status: upstream.status });
    const location = upstream.headers.get('location');
    res.writeHead(upstream.status, {
      'Content-Type': upstream.headers.get('content-type') ?? 'application/json',
      ...(location ? { Location: location } : {}),
    });
    try {
      const reader = upstream.body?.getReader();
      for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
        res.write(next.value);
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}

function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
