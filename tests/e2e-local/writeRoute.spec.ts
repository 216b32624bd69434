import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GrafanaStandIn } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';
import { PLUGIN_ID, UploadPage } from './uploadPage';

/**
 * The app's write route (pushes) and read route (the read-back's SelectSeries) through the Grafana stand-in, which
 * matches routes as Grafana's `HandleRequest` does (tests/standins/grafana/appRoute.ts): a route path without a
 * wildcard matches that path only and forwards to the route URL as it is, so each route passes one call.
 */
test.describe.configure({ mode: 'serial' });

const PUSH = '/push.v1.PusherService/Push';
const SELECT_SERIES = '/querier.v1.QuerierService/SelectSeries';
const SMALL = 'py-spy-0.4.1-2threads-small.speedscope.json';
const SMALL_TOTALS = [
  // py-spy's `Thread <id> "<name>"` arrives as the clean name, with the id in `thread_id`.
  ['MainThread', 2_480_000_000],
  ['GetTelemetryConfig', 50_000_000],
];

let pyroscope: PyroscopeStandIn;
let grafana: GrafanaStandIn;
let grafanaUrl: string;

async function startStandIns(options: { multitenancy?: boolean } = {}) {
  pyroscope = new PyroscopeStandIn({ multitenancy: options.multitenancy });
  const pyroscopeUrl = await pyroscope.start();
  // A write target with no tenant and no secret saved: the route's headers render empty.
  grafana = new GrafanaStandIn({
    pyroscopeUrl,
    orgRole: 'Editor',
    jsonData: { defaultDatasourceUid: 'pyroscope-local', pushUrl: pyroscopeUrl },
  });
  grafanaUrl = await grafana.start();
}

test.beforeAll(() => {
  expect(existsSync(join(__dirname, '../../dist/module.js')), 'run `npm run build` first').toBe(true);
});

test.afterEach(async () => {
  await grafana?.stop();
  await pyroscope?.stop();
});

async function pushThroughWriteTarget(upload: UploadPage, service: string) {
  await upload.goto();
  await upload.dropFiles(SMALL);
  await expect(upload.threadButton('Thread 680254 "MainThread"')).toBeVisible();
  await upload.setService(service);
  await upload.page.getByRole('radio', { name: 'App write target' }).check({ force: true });
  await upload.push(/^Push 2 profiles of 2 threads$/);
}

test('an Editor pushes through the app route and reads back through the read route: every thread arrived exactly', async ({
  page,
}) => {
  await startStandIns();
  const upload = new UploadPage(page, grafanaUrl);
  await pushThroughWriteTarget(upload, 'write-route');
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
  await expect(upload.arrivals()).toHaveCount(SMALL_TOTALS.length);
  for (const arrival of await upload.arrivals().all()) {
    await expect(arrival).toContainText('arrived exactly', { timeout: 30_000 });
  }

  expect(pyroscope.series().map((s) => [s.labels.thread_name, s.total])).toEqual(SMALL_TOTALS);
  // Neither the push nor the read-back touched the datasource: both went to the write target's URL.
  expect(grafana.requests.filter((r) => r.url.startsWith('/api/datasources/proxy/'))).toEqual([]);
  const routed = grafana.routeRequests.map((r) => [new URL(r.url).pathname, r.headers]);
  expect(routed[0]).toEqual([PUSH, { Authorization: '', 'X-Scope-OrgID': '' }]);
  expect(new Set(routed.slice(1).map(([path]) => path))).toEqual(new Set([SELECT_SERIES]));
  expect(routed.filter(([path]) => path === PUSH)).toHaveLength(1);
});

test('a Viewer is refused by the route with 403, and a path off the route is 404', async ({ page }) => {
  await startStandIns();
  grafana.role = 'Viewer';
  await page.goto(`${grafanaUrl}/a/${PLUGIN_ID}/upload`);
  const answer = (path: string) =>
    page.evaluate(async (url) => {
      const res = await fetch(url, { method: 'POST', body: '{}' });
      return [res.status, await res.json()];
    }, `/api/plugin-proxy/${PLUGIN_ID}/${path}`);
  expect(await answer(`pyroscope-write${PUSH}`)).toEqual([403, { message: 'plugin proxy route access denied' }]);
  expect(await answer('pyroscope-write')).toEqual([404, { message: 'plugin route match not found' }]);
  expect(await answer(`pyroscope-write${SELECT_SERIES}`)).toEqual([404, { message: 'plugin route match not found' }]);
  expect(await answer(`pyroscope-read${SELECT_SERIES}`)).toEqual([
    403,
    { message: 'plugin proxy route access denied' },
  ]);
  expect(await answer(`pyroscope-read${PUSH}`)).toEqual([404, { message: 'plugin route match not found' }]);
  expect(pyroscope.requests).toEqual([]);
});

test("the write target's 401 is reported once: no login ping, no second copy of the batch", async ({ page }) => {
  await startStandIns({ multitenancy: true });
  const upload = new UploadPage(page, grafanaUrl);
  await pushThroughWriteTarget(upload, 'unauthorized');
  await expect(page.getByText(/no org id/).first()).toBeVisible({ timeout: 30_000 });
  expect(pyroscope.requests.filter((r) => r.path === PUSH).map((r) => r.status)).toEqual([401]);
  expect(grafana.requests.filter((r) => r.url === '/api/login/ping')).toEqual([]);
  expect(pyroscope.stored).toEqual([]);
});
