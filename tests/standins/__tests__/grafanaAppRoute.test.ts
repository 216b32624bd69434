/**
 * The Grafana stand-in's app route and proxies against the behaviours read from Grafana's source
 * (tests/standins/grafana/appRoute.ts, grafanaStandIn.ts `forward`), and the route plugin.json declares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findRoute,
  joinUrlFragments,
  matchRoutePath,
  PluginRoute,
  proxyPathOf,
  renderRouteTemplate,
} from '../grafana/appRoute';
import { DATASOURCE_UID, GrafanaStandIn } from '../grafanaStandIn';
import { PyroscopeStandIn } from '../pyroscopeStandIn';
import { cpuProfile, pprofBytes, pushBody } from './pprofBytes';

const PLUGIN = JSON.parse(readFileSync(join(__dirname, '../../../src/plugin.json'), 'utf8')) as {
  id: string;
  routes: PluginRoute[];
};
const PUSH = '/push.v1.PusherService/Push';

describe('route matching (pluginproxy.go HandleRequest, web/tree.go)', () => {
  it.each([
    ['pyroscope-write/*', '/pyroscope-write/push.v1.PusherService/Push', { rest: 'push.v1.PusherService/Push' }],
    ['pyroscope-write/*', '/pyroscope-write/a%20b/c', { rest: 'a b/c' }],
    ['pyroscope-write/*', '/pyroscope-write', undefined],
    ['pyroscope-write', '/pyroscope-write', {}],
    ['pyroscope-write', '/pyroscope-write/push.v1.PusherService/Push', undefined],
    ['api/:version/items', '/api/v2/items', {}],
    ['*', '/', { rest: '' }],
  ])('%s against %s', (pattern, url, expected) => {
    expect(matchRoutePath(pattern, url)).toEqual(expected);
  });

  it('cleans the proxy path as path.Join("/", …) does', () => {
    expect(proxyPathOf('/api/plugin-proxy/app/a//b/../c/', 'app')).toBe('/a/c');
    expect(proxyPathOf('/api/plugin-proxy/other/a', 'app')).toBeUndefined();
  });

  it('checks the method, then the path, then the role', () => {
    const routes: PluginRoute[] = [{ path: 'w/*', method: 'POST', reqRole: 'Editor', url: 'http://x' }];
    expect(findRoute(routes, 'GET', '/w/push', 'Admin')).toEqual({ kind: 'not-found' });
    expect(findRoute(routes, 'POST', '/w/push', 'Viewer')).toEqual({ kind: 'forbidden' });
    expect(findRoute(routes, 'POST', '/w/push', 'Editor')).toMatchObject({ kind: 'matched', rest: 'push' });
  });

  it('the route in plugin.json matches the write path for POST (the path without a wildcard never did)', () => {
    expect(findRoute(PLUGIN.routes, 'POST', `/pyroscope-write${PUSH}`, 'Editor')).toMatchObject({
      kind: 'matched',
      rest: '',
    });
    // The write route passes pushes only: no query goes out with the write target's secret through it.
    expect(
      findRoute(PLUGIN.routes, 'POST', '/pyroscope-write/querier.v1.QuerierService/SelectMergeStacktraces', 'Editor')
    ).toEqual({
      kind: 'not-found',
    });
    expect(
      findRoute([{ ...PLUGIN.routes[0], path: 'pyroscope-write' }], 'POST', `/pyroscope-write${PUSH}`, 'Editor')
    ).toEqual({
      kind: 'not-found',
    });
  });
});

describe('route templates (pluginproxy/utils.go interpolateString)', () => {
  const data = { JsonData: { tenant: 't1', slice: 10 }, SecureJsonData: { token: 'Bearer s' } };
  it('renders a missing key as <no value>, and as "" through orEmpty', () => {
    expect(renderRouteTemplate('{{ .JsonData.missing }}', data)).toBe('<no value>');
    expect(renderRouteTemplate('{{ .SecureJsonData.missing }}', data)).toBe('<no value>');
    expect(renderRouteTemplate('{{ orEmpty .JsonData.missing }}|{{ orEmpty .SecureJsonData.token }}', data)).toBe(
      '|Bearer s'
    );
    expect(renderRouteTemplate('{{ .JsonData.slice }}s', data)).toBe('10s');
  });
  it('refuses templates it cannot render, as a parse error would', () => {
    expect(() => renderRouteTemplate('{{ .JsonData.a | printf "%s" }}', data)).toThrow();
  });
  it('joins the rest to the route URL as util.JoinURLFragments', () => {
    expect([
      joinUrlFragments('', 'a'),
      joinUrlFragments('/p/', '/a'),
      joinUrlFragments('/p', 'a'),
      joinUrlFragments('/p', ''),
    ]).toEqual(['/a', '/p/a', '/p/a', '/p']);
  });
});

describe('the stand-in proxies', () => {
  let pyroscope: PyroscopeStandIn;
  let grafana: GrafanaStandIn;
  let grafanaUrl: string;
  const now = Date.now();
  const body = () =>
    pushBody([
      {
        labels: { __name__: 'process_cpu', service_name: 's', thread_name: 't' },
        profiles: [pprofBytes(cpuProfile(BigInt(now) * 1_000_000n, { main: 1, work: 2 }))],
      },
    ]);
  const post = (path: string, data: string) =>
    fetch(grafanaUrl + path, {
      method: 'POST',
      body: data,
      headers: { 'Content-Type': 'application/json' },
      redirect: 'manual',
    });

  async function start(options: {
    jsonData?: Record<string, unknown>;
    secureJsonData?: Record<string, string>;
    multitenancy?: boolean;
  }) {
    pyroscope = new PyroscopeStandIn({ multitenancy: options.multitenancy });
    const pyroscopeUrl = await pyroscope.start();
    grafana = new GrafanaStandIn({
      pyroscopeUrl,
      buildHost: false,
      orgRole: 'Editor',
      jsonData: { pushUrl: pyroscopeUrl, ...options.jsonData },
      secureJsonData: options.secureJsonData,
    });
    grafanaUrl = await grafana.start();
  }
  afterEach(async () => {
    await grafana.stop();
    await pyroscope.stop();
  });

  it("forwards an Editor's push through the write route, with empty headers when nothing is saved", async () => {
    await start({});
    const res = await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`, body());
    expect(res.status).toBe(200);
    expect(pyroscope.series().map((s) => s.total)).toEqual([3]);
    expect(grafana.routeRequests[0].headers).toEqual({ Authorization: '', 'X-Scope-OrgID': '' });
    expect(pyroscope.requests[0].path).toBe(PUSH);
  });

  it('sends the saved tenant and secret', async () => {
    await start({
      jsonData: { pushTenant: 'team-a' },
      secureJsonData: { pushAuthorization: 'Bearer abc' },
      multitenancy: true,
    });
    expect((await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`, body())).status).toBe(200);
    expect(pyroscope.requests[0].headers).toMatchObject({ authorization: 'Bearer abc', 'x-scope-orgid': 'team-a' });
    expect(pyroscope.stored[0].tenant).toBe('team-a');
  });

  it('answers 404 "plugin route match not found" off the route and 403 to a Viewer', async () => {
    await start({});
    const missing = await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write`, body());
    expect([missing.status, await missing.json()]).toEqual([404, { message: 'plugin route match not found' }]);
    const get = await fetch(`${grafanaUrl}/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`);
    expect(get.status).toBe(404);
    grafana.role = 'Viewer';
    const denied = await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`, body());
    expect([denied.status, await denied.json()]).toEqual([403, { message: 'plugin proxy route access denied' }]);
  });

  it('passes an upstream 401 through the app route unchanged, where the datasource proxy makes it a 400', async () => {
    await start({ multitenancy: true });
    const route = await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`, body());
    expect([route.status, await route.json()]).toEqual([401, { code: 'unauthenticated', message: 'no org id' }]);
    const ds = await post(`/api/datasources/proxy/uid/${DATASOURCE_UID}${PUSH}`, body());
    expect([ds.status, await ds.json()]).toEqual([400, { message: 'Authentication to data source failed' }]);
  });

  it('does not follow an upstream redirect', async () => {
    await start({});
    pyroscope.setFaults({ redirect: 1, redirectLocation: '/login' });
    const res = await post(`/api/datasources/proxy/uid/${DATASOURCE_UID}${PUSH}`, body());
    expect([res.status, res.headers.get('location')]).toEqual([302, '/login']);
  });

  it('serves /login as an HTML page, where a followed redirect lands', async () => {
    await start({});
    pyroscope.setFaults({ redirect: 1, redirectLocation: '/login' });
    const res = await fetch(`${grafanaUrl}/api/datasources/proxy/uid/${DATASOURCE_UID}${PUSH}`, {
      method: 'POST',
      body: body(),
    });
    expect([res.status, res.redirected, res.headers.get('content-type')]).toEqual([
      200,
      true,
      'text/html; charset=utf-8',
    ]);
    expect(pyroscope.stored).toEqual([]);
  });

  it('answers an empty 504 when the upstream sends no headers within the dataproxy timeout', async () => {
    pyroscope = new PyroscopeStandIn();
    const pyroscopeUrl = await pyroscope.start();
    // The deadline passes when the test says so: once the upstream holds the whole request and leaves it unanswered.
    const deadlines: number[] = [];
    let fireDeadline: (() => void) | undefined;
    const startTimer = (ms: number, onFire: () => void) => {
      deadlines.push(ms);
      fireDeadline = onFire;
      return () => (fireDeadline = undefined);
    };
    grafana = new GrafanaStandIn({ pyroscopeUrl, buildHost: false, dataproxyTimeoutMs: 50, startTimer });
    grafanaUrl = await grafana.start();
    pyroscope.setFaults({ hang: 1 });
    const answer = post(`/api/datasources/proxy/uid/${DATASOURCE_UID}${PUSH}`, body());
    await pyroscope.requestMatching((r) => r.status === -1);
    expect(deadlines).toEqual([50]);
    fireDeadline!();
    const res = await answer;
    expect([res.status, await res.text()]).toEqual([504, '']);
    expect(fireDeadline).toBeUndefined();
  });

  it("the read route forwards only SelectSeries, with the write target's URL and credentials", async () => {
    await start({
      jsonData: { pushTenant: 'team-a' },
      secureJsonData: { pushAuthorization: 'Bearer abc' },
      multitenancy: true,
    });
    expect((await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-write${PUSH}`, body())).status).toBe(200);
    const select = JSON.stringify({
      profileTypeID: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      labelSelector: '{service_name="s"}',
      start: String(now - 60_000),
      end: String(now + 60_000),
      step: 60,
    });
    const read = await post(
      `/api/plugin-proxy/${PLUGIN.id}/pyroscope-read/querier.v1.QuerierService/SelectSeries`,
      select
    );
    expect(read.status).toBe(200);
    const answer = (await read.json()) as { series: Array<{ points: Array<{ value: number }> }> };
    expect(answer.series.flatMap((s) => s.points.map((p) => p.value))).toEqual([3]);
    expect(pyroscope.requests[1]).toMatchObject({
      path: '/querier.v1.QuerierService/SelectSeries',
      headers: { authorization: 'Bearer abc', 'x-scope-orgid': 'team-a' },
    });
    // Nothing else goes through it: not a push, not another querier call, not a GET.
    for (const path of [
      PUSH,
      '/querier.v1.QuerierService/SelectMergeStacktraces',
      '/querier.v1.QuerierService/SelectSeries/x',
    ]) {
      const other = await post(`/api/plugin-proxy/${PLUGIN.id}/pyroscope-read${path}`, body());
      expect([path, other.status]).toEqual([path, 404]);
    }
    expect(
      (await fetch(`${grafanaUrl}/api/plugin-proxy/${PLUGIN.id}/pyroscope-read/querier.v1.QuerierService/SelectSeries`))
        .status
    ).toBe(404);
    grafana.role = 'Viewer';
    const denied = await post(
      `/api/plugin-proxy/${PLUGIN.id}/pyroscope-read/querier.v1.QuerierService/SelectSeries`,
      select
    );
    expect(denied.status).toBe(403);
    expect(pyroscope.requests).toHaveLength(2);
  });

  it('forwards queries through the datasource proxy', async () => {
    await start({});
    await post(`/api/datasources/proxy/uid/${DATASOURCE_UID}${PUSH}`, body());
    const res = await post(
      `/api/datasources/proxy/uid/${DATASOURCE_UID}/querier.v1.QuerierService/LabelValues`,
      JSON.stringify({ name: 'thread_name' })
    );
    expect(await res.json()).toEqual({ names: ['t'] });
  });
});
