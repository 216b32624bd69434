/**
 * `npm run bench:browser`: how the page behaves with a large file, in Chromium through the LOCAL STAND-INS for Grafana
 * and Pyroscope. It prints numbers and asserts none of them (timings are not tests); it is skipped in `e2e:local`.
 *
 * Printed: time from drop to the thread table; long tasks of the page's main thread from drop to "Pushed"
 * (PerformanceObserver `longtask`: count, longest, total); push time against the stand-in's rate-limit floor
 * (uncompressed bytes ÷ its rate); the page's JS heap (CDP `Runtime.getHeapUsage` of the page's isolate, which does
 * not include workers), sampled every 250 ms, and how long those samples waited for the page (a round trip).
 */
import { expect, test } from '@playwright/test';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateLargeFile } from '../../bench/generateLargeFile';
import { GrafanaStandIn } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';
import { UploadPage } from './uploadPage';

const TARGET_MB = Number(process.env.BENCH_BROWSER_MB ?? 68);
const FILE = join(tmpdir(), `speedscope-browser-bench-${TARGET_MB}.json`);
/** The stand-in's default ingestion rate (Pyroscope's 4 MB/s per tenant, read as MiB as the stand-in does). */
const RATE_BYTES_PER_SECOND = 4 * 1024 * 1024;

test.skip(!process.env.BENCH_BROWSER, 'a benchmark: run it with `npm run bench:browser`');
test.setTimeout(20 * 60_000);

let pyroscope: PyroscopeStandIn;
let grafana: GrafanaStandIn;
let grafanaUrl: string;

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  expect(existsSync(join(__dirname, '../../dist/module.js')), 'run `npm run build` first').toBe(true);
  if (!existsSync(FILE)) {
    await generateLargeFile({
      path: FILE,
      targetBytes: TARGET_MB * 1024 * 1024,
      sampledThreads: 4,
      eventedThreads: 2,
      frames: 20_000,
    });
  }
  pyroscope = new PyroscopeStandIn();
  const pyroscopeUrl = await pyroscope.start();
  grafana = new GrafanaStandIn({ pyroscopeUrl });
  grafanaUrl = await grafana.start();
});

test.afterAll(async () => {
  await grafana?.stop();
  await pyroscope?.stop();
});

/** What the stand-in's rate limiter counts for the accepted requests: label bytes plus gunzipped pprof bytes. */
function acceptedCost(): { bytes: number; profiles: number; requests: number } {
  let bytes = 0;
  let profiles = 0;
  const accepted = pyroscope.requests.filter((r) => r.path.endsWith('/Push') && r.status === 200);
  for (const request of accepted) {
    const body = JSON.parse(request.body) as {
      series: Array<{ labels: Array<{ name: string; value: string }>; samples: Array<{ rawProfile: string }> }>;
    };
    for (const series of body.series) {
      bytes += series.labels.reduce((s, l) => s + Buffer.byteLength(l.name) + Buffer.byteLength(l.value), 0);
      for (const sample of series.samples) {
        bytes += gunzipSync(Buffer.from(sample.rawProfile, 'base64')).length;
        profiles++;
      }
    }
  }
  return { bytes, profiles, requests: accepted.length };
}

test('a large mixed file from drop to Pushed', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: Array<{ start: number; duration: number }> };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        w.__longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  const cdp = await page.context().newCDPSession(page);
  const upload = new UploadPage(page, grafanaUrl);
  await upload.goto();

  let peakHeap = 0;
  let slowestRoundTrip = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const asked = Date.now();
      const usage = (await cdp.send('Runtime.getHeapUsage').catch(() => undefined)) as
        { usedSize: number; totalSize: number } | undefined;
      slowestRoundTrip = Math.max(slowestRoundTrip, Date.now() - asked);
      peakHeap = Math.max(peakHeap, usage?.usedSize ?? 0);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const dropAt = await page.evaluate(() => performance.now());
  const dropped = Date.now();
  await page.setInputFiles('input[type=file]', FILE);
  await expect(upload.threadButton('Thread 1000 "worker-0"')).toBeVisible({ timeout: 5 * 60_000 });
  const tableMs = Date.now() - dropped;
  const tableAt = await page.evaluate(() => performance.now());

  await upload.setService('bench');
  await expect(upload.pushButton()).toBeEnabled({ timeout: 5 * 60_000 });
  const planMs = Date.now() - dropped;
  const pushLabel = await upload.pushButton().textContent();
  const pushStarted = Date.now();
  const pushAt = await page.evaluate(() => performance.now());
  await upload.pushButton().click();
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible({ timeout: 15 * 60_000 });
  const pushMs = Date.now() - pushStarted;
  sampling = false;
  await sampler;

  const longTasks = (
    await page.evaluate(
      () => (window as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks
    )
  ).filter((t) => t.start >= dropAt);
  await cdp.send('HeapProfiler.collectGarbage');
  const afterGc = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const cost = acceptedCost();
  const floorMs = (cost.bytes / RATE_BYTES_PER_SECOND) * 1000;
  const retried = pyroscope.requests.filter((r) => r.status === 429).length;

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const phase = (from: number, to: number) => {
    const tasks = longTasks.filter((t) => t.start >= from && t.start < to);
    return `${tasks.length} (longest ${tasks.reduce((m, t) => Math.max(m, t.duration), 0).toFixed(0)} ms)`;
  };
  const lines = [
    `file                          ${mb(statSync(FILE).size)} (4 sampled + 2 evented threads, 20 000 frames)`,
    `thread table shown after      ${s(tableMs)}   (goal ≤ 3 s)`,
    `push enabled (planned) after  ${s(planMs)}   ${pushLabel}`,
    `push took                     ${s(pushMs)}   floor ${s(floorMs)} (${mb(cost.bytes)} uncompressed ÷ 4 MiB/s) → ${(pushMs / floorMs).toFixed(2)}× (goal ≤ 1.2×)`,
    `                              ${cost.profiles} profiles in ${cost.requests} accepted requests, ${retried} answered 429`,
    `long tasks, drop → Pushed     ${longTasks.length}, longest ${longTasks.reduce((m, t) => Math.max(m, t.duration), 0).toFixed(0)} ms, ${s(longTasks.reduce((sum, t) => sum + t.duration, 0))} in all (goal: none over 50 ms)`,
    `  of which                   until the thread table ${phase(dropAt, tableAt)}, until Push ${phase(tableAt, pushAt)}, pushing ${phase(pushAt, Infinity)}`,
    `page JS heap                  peak ${mb(peakHeap)} (goal < 150 MB), ${mb(afterGc.usedSize)} after GC at the end`,
    `slowest round trip to page    ${slowestRoundTrip} ms`,
  ];
  console.log(`\nbrowser pipeline benchmark (Chromium, local stand-ins)\n${lines.join('\n')}\n`);
});
