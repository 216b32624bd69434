/**
 * `npm run bench`: prints how fast and how big the conversion core is on a large multi-thread file.
 * Numbers, not pass/fail: compare them against the README table.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planUpload } from '../src/core/plan/planUpload';
import { batchProfiles, encodePlan, EncodedProfile } from '../src/core/push/encodeUpload';
import { parseSpeedscope } from '../src/core/speedscope/parseSpeedscope';
import { generateLargeFile } from './generateLargeFile';

const TARGET_BYTES = Number(process.env.BENCH_MB ?? 240) * 1024 * 1024;
const path = join(tmpdir(), `speedscope-bench-${TARGET_BYTES}.json`);

let peakRss = 0;
const sampleMemory = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sampleMemory, 20);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function time<T>(label: string, fn: () => T): { value: T; ms: number } {
  global.gc?.();
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  sampleMemory();
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms`);
  return { value, ms };
}

async function main() {
  if (!existsSync(path)) {
    console.log(`generating ${mb(TARGET_BYTES)} file at ${path} …`);
    await generateLargeFile({ path, targetBytes: TARGET_BYTES, sampledThreads: 6, eventedThreads: 2, frames: 20_000 });
  }
  const bytes = readFileSync(path);
  console.log(`file: ${path} (${mb(statSync(path).size)}, 6 sampled + 2 evented threads)`);
  const rssBefore = process.memoryUsage().rss;

  const bare = time(
    'bare JSON.parse (decode + parse)',
    () => JSON.parse(new TextDecoder().decode(bytes)).profiles.length
  );
  const parsed = time('parseSpeedscope (whole core parse)', () => parseSpeedscope('bench.json', bytes));
  const plan = time('planUpload (10 s slices)', () =>
    planUpload([parsed.value], { serviceName: 'bench', fromMs: Date.now() - 30 * 60_000 })
  );
  time('re-plan after a label change', () =>
    planUpload([parsed.value], {
      serviceName: 'bench-renamed',
      fromMs: Date.now() - 30 * 60_000,
      extraLabels: [{ name: 'env', value: 'bench' }],
    })
  );
  const encodeStart = performance.now();
  const encodedProfiles: EncodedProfile[] = [];
  for await (const profile of encodePlan(plan.value)) {
    encodedProfiles.push(profile);
  }
  const encoded = { value: encodedProfiles, ms: performance.now() - encodeStart };
  console.log(`${'encode pprof + gzip'.padEnd(34)} ${encoded.ms.toFixed(0).padStart(7)} ms`);
  const batches = time('batch into requests', () => batchProfiles(encoded.value));
  clearInterval(timer);

  const threads = parsed.value.profiles.filter((p) => p.ok);
  const samples = threads.reduce((s, t) => s + (t.ok ? t.samples.node.length : 0), 0);
  console.log('');
  console.log(
    `threads ${threads.length}, samples/intervals ${samples.toLocaleString('en-US')}, profiles ${plan.value.profiles.length}, requests ${batches.value.length}`
  );
  console.log(`parse / bare JSON.parse ratio        ${(parsed.ms / bare.ms).toFixed(2)}×`);
  console.log(`plan + encode                        ${(plan.ms + encoded.ms + batches.ms).toFixed(0)} ms`);
  console.log(
    `peak RSS ${mb(peakRss)} (before parsing: ${mb(rssBefore)}); largest profile ${Math.max(...encoded.value.map((e) => e.ref.uncompressedBytes))} B uncompressed`
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
