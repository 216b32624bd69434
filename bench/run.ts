/**
 * `npm run bench`: how fast and how big the conversion core is on a large mixed file (6 sampled, 2 evented threads).
 * Numbers, not pass/fail: compare them with the README table. `BENCH_MB=1024 npm run bench` for the 1 GB run.
 *
 * The conversion runs as `cli convert` does: the parse on a worker thread, each thread planned, written and gzipped
 * on this one as soon as it arrives; then the same steps run again one after another, for their separate times.
 * The bare `JSON.parse` runs in a child process of its own, so its memory never counts against the conversion's peak
 * RSS, which is the process's own high-water mark (`process.resourceUsage().maxRSS`, the worker included). CPU times
 * are the process's, every thread included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planUpload, UploadPlan } from '../src/core/plan/planUpload';
import { encodePprof } from '../src/core/pprof/encodePprof';
import { encodePlan, EncodedProfile, EncodingAhead } from '../src/core/push/encodeUpload';
import { parseSpeedscopeStream } from '../src/core/speedscope/parseSpeedscope';
import { parseInWorker } from '../cli/parse/parseInWorker';
import { generateLargeFile } from './generateLargeFile';

const TARGET_BYTES = Number(process.env.BENCH_MB ?? 240) * 1024 * 1024;
const path = join(tmpdir(), `speedscope-bench-${TARGET_BYTES}.json`);
const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const line = (label: string, value: string) => console.log(`${label.padEnd(46)} ${value}`);

/** CPU time of this process's threads in ms: on a shared, loaded machine it moves less than wall time. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const start = performance.now();
  const cpuStart = cpuMs();
  const value = await fn();
  const ms = performance.now() - start;
  const cpu = cpuMs() - cpuStart;
  line(label, `${ms.toFixed(0).padStart(7)} ms (CPU ${cpu.toFixed(0)} ms)`);
  return { value, ms, cpu };
}

/** Child mode: only the bare JSON.parse, printing its milliseconds. */
function bareParse(): void {
  const start = performance.now();
  const cpuStart = cpuMs();
  const doc = JSON.parse(new TextDecoder().decode(readFileSync(path)));
  const ms = performance.now() - start;
  process.stdout.write(`${ms} ${cpuMs() - cpuStart} ${doc.profiles.length}\n`);
}

/** Undefined when JSON.parse cannot take the file at all (V8's strings end at 2^29 − 24 characters, ~512 MiB). */
function bareParseInChild(): { ms: number; cpu: number } | undefined {
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--bare'], {
    env: { ...process.env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) {
    if (child.stderr.includes('Cannot create a string longer than')) {
      return undefined;
    }
    throw new Error(`bare JSON.parse failed: ${child.stderr.slice(0, 500)}`);
  }
  const [ms, cpu] = child.stdout.trim().split(' ').map(Number);
  return { ms, cpu };
}

/** `go tool pprof -raw` reads one profile per thread; its sample values must add up to the planned total. */
function goCrossCheck(plan: UploadPlan, encoded: Map<string, EncodedProfile>): string {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) {
    return 'skipped (no go on PATH)';
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-pprof-'));
  try {
    let checked = 0;
    for (const [threadKey, profile] of encoded) {
      const planned = plan.profiles.find((p) => p.threadKey === threadKey && p.timeNanos === profile.ref.timeNanos)!;
      const file = join(dir, `${checked}.pb.gz`);
      writeFileSync(file, profile.gzipped);
      const raw = execFileSync('go', ['tool', 'pprof', '-raw', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const samples = raw.slice(raw.indexOf('Samples:'), raw.indexOf('Locations'));
      let total = 0;
      for (const match of samples.matchAll(/^\s*(\d+):/gm)) {
        total += Number(match[1]);
      }
      if (total !== planned.total) {
        return `MISMATCH for ${threadKey}: go tool pprof adds up to ${total}, the plan says ${planned.total}`;
      }
      checked++;
    }
    return `ok: ${checked} profiles (one per thread) read by go tool pprof -raw, totals equal`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(path)) {
    console.log(`generating ${mib(TARGET_BYTES)} file at ${path} …`);
    await generateLargeFile({ path, targetBytes: TARGET_BYTES, sampledThreads: 6, eventedThreads: 2, frames: 20_000 });
  }
  const fileBytes = statSync(path).size;
  line('file', `${path} (${mib(fileBytes)}, 6 sampled + 2 evented threads)`);

  const bare = bareParseInChild();
  line(
    'bare JSON.parse (read + decode + parse, own process)',
    bare === undefined
      ? "impossible: the text exceeds V8's string limit"
      : `${bare.ms.toFixed(0).padStart(7)} ms (CPU ${bare.cpu.toFixed(0)} ms)`
  );

  const options = { serviceName: 'bench', fromMs: Date.now() - 30 * 60_000 };
  const read = () => createReadStream(path, { highWaterMark: 1 << 20 });

  // As `cli convert` does: the file streamed in 1 MiB chunks on a worker thread, never whole in memory; each thread
  // planned and encoded here as soon as it arrives (its gzip on zlib's threads), then the final plan takes those.
  console.log('convert, as cli convert does it:');
  const ahead = new EncodingAhead(options);
  const parsed = await timed('  parse on a worker, each thread encoded here', () =>
    parseInWorker(path, 'bench.json', (thread, head) => ahead.addThread(0, head, thread))
  );
  const plan = await timed('  plan (the threads are sliced already)', () => planUpload([parsed.value], options));
  let compressedBytes = 0;
  let largest = 0;
  const firstPerThread = new Map<string, EncodedProfile>();
  const encoded = await timed('  encode the rest, wait for gzip', async () => {
    let count = 0;
    for await (const profile of encodePlan(plan.value, { ahead })) {
      compressedBytes += profile.gzipped.length;
      largest = Math.max(largest, profile.ref.uncompressedBytes);
      if (!firstPerThread.has(profile.ref.threadKey)) {
        firstPerThread.set(profile.ref.threadKey, profile);
      }
      count++;
    }
    return count;
  });
  line('  profiles taken from those encoded ahead', `${ahead.reused} of ${encoded.value}`);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const convertMs = parsed.ms + plan.ms + encoded.ms;
  const convertCpu = parsed.cpu + plan.cpu + encoded.cpu;

  // After the conversion, so they count neither in its time nor in its memory: each step alone, one after another.
  console.log('');
  console.log('the same steps one after another (after the conversion, for comparison):');
  const alone = await timed('  parse (parseSpeedscopeStream from the file)', () =>
    parseSpeedscopeStream('bench.json', read())
  );
  const alonePlan = await timed('  plan', () => planUpload([alone.value], options));
  await timed('  re-plan after a label change', () =>
    planUpload([alone.value], { ...options, serviceName: 'bench-renamed', extraLabels: [{ name: 'env', value: 'b' }] })
  );
  const aloneEncode = await timed('  encode pprof + gzip (encodePlan)', async () => {
    for await (const profile of encodePlan(alonePlan.value)) {
      void profile;
    }
  });
  const writeOnly = await timed('    of which pprof writing alone (second pass)', () => {
    for (const planned of alonePlan.value.profiles) {
      encodePprof(planned);
    }
  });
  // zlib runs on libuv's threads while the next profiles are written: its share shows in CPU time, not in wall time.
  line('    of which gzip, CPU (on zlib threads)', `${(aloneEncode.cpu - writeOnly.cpu).toFixed(0).padStart(7)} ms`);
  const sequentialMs = alone.ms + alonePlan.ms + aloneEncode.ms;
  line(
    '  one after another',
    `${sequentialMs.toFixed(0).padStart(7)} ms` +
      (bare === undefined ? '' : ` = ${(sequentialMs / bare.ms).toFixed(2)}× bare JSON.parse`)
  );

  const { volume, threads } = plan.value;
  console.log('');
  line('threads / profiles', `${threads.length} / ${encoded.value}`);
  line('slice widths', threads.map((t) => `${t.sliceSeconds} s`).join(', '));
  line(
    'convert (parse + plan + encode + gzip)',
    `${convertMs.toFixed(0)} ms (CPU ${convertCpu.toFixed(0)} ms)` +
      (bare === undefined
        ? ''
        : ` = ${(convertMs / bare.ms).toFixed(2)}× bare JSON.parse (CPU: ${(convertCpu / bare.cpu).toFixed(2)}×)`)
  );
  line('peak RSS', `${mib(peakRss)} = ${(peakRss / fileBytes).toFixed(2)}× the file`);
  line(
    'uncompressed pprof',
    `${mib(volume.uncompressedBytes)} = ${(volume.uncompressedBytes / fileBytes).toFixed(2)}× the input; largest profile ${largest} B`
  );
  line(
    'gzipped pprof',
    `${mib(compressedBytes)} (plan estimated ${mib(volume.estimatedCompressedBytes)}, ${((volume.estimatedCompressedBytes / compressedBytes - 1) * 100).toFixed(0)} %)`
  );
  line(
    'push time at Pyroscope default rate limit',
    `${volume.estimatedPushSeconds.toFixed(0)} s (4 MiB/s, 2 MiB burst)`
  );
  line('go tool pprof cross-check', goCrossCheck(plan.value, firstPerThread));
}

if (process.argv.includes('--bare')) {
  bareParse();
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
