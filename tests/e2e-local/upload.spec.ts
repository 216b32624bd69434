import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATASOURCE_UID, GrafanaStandIn } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';
import { PLUGIN_ID, UploadPage } from './uploadPage';

test.describe.configure({ mode: 'serial' });

let pyroscope: PyroscopeStandIn;
let grafana: GrafanaStandIn;
let grafanaUrl: string;
let pyroscopeUrl: string;
const SHOTS = join(__dirname, '../../test-results');

test.beforeAll(async () => {
  expect(
    existsSync(join(__dirname, '../../dist/module.js')),
    'run `npm run build` first: the tests load the production bundle'
  ).toBe(true);
  pyroscope = new PyroscopeStandIn();
  pyroscopeUrl = await pyroscope.start();
  grafana = new GrafanaStandIn({ pyroscopeUrl, datasourceBasicAuth: { user: 'pyro', password: 'secret' } });
  grafanaUrl = await grafana.start();
});

test.afterAll(async () => {
  await grafana?.stop();
  await pyroscope?.stop();
});

test.beforeEach(() => {
  pyroscope.reset();
  grafana.role = 'Editor';
  grafana.theme = 'dark';
});

const series = () =>
  pyroscope.series().map((s) => ({ thread: s.labels.thread_name, total: s.total, type: s.labels.__name__ }));

// Totals derived by hand in tests/helpers/expectedThreads.ts; thread labels as the planner derives them from py-spy's names.
const LARGE_PYSPY = [
  { thread: 'Thread 725838', total: 4_724_000_000, type: 'process_cpu' },
  { thread: 'MLflowTelemetryConsumer-0', total: 1_000_000, type: 'process_cpu' },
  { thread: 'GetTelemetryConfig', total: 30_000_000, type: 'process_cpu' },
];

test('drop files, preview, push through the datasource proxy: one series per thread, exact totals, nothing lost at compaction', async ({
  page,
}) => {
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles(
    'py-spy-0.4.1-3threads-large.speedscope.json',
    'speedscope-0.0.1-simple-evented.speedscope.json',
    'invalid-speedscope-incomplete-trace.json'
  );

  await expect(upload.threadButton('Thread 725838 ""')).toBeVisible();
  await expect(upload.threadButton('simple.txt')).toBeVisible();
  await expect(
    page.getByText('events: frame 0 "A" opened at events[0] is never closed (1 frames left open)', { exact: true })
  ).toBeVisible();
  // Parsed in the Web Worker chunk loaded from public/plugins/<id>/, not by the main-thread fallback.
  await expect(page.getByText('no Web Worker could start')).toHaveCount(0);
  expect(await upload.flameGraphInkedPixels()).toBeGreaterThan(1000);

  await upload.setService('checkout');
  const from = new Date(Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000);
  await upload.setTimeRange(from, new Date(from.getTime() + 15 * 60_000));
  // One profile per thread: each fits one 10 s slice and the 1 MiB bound (the encoder's sizes are exact).
  await upload.push(/^Push 4 profiles of 4 threads$/);
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'upload-dark.png'), fullPage: true });

  expect(series()).toEqual([...LARGE_PYSPY, { thread: 'simple.txt', total: 14, type: 'process_cpu' }]);
  expect(pyroscope.stored.find((p) => p.labels.some((l) => l.value === 'simple.txt'))?.sampleType).toBe(
    'samples:count:cpu:nanoseconds'
  );
  // Read back through the same datasource proxy: every pushed thread arrived exactly.
  await expect(upload.arrivals().getByText('arrived exactly', { exact: true })).toHaveCount(4, { timeout: 30_000 });
  // Grafana's proxy added the datasource's basic auth on the way, to the push and to the read-back.
  const auth = `Basic ${Buffer.from('pyro:secret').toString('base64')}`;
  expect(new Set(pyroscope.requests.map((r) => `${r.path.split('?')[0]} ${r.headers.authorization}`))).toEqual(
    new Set([`/push.v1.PusherService/Push ${auth}`, `/querier.v1.QuerierService/SelectSeries ${auth}`])
  );
  expect(
    grafana.requests.filter((r) =>
      r.url.startsWith(`/api/datasources/proxy/uid/${DATASOURCE_UID}/push.v1.PusherService/Push`)
    )
  ).toHaveLength(1);
  // Each file starts at the range start.
  expect(new Set(pyroscope.stored.map((p) => p.timeNanos))).toEqual(new Set([BigInt(from.getTime()) * 1_000_000n]));
  const before = pyroscope.stored.length;
  expect(pyroscope.compact()).toBe(0);
  expect(pyroscope.stored).toHaveLength(before);

  await expect(upload.results()).toHaveCount(5);
  await expect(
    upload
      .results()
      .nth(0)
      .getByRole('link', { name: /Explore/ })
  ).toHaveAttribute('href', /^\/explore\?schemaVersion=1&panes=/);
});

test('read-back after a push: a profile the server lost shows as missing', async ({ page }) => {
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
  await expect(upload.threadButton('one')).toBeVisible();
  await upload.setService('lost');
  // 1 s slices: "one" (samples at 0, 1, 2, 6 and 9 s) becomes several profiles, so one can go missing.
  await page.getByRole('spinbutton', { name: /Slice width/ }).fill('1');
  // Nothing is visible at first, so the read-back waits and asks again: the moment to lose a profile.
  pyroscope.setFaults({ notQueryable: 1_000 });
  await upload.push(/^Push \d+ profiles of 2 threads$/);
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
  await expect(page.getByText(/not visible yet, asking again/)).toBeVisible({ timeout: 30_000 });
  const removed = await fetch(`${pyroscopeUrl}/standin/remove`, {
    method: 'POST',
    body: JSON.stringify({ labels: { thread_name: 'one' }, nth: 1 }),
  });
  expect(removed.status).toBe(200);
  pyroscope.setFaults({});
  await expect(upload.arrivals().nth(0).getByText('missing 1', { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(upload.arrivals().nth(1).getByText('arrived exactly', { exact: true })).toBeVisible();
  await expect(upload.arrivals().nth(0)).toContainText(/missing 1: 1 of \d+ profiles not found/);
});

test('derived labels, profile types with their reasons and services per file, edited and pushed, at 1024 px', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  const PY_SPY = 'py-spy-0.4.1-2threads-small.speedscope.json';
  const TWO = 'speedscope-0.6.0-two-sampled.speedscope.json';
  await upload.dropFiles(PY_SPY, TWO);
  await expect(upload.threadButton('Thread 680254 "MainThread"')).toBeVisible();
  await upload.setService('shop');

  // What the planner derives from py-spy's `Thread <id> "<name>"`: the clean name and thread_id, nothing cut.
  await expect(upload.threadLabelValue(PY_SPY, 0)).toHaveValue('MainThread');
  await expect(upload.ownLabelValue(PY_SPY, 0, 'thread_id')).toHaveValue('680254');
  await expect(upload.threadLabelValue(PY_SPY, 1)).toHaveValue('GetTelemetryConfig');
  await expect(upload.ownLabelValue(PY_SPY, 1, 'thread_id')).toHaveValue('680344');
  await expect(upload.threadLabelValue(TWO, 0)).toHaveValue('one');
  await expect(upload.threadRow(TWO, 'one').getByRole('textbox', { name: /^Value of label/ })).toHaveCount(0);
  const pySpyReason =
    'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.';
  await expect(upload.threadRow(PY_SPY, 'Thread 680254 "MainThread"')).toContainText(pySpyReason);
  await expect(upload.threadRow(TWO, 'two')).toContainText(
    'Nothing in the file says whether waiting time is included; CPU time is the default.'
  );
  // Two producers: one service per file, said in the table where the file starts.
  await expect(page.getByRole('textbox', { name: `Service of ${PY_SPY}`, exact: true })).toHaveValue(
    'shop-py-spy-0.4.1-2threads-small'
  );
  await expect(page.getByRole('region', { name: `Threads of ${TWO}` })).toContainText(
    'The files differ in producers: one service per file. 2 series under "shop-speedscope-0.6.0-two-sampled", from 1 file.'
  );
  // The label column is on screen, not behind a sideways scroll.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
  const labelBox = await upload.ownLabelValue(PY_SPY, 1, 'thread_id').boundingBox();
  expect(labelBox!.x + labelBox!.width).toBeLessThanOrEqual(1024);
  await page.screenshot({ path: join(SHOTS, 'upload-threads-1024.png'), fullPage: true });

  // Enter on a thread's name shows its flame graph and keeps the focus on the name.
  await upload.threadButton('Thread 680344 "GetTelemetryConfig"').focus();
  await page.keyboard.press('Enter');
  await expect(upload.threadButton('Thread 680344 "GetTelemetryConfig"')).toHaveAttribute('aria-pressed', 'true');
  await expect(upload.threadButton('Thread 680344 "GetTelemetryConfig"')).toBeFocused();

  // Edit: rename MainThread's id, remove GetTelemetryConfig's, push "two" as wall time, give the second file a service.
  await upload.ownLabelValue(PY_SPY, 0, 'thread_id').fill('main-1');
  await upload.ownLabelValue(PY_SPY, 0, 'thread_id').press('Enter');
  await page.getByRole('button', { name: `Remove label thread_id of ${PY_SPY} profile 1` }).click();
  await upload.setThreadProfileType(TWO, 1, 'Wall time');
  await expect(upload.threadRow(TWO, 'two')).toContainText('Chosen for this thread.');
  await upload.setFileService(TWO, 'samples-app');
  // A long value wraps in its field, whole: nothing scrolled out of sight.
  const longName = 'Thread 0x1FA08F100 "MainThread" of the ingest worker pool, started by the scheduler at boot';
  await upload.threadLabelValue(TWO, 0).fill(longName);
  await upload.threadLabelValue(TWO, 0).press('Enter');
  expect(
    await upload
      .threadLabelValue(TWO, 0)
      .evaluate((e) => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight + 1 && e.clientHeight > 40)
  ).toBe(true);
  await expect(page.getByRole('table', { name: 'What will be written' })).toContainText(
    '{__name__="wall", service_name="samples-app", thread_name="two"}'
  );
  await upload.push(/^Push \d+ profiles of 4 threads$/);
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
  expect(pyroscope.series().map((s) => s.labels)).toEqual([
    {
      __name__: 'process_cpu',
      service_name: 'shop-py-spy-0.4.1-2threads-small',
      thread_name: 'MainThread',
      thread_id: 'main-1',
    },
    { __name__: 'process_cpu', service_name: 'shop-py-spy-0.4.1-2threads-small', thread_name: 'GetTelemetryConfig' },
    { __name__: 'process_cpu', service_name: 'samples-app', thread_name: longName },
    { __name__: 'wall', service_name: 'samples-app', thread_name: 'two' },
  ]);
});

test('light theme at 1280×800 without horizontal scrolling', async ({ page }) => {
  grafana.theme = 'light';
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-2threads-small.speedscope.json', 'speedscope-0.6.0-two-sampled.speedscope.json');
  await expect(upload.threadButton('Thread 680254 "MainThread"')).toBeVisible();
  await expect(upload.pushButton()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  await page.screenshot({ path: join(SHOTS, 'upload-light.png'), fullPage: true });
});

test('injected 429s, 500s and a dropped connection are retried; nothing is lost or duplicated', async ({ page }) => {
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-3threads-large.speedscope.json');
  await upload.setService('retry');
  await expect(upload.threadButton('Thread 725838 ""')).toBeVisible();
  pyroscope.setFaults({ status429: 2, status500: 1, drop: 1 });
  await upload.push(/^Push 3 profiles of 3 threads$/);
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible({ timeout: 30_000 });
  expect(series()).toEqual(LARGE_PYSPY);
  expect(pyroscope.compact()).toBe(0);
  // Every injected fault was met, in the stand-in's order, and the upload still ended stored.
  const statuses = pyroscope.requests.map((r) => r.status);
  expect(statuses.filter((s) => s !== 200)).toEqual([0, 429, 429, 500]);
  expect(statuses[statuses.length - 1]).toBe(200);
});

test('cancel while a request hangs: reported honestly, nothing reported pushed that was not stored', async ({
  page,
}) => {
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-3threads-large.speedscope.json');
  await upload.setService('cancel');
  await expect(upload.threadButton('Thread 725838 ""')).toBeVisible();
  pyroscope.setFaults({ delayMs: 5_000 });
  await upload.push(/^Push 3 profiles of 3 threads$/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Push cancelled')).toBeVisible();
  await expect(upload.results().getByText('pushed', { exact: true })).toHaveCount(0);
  // Nothing confirmed stored; what was under way is said to be maybe stored, and nothing is called pushed.
  await expect(upload.results().getByText(/^0 of 1 profiles stored; .*cancel/)).toHaveCount(3);
  // The hanging request may still land after the browser gave up: at most that one batch, never reported as pushed.
  await page.waitForTimeout(5_500);
  expect(pyroscope.stored.length).toBeLessThanOrEqual(3);
});

test('a Viewer sees the preview but cannot push, and the write route refuses Viewers', async ({ page }) => {
  grafana.role = 'Viewer';
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();
  await upload.dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
  await expect(upload.threadButton('one')).toBeVisible();
  await expect(upload.pushButton()).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByText('Read-only')).toBeVisible();
  const status = await page.evaluate(
    async (id) =>
      (
        await fetch(`/api/plugin-proxy/${id}/pyroscope-write/push.v1.PusherService/Push`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    PLUGIN_ID
  );
  expect(status).toBe(403);
});

test('the configuration page saves settings through /api/plugins/<id>/settings', async ({ page }) => {
  grafana.role = 'Admin';
  await page.goto(`${grafanaUrl}/plugins/${PLUGIN_ID}`);
  const label = page.getByRole('textbox', { name: /Thread label name/ });
  await label.fill('thread');
  // Saving reloads the page, as in Grafana, so the Upload page sees the new settings.
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save settings' }).click()]);
  await expect(label).toHaveValue('thread', { timeout: 20_000 });
  const settings = await page.evaluate(async (id) => (await fetch(`/api/plugins/${id}/settings`)).json(), PLUGIN_ID);
  expect(settings.jsonData.threadLabelName).toBe('thread');
  await page.screenshot({ path: join(SHOTS, 'config-dark.png'), fullPage: true });
});

test.describe('plugin served from a CDN on another origin', () => {
  let cdnGrafana: GrafanaStandIn;
  let cdnGrafanaUrl: string;

  test.beforeAll(async () => {
    cdnGrafana = new GrafanaStandIn({ pyroscopeUrl, cdn: true });
    cdnGrafanaUrl = await cdnGrafana.start();
  });
  test.afterAll(() => cdnGrafana?.stop());

  test('chunks and the pipeline worker load from the CDN origin and the upload still works', async ({ page }) => {
    const upload = new UploadPage(page, cdnGrafanaUrl);
    await upload.goto();
    await upload.dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    await expect(upload.threadButton('Thread 680254 "MainThread"')).toBeVisible();
    // A cross-origin worker script cannot start with `new Worker(url)`: the blob + importScripts path must have.
    await expect(page.getByText('no Web Worker could start')).toHaveCount(0);
    expect(
      cdnGrafana.cdnRequests.some((url) => url.startsWith(`/public/plugins/${PLUGIN_ID}/pipeline-worker.js`))
    ).toBe(true);
    expect(cdnGrafana.requests.filter((r) => r.url.startsWith('/public/plugins/'))).toEqual([]);
    await upload.setService('cdn');
    await upload.push(/^Push 2 profiles of 2 threads$/);
    await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
    expect(series().map((s) => [s.thread, s.total])).toEqual([
      ['MainThread', 2_480_000_000],
      ['GetTelemetryConfig', 50_000_000],
    ]);
  });
});
