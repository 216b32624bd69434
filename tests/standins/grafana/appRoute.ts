/**
 * How the LOCAL GRAFANA STAND-IN (not Grafana) matches and renders an app plugin's `routes` from plugin.json, read
 * from Grafana's source (grafana/grafana, main of 2026):
 * - `pkg/api/plugin_proxy.go` `getProxyPath`: the path after `/api/plugin-proxy/<id>/`, cleaned with `path.Join("/", …)`.
 * - `pkg/api/pluginproxy/pluginproxy.go` `HandleRequest`: routes are tried in order; a route's `method` must equal
 *   the request's unless it is empty or `*`; its `path` must match through a one-route `web.Tree`; the first match
 *   wins; no match is 404 "plugin route match not found"; a match the user may not use is 403 "plugin proxy route
 *   access denied" (`hasAccessToRoute`: `reqRole` compared with the org role); the wildcard's value (params["*"]) is
 *   the rest of the path, and a route without a wildcard forwards no rest at all.
 * - `pkg/web/tree.go` `Tree.Add`/`Tree.Match`: segments split on `/`, leading and trailing `/` trimmed, each segment
 *   path-unescaped; static segments compare exactly; `:name` takes one segment (or the rest, as the last segment);
 *   `*` as the last segment takes the rest, slashes included. So `pyroscope-write` only matches that exact path and
 *   `pyroscope-write/*` matches everything below it.
 * - `pluginproxy.go` `director`: target = the rendered route URL's scheme, host and path, with the rest joined by
 *   `util.JoinURLFragments`; the incoming query string is kept, the route URL's own query is not.
 * - `pkg/api/pluginproxy/utils.go` `interpolateString`/`addHeaders`: every header of the route is rendered with Go's
 *   `text/template` over `{ JsonData, SecureJsonData }` and set with `Header.Set`, so it is always sent, empty or
 *   not. A missing map key prints `<no value>`; the template function `orEmpty` turns a missing value into "".
 * Left out: `reqAction` (RBAC), `urlParams`, `body`, `tokenAuth`/`jwtTokenAuth`, the `PluginProxyPreserveTrailingSlash`
 * toggle, regexp segments (`:id([0-9]+)`), and every template feature beyond `{{ .Scope.key }}` and
 * `{{ orEmpty .Scope.key }}` (any other template is refused, so a plugin.json using more fails here, not silently).
 */

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface RouteTemplateData {
  JsonData: Record<string, unknown>;
  SecureJsonData: Record<string, string>;
}

const ROLES = ['Viewer', 'Editor', 'Admin'];

/** `getProxyPath`: `path.Join("/", rest)`, i.e. cleaned, with no trailing slash. */
export function proxyPathOf(requestPath: string, pluginId: string): string | undefined {
  const prefix = `/api/plugin-proxy/${pluginId}`;
  if (requestPath !== prefix && !requestPath.startsWith(`${prefix}/`)) {
    return undefined;
  }
  const segments: string[] = [];
  for (const segment of requestPath.slice(prefix.length).split('/')) {
    if (segment === '' || segment === '.') {
      continue;
    }
    if (segment === '..') {
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return `/${segments.join('/')}`;
}

/** One route pattern matched as `web.NewTree().Add(pattern)` then `Match(url)` would; undefined when it doesn't. */
export function matchRoutePath(pattern: string, url: string): { rest?: string } | undefined {
  const patternSegments = pattern.replace(/\/$/, '').replace(/^\//, '').split('/');
  const trimmed = url.replace(/^\//, '').replace(/\/$/, '');
  let urlSegments: string[];
  try {
    urlSegments = trimmed.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  for (let i = 0; i < patternSegments.length; i++) {
    const p = patternSegments[i];
    const last = i === patternSegments.length - 1;
    if (last && p === '*') {
      // A match-all leaf takes the rest of the URL, or a lone segment when it is the last one.
      return i < urlSegments.length ? { rest: urlSegments.slice(i).join('/') } : undefined;
    }
    if (i >= urlSegments.length) {
      return undefined;
    }
    if (p.startsWith(':')) {
      if (last) {
        return urlSegments.length - 1 === i ? {} : undefined;
      }
      continue;
    }
    if (p !== urlSegments[i]) {
      return undefined;
    }
  }
  return patternSegments.length === urlSegments.length ? {} : undefined;
}

export type RouteDecision =
  { kind: 'not-found' } | { kind: 'forbidden' } | { kind: 'matched'; route: PluginRoute; rest: string };

/** `HandleRequest`: the first route whose method and path match; its role check decides 403. */
export function findRoute(routes: PluginRoute[], method: string, proxyPath: string, role: string): RouteDecision {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const match = matchRoutePath(route.path, proxyPath);
    if (!match) {
      continue;
    }
    if (route.reqRole && ROLES.indexOf(role) < ROLES.indexOf(route.reqRole)) {
      return { kind: 'forbidden' };
    }
    return { kind: 'matched', route, rest: match.rest ?? '' };
  }
  return { kind: 'not-found' };
}

/** Go's fmt of a value as `{{ . }}` prints it: strings as is, numbers and booleans in Go's default form. */
function goPrint(value: unknown): string {
  if (value === undefined) {
    return '<no value>';
  }
  if (value === null) {
    return '<nil>';
  }
  if (typeof value === 'object') {
    throw new Error('the stand-in renders only scalar template values');
  }
  return String(value);
}

/** `interpolateString` for the two forms the stand-in supports; anything else throws, as a parse error would. */
export function renderRouteTemplate(text: string, data: RouteTemplateData): string {
  return text.replace(/\{\{(.*?)\}\}/g, (_, inner: string) => {
    const m = inner.trim().match(/^(orEmpty\s+)?\.(JsonData|SecureJsonData)\.([A-Za-z_][A-Za-z0-9_]*)$/);
    if (!m) {
      throw new Error(`the stand-in cannot render the template "{{${inner}}}"`);
    }
    const scope: Record<string, unknown> = m[2] === 'JsonData' ? data.JsonData : data.SecureJsonData;
    const value = Object.prototype.hasOwnProperty.call(scope, m[3]) ? scope[m[3]] : undefined;
    // orEmpty receives a missing value as nil and returns "".
    return m[1] && (value === undefined || value === null) ? '' : goPrint(value);
  });
}

/** `util.JoinURLFragments`. */
export function joinUrlFragments(a: string, b: string): string {
  if (b === '') {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/** `director`: where the request goes and the headers the route sets (all of them, empty or not). */
export function routeTarget(
  route: PluginRoute,
  rest: string,
  search: string,
  data: RouteTemplateData
): { url: string; headers: Record<string, string> } | { error: string } {
  let target: URL;
  try {
    target = new URL(renderRouteTemplate(route.url, data));
  } catch {
    // Go's url.Parse accepts "<no value>" as a relative path; the proxy then has no host to dial: 502.
    return { error: 'no target host' };
  }
  const headers = Object.fromEntries((route.headers ?? []).map((h) => [h.name, renderRouteTemplate(h.content, data)]));
  return {
    url: `${target.origin}${joinUrlFragments(target.pathname === '/' ? '' : target.pathname, rest)}${search}`,
    headers,
  };
}
