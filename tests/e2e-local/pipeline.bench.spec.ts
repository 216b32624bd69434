/**
 * `npm run bench:browser`: how the page behaves with a large file, in Chromium through the LOCAL STAND-INS for Grafana
 * and Pyroscope. It prints numbers and asserts none of them (timings are not tests); it is skipped in `e2e:local`.
 *
 * Printed: time from drop to the thread table; long tasks of the page's main thread from drop to "Pushed"
 * (PerformanceObserver `longtask`: count, longest, total), and Chromium's long animation frames over the same time
 * (frames whose update waited over 50 ms, which also counts tasks back to back and rendering outside any task, such as
 * a canvas' raster); push time against the stand-in's rate-limit floor
 * (uncompressed bytes ÷ its rate); the page's JS heap (CDP `Runtime.getHeapUsage` of the page's isolate, which does
 * not include workers), sampled every 250 ms, and how long those samples waited for the page (a round trip).
 *
 * `BENCH_PROFILE=1` also records a CPU profile of the page (CDP `Profiler`, 0.5 ms sampling) from drop to "Pushed" and
 * prints, per long task, where its time went: the functions with the most self time, mapped through the plugin's
 * source maps (the profiler itself slows the page a little: take counts and durations from a run without it);
 * `BENCH_PROFILE_OUT=<file>` also writes the raw profile and the long tasks there.
 * `BENCH_TRACE=1` records a Chromium trace instead and prints, per task over 50 ms, its self time by trace event
 * (style, layout, paint, GC, and script by function), which shows the renderer's native work too;
 * `BENCH_TRACE_OUT=<file>` also writes the trace there, with the page's JS samples on the trace's clock.
 */
import { expect, Page, test } from '@playwright/test';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `name (source:line)` of a profile node: plugin chunks mapped back to their sources. */
function frameNamer(): (frame: CpuProfile['nodes'][number]['callFrame']) => string {
  const maps = new Map<string, TraceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      const path = join(__dirname, '../../dist', `${file}.map`);
      maps.set(file, existsSync(path) ? new TraceMap(readFileSync(path, 'utf8')) : undefined);
    }
    return maps.get(file);
  };
  return ({ functionName, url, lineNumber, columnNumber }) => {
    const file = url.split('/').pop()?.split('?')[0] ?? '';
    const map = url.includes('/public/plugins/') ? mapOf(file) : undefined;
    if (map && lineNumber >= 0) {
      const original = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber });
      if (original.source) {
        const source = original.source.replace(/^.*node_modules\//, '').replace(/^webpack:\/\/[^/]*\//, '');
        return `${original.name ?? functionName ?? '(anonymous)'} (${source}:${original.line})`;
      }
    }
    const where = url ? `${url.split('/').slice(-1)[0]}:${lineNumber + 1}` : 'native';
    return `${functionName || '(anonymous)'} (${where})`;
  };
}

/**
 * Per long task: its time, how much of it the profile sampled, the functions with the most self time, and the
 * plugin's own functions (or, outside them, the first library frame) the samples were under.
 */
function attribute(
  profile: CpuProfile,
  profileStartOnPage: number,
  tasks: Array<{ start: number; duration: number }>
): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of (node as { children?: number[] }).children ?? []) {
      parentOf.set(child, node.id);
    }
  }
  const name = frameNamer();
  const names = new Map<number, string>();
  const nameOf = (id: number) => {
    if (!names.has(id)) {
      names.set(id, name(byId.get(id)!.callFrame));
    }
    return names.get(id)!;
  };
  /** The innermost frame of the plugin's own sources (or @grafana/flamegraph's) on the sample's stack. */
  const ownerOf = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = nameOf(at);
      if (/\((\.\/)?src\/|@grafana\/flamegraph/.test(frame)) {
        return frame;
      }
    }
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined && stack.length < 40; at = parentOf.get(at)) {
      stack.push(byId.get(at)!.callFrame.functionName);
    }
    if (stack.some((f) => /captureSnapshot|getAriaRole|querySelector|_queryCSS|_evaluate/.test(f))) {
      return '(Playwright locator, not the page)';
    }
    return stack.some((f) => /performWork|flushPassiveEffects|commitRoot|renderRoot/.test(f))
      ? `React render/commit outside plugin frames: ${nameOf(id)}`
      : nameOf(id);
  };
  const times: number[] = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) {
    at += delta;
    times.push(profileStartOnPage + (at - profile.startTime) / 1000);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => `      ${ms.toFixed(1).padStart(6)} ms  ${key}`);
  return tasks.map((task) => {
    const self = new Map<string, number>();
    const owners = new Map<string, number>();
    let sampled = 0;
    for (let i = 0; i + 1 < profile.samples.length; i++) {
      if (times[i] >= task.start && times[i] < task.start + task.duration) {
        const id = profile.samples[i];
        const key = nameOf(id);
        if (key.startsWith('(idle)')) {
          continue;
        }
        // A sample stands for the time until the next one.
        const ms = times[i + 1] - times[i];
        sampled += ms;
        self.set(key, (self.get(key) ?? 0) + ms);
        const owner = ownerOf(id);
        owners.set(owner, (owners.get(owner) ?? 0) + ms);
      }
    }
    return [
      `  task at ${(task.start / 1000).toFixed(2)} s, ${task.duration.toFixed(0)} ms (${sampled.toFixed(0)} ms sampled busy):`,
      '    self time:',
      ...top(self, 5),
      '    under (innermost plugin or flame graph frame):',
      ...top(owners, 6),
    ].join('\n');
  });
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number; columnNumber?: number } };
}

/**
 * Per task of the page's main thread over 50 ms in a Chromium trace (`BENCH_TRACE=1`): where its time went by trace
 * event (style, layout, paint, GC, script by function), self time. Unlike the CPU profile this sees the renderer's
 * native work too, which the profile lumps into "(program)".
 */
function attributeTrace(events: TraceEvent[]): string[] {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const busy = (pid: number, tid: number) =>
    events.filter((e) => e.pid === pid && e.tid === tid && e.name === 'RunTask').reduce((s, e) => s + (e.dur ?? 0), 0);
  const main = mains.sort((a, b) => busy(b.pid, b.tid) - busy(a.pid, a.tid))[0];
  if (!main) {
    return ['  (no renderer main thread in the trace)'];
  }
  const name = frameNamer();
  const own = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const labelOf = (e: TraceEvent) => {
    const data = e.args?.data;
    if ((e.name === 'FunctionCall' || e.name === 'EvaluateScript') && data?.url !== undefined) {
      const frame = name({
        functionName: data.functionName ?? '',
        url: data.url,
        lineNumber: data.lineNumber ?? -1,
        columnNumber: data.columnNumber ?? 0,
      });
      return `${e.name} ${frame}`;
    }
    return e.name;
  };
  const lines: string[] = [];
  const origin = own[0]?.ts ?? 0;
  for (let i = 0; i < own.length; i++) {
    const task = own[i];
    if (task.name !== 'RunTask' || task.dur! <= 50_000) {
      continue;
    }
    const end = task.ts + task.dur!;
    const inside = [];
    for (let j = i + 1; j < own.length && own[j].ts < end; j++) {
      inside.push(own[j]);
    }
    // Self time per label: each event's duration less its direct children's.
    const self = new Map<string, number>();
    const stack: Array<{ event: TraceEvent; end: number; label: string; children: number }> = [];
    const close = (upTo: number) => {
      while (stack.length > 0 && stack[stack.length - 1].end <= upTo) {
        const top = stack.pop()!;
        self.set(top.label, (self.get(top.label) ?? 0) + top.event.dur! - top.children);
      }
    };
    let childrenOfTask = 0;
    for (const event of inside) {
      close(event.ts);
      if (stack.length > 0) {
        stack[stack.length - 1].children += event.dur!;
      } else {
        childrenOfTask += event.dur!;
      }
      stack.push({ event, end: event.ts + event.dur!, label: labelOf(event), children: 0 });
    }
    close(Infinity);
    self.set('(task, outside traced events)', task.dur! - childrenOfTask);
    lines.push(
      `  task at +${((task.ts - origin) / 1e6).toFixed(2)} s of the trace, ${(task.dur! / 1000).toFixed(0)} ms:`,
      ...[...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([label, us]) => `      ${(us / 1000).toFixed(1).padStart(6)} ms  ${label}`)
    );
  }
  return lines;
}

/**
 * Waits for a condition checked in the page with plain DOM calls, every 100 ms. Playwright's role and text locators
 * compute the accessibility tree of the whole page at each poll: with the thread table and flame graph on screen that
 * is a long task of its own (up to 70 ms here), which the page would be blamed for.
 */
async function untilInPage(page: Page, condition: () => boolean): Promise<void> {
  await page.waitForFunction(condition, undefined, { polling: 100, timeout: 15 * 60_000 });
}

/** A long animation frame's scripts, as Chromium reports them (`PerformanceScriptTiming`). */
interface ScriptTiming {
  startTime: number;
  duration: number;
  invoker: string;
  sourceFunctionName: string;
  sourceURL: string;
}

interface FrameScripts {
  start: number;
  duration: number;
  /** The frame's rendering: requestAnimationFrame callbacks and the like, then style and layout (and paint). */
  render: number;
  styleAndLayout: number;
  scripts: Array<{ start: number; duration: number; what: string }>;
}

/** Per long task: the scripts of the long animation frame around it that ran within the task, longest first. */
function scriptsOfLongTasks(frames: FrameScripts[], longTasks: Array<{ start: number; duration: number }>): string[] {
  return longTasks.map((task) => {
    const scripts = frames
      .flatMap((frame) => frame.scripts)
      .filter((script) => script.start < task.start + task.duration && script.start + script.duration > task.start)
      .filter((script) => script.duration >= 5)
      .sort((a, b) => b.duration - a.duration)
      .map((script) => `      ${script.duration.toFixed(0).padStart(4)} ms  ${script.what}`);
    // The frame's time outside its scripts and its rendering: on this page, the canvas being rasterized.
    const around = frames
      .filter((frame) => frame.start < task.start + task.duration && frame.start + frame.duration > task.start)
      .map((frame) => {
        const inScripts = frame.scripts.reduce((sum, script) => sum + script.duration, 0);
        const rest = frame.duration - inScripts - frame.render - frame.styleAndLayout;
        return (
          `      its frame at ${(frame.start / 1000).toFixed(2)} s: ${frame.duration.toFixed(0)} ms, scripts ${inScripts.toFixed(0)} ms, ` +
          `render ${frame.render.toFixed(0)} ms, style+layout ${frame.styleAndLayout.toFixed(0)} ms, outside these ${rest.toFixed(0)} ms`
        );
      });
    return [
      `  task at ${(task.start / 1000).toFixed(2)} s, ${task.duration.toFixed(0)} ms:`,
      ...scripts,
      ...around,
    ].join('\n');
  });
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
    // Chromium's long animation frames name the scripts that ran in them, at no profiler's cost.
    const l = window as unknown as { __frames: FrameScripts[] };
    l.__frames = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{
        startTime: number;
        duration: number;
        renderStart: number;
        styleAndLayoutStart: number;
        scripts: ScriptTiming[];
      }>) {
        l.__frames.push({
          start: entry.startTime,
          duration: entry.duration,
          render: entry.renderStart ? entry.styleAndLayoutStart - entry.renderStart : 0,
          styleAndLayout: entry.styleAndLayoutStart ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0,
          scripts: entry.scripts.map((script) => ({
            start: script.startTime,
            duration: script.duration,
            what: `${script.invoker} → ${script.sourceFunctionName || '(anonymous)'} (${script.sourceURL.split('/').pop()?.split('?')[0] || 'inline'})`,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
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

  const profiling = Boolean(process.env.BENCH_PROFILE);
  let profileStartOnPage = 0;
  if (profiling) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    const before = await page.evaluate(() => performance.now());
    await cdp.send('Profiler.start');
    const after = await page.evaluate(() => performance.now());
    // The profile's start lies between the two looks at the page's clock.
    profileStartOnPage = (before + after) / 2;
  }
  const tracing = Boolean(process.env.BENCH_TRACE);
  const browser = page.context().browser()!;
  if (tracing) {
    await browser.startTracing(page, {
      categories: [
        // More on demand, e.g. BENCH_TRACE_CATEGORIES='*,disabled-by-default-v8.gc'.
        ...(process.env.BENCH_TRACE_CATEGORIES?.split(',') ?? []),
        'devtools.timeline',
        'disabled-by-default-devtools.timeline',
        'toplevel',
        'v8.execute',
        // JS samples on the trace's clock, for BENCH_TRACE_OUT.
        ...(process.env.BENCH_TRACE_OUT ? ['disabled-by-default-v8.cpu_profiler'] : []),
      ],
    });
  }
  const dropAt = await page.evaluate(() => performance.now());
  const dropped = Date.now();
  await page.setInputFiles('input[type=file]', FILE);
  await untilInPage(page, () =>
    [...document.querySelectorAll('button')].some((b) => b.textContent === 'Thread 1000 "worker-0"')
  );
  const tableMs = Date.now() - dropped;
  const tableAt = await page.evaluate(() => performance.now());

  await upload.setService('bench');
  await untilInPage(page, () =>
    [...document.querySelectorAll('button')].some(
      (b) =>
        /^Push \d+ profiles? of \d+ threads?$/.test(b.textContent ?? '') &&
        !b.disabled &&
        // Grafana's Button keeps a button with a tooltip hoverable: disabled by aria-disabled, not `disabled`.
        b.getAttribute('aria-disabled') !== 'true'
    )
  );
  const planMs = Date.now() - dropped;
  const pushLabel = await page.evaluate(
    () =>
      [...document.querySelectorAll('button')].find((b) =>
        /^Push \d+ profiles? of \d+ threads?$/.test(b.textContent ?? '')
      )?.textContent
  );
  const pushStarted = Date.now();
  const pushAt = await page.evaluate(() => performance.now());
  await page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .find((b) => /^Push \d+ profiles? of \d+ threads?$/.test(b.textContent ?? ''))!
      .click()
  );
  await untilInPage(
    page,
    () => document.evaluate("//*[text()='Pushed']", document, null, XPathResult.BOOLEAN_TYPE, null).booleanValue
  );
  const pushMs = Date.now() - pushStarted;
  const pushedAt = await page.evaluate(() => performance.now());
  sampling = false;
  await sampler;
  const profile = profiling ? ((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile : undefined;
  const trace = tracing
    ? (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents
    : undefined;

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
  const frames = await page.evaluate(() => (window as unknown as { __frames: FrameScripts[] }).__frames);
  // Frames whose update waited over 50 ms: tasks back to back, and rendering work outside any task (a canvas'
  // raster), count here even where no single task is long.
  const longFrames = frames.filter((f) => f.start >= dropAt && f.start < pushedAt);
  lines.push(
    `long animation frames         ${longFrames.length}, longest ${longFrames.reduce((m, f) => Math.max(m, f.duration), 0).toFixed(0)} ms (frames over 50 ms, drop → Pushed)`
  );
  if (longTasks.length > 0) {
    lines.push('scripts in the long tasks (Chromium long animation frames, those of 5 ms or more):');
    lines.push(...scriptsOfLongTasks(frames, longTasks));
  }
  if (profile && process.env.BENCH_PROFILE_OUT) {
    // For a closer look than the summary below: the raw profile with the long tasks on the same clock.
    writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify({ profile, profileStartOnPage, longTasks }));
  }
  if (profile) {
    lines.push(
      'where the long tasks went (self time per function, CPU profile):',
      ...attribute(profile, profileStartOnPage, longTasks)
    );
  }
  if (trace && process.env.BENCH_TRACE_OUT) {
    writeFileSync(process.env.BENCH_TRACE_OUT, JSON.stringify(trace));
  }
  if (trace) {
    lines.push('long tasks in the trace (self time per trace event):', ...attributeTrace(trace));
  }
  console.log(`\nbrowser pipeline benchmark (Chromium, local stand-ins)\n${lines.join('\n')}\n`);
});
