import { gunzipSync } from 'fflate';
import { Profile } from 'pprof-format';
import { parseFixture } from '../../../../tests/helpers/fixtures';
import { encodePprof } from '../../pprof/encodePprof';
import { encodeProfile } from '../../push/encodeUpload';
import { parseSpeedscope } from '../../speedscope/parseSpeedscope';
import { cleanLabelValue } from '../labels';
import {
  ingestionWindowWarnings,
  MAX_PROFILES_PER_UPLOAD,
  MAX_TIME_MS,
  NO_DATA_REASON,
  PlanError,
  planUpload,
  PYROSCOPE_INGESTION_BURST_BYTES,
  PYROSCOPE_INGESTION_BYTES_PER_SECOND,
} from '../planUpload';
import { MAX_SLICES_PER_THREAD } from '../sliceThread';
import { ThreadProfile } from '../../threads/threadModel';
import { UploadOptions } from '../uploadOptions';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const base: UploadOptions = { serviceName: 'checkout', fromMs: NOW - 10 * 60_000, nowMs: NOW };
const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

function planError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return (e as PlanError).message;
  }
  throw new Error('expected a PlanError');
}

describe('bounded planning', () => {
  it('widens the slices of a thread whose one frame stays open for 115 days, quickly and saying so', () => {
    const days115 = 115 * 24 * 3600;
    const file = parseSpeedscope(
      'open-115-days.json',
      encode({
        profiles: [
          {
            type: 'evented',
            name: 'stuck',
            unit: 'seconds',
            startValue: 0,
            endValue: days115,
            events: [
              { type: 'O', frame: 0, at: 0 },
              { type: 'C', frame: 0, at: days115 },
            ],
          },
        ],
        shared: { frames: [{ name: 'wait' }] },
      })
    );
    const plan = planUpload([file], { ...base, fromMs: NOW - days115 * 1000 - 60_000 });
    expect(plan.profiles.length).toBeLessThanOrEqual(MAX_SLICES_PER_THREAD);
    expect(plan.threads[0].total).toBe(days115 * 1e9);
    // Whole multiples of the 10 s base width.
    expect(plan.threads[0].sliceSeconds % 10).toBe(0);
    expect(plan.threads[0].sliceSeconds).toBeGreaterThanOrEqual(days115 / MAX_SLICES_PER_THREAD);
    const widened = plan.warnings.find((w) => w.code === 'slices-widened');
    expect(widened?.message).toBe(
      `open-115-days.json: profile 0 "stuck": lasts 9936000 s, which at 10 s would be more than ${MAX_SLICES_PER_THREAD} slices; its slices are ${plan.threads[0].sliceSeconds} s wide instead.`
    );
    // And the range is flagged before anything is encoded.
    expect(plan.warnings.map((w) => w.code)).toContain('too-old');
  });

  it('refuses ranges beyond what 64-bit nanoseconds hold, and starts at or before 1970', () => {
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    expect(planError(() => planUpload([file], { ...base, fromMs: MAX_TIME_MS + 1 }))).toContain(
      'The start of the time range must lie after 1970 and before 2262-04-11T23:47:16.854Z.'
    );
    expect(planError(() => planUpload([file], { ...base, fromMs: MAX_TIME_MS - 1000 }))).toBe(
      "The time range ends after 2262-04-11T23:47:16.854Z, the last moment a profile's time can name; the profiles last 14 s."
    );
    expect(planError(() => planUpload([file], { ...base, fromMs: 0 }))).toContain('must lie after 1970');
    expect(planError(() => planUpload([file], { ...base, toMs: MAX_TIME_MS + 10 }))).toContain(
      'The end of the time range must lie before 2262-04-11T23:47:16.854Z.'
    );
    // The latest start that still fits plans, and its times are exact.
    const latest = planUpload([file], { ...base, fromMs: MAX_TIME_MS - 20_000 });
    expect(latest.profiles[0].timeNanos).toBe(BigInt(MAX_TIME_MS - 20_000) * 1_000_000n);
  });

  it('bounds the sampling rate', () => {
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    for (const sampleRateHz of [1e300, 1e6 + 1, 0, 1e-300, 0.0009, -5, NaN, Infinity]) {
      expect(planError(() => planUpload([file], { ...base, sampleRateHz }))).toBe(
        'The sampling rate must be between 0.001 and 1000000 samples per second.'
      );
    }
  });

  it('cleans the service name and extra label values by the thread label rule, saying so', () => {
    const plan = planUpload([parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json')], {
      ...base,
      serviceName: ' check\nout\u001b[31m ',
      extraLabels: [{ name: 'env', value: 'a\tb' }],
    });
    expect(plan.serviceName).toBe('check out [31m');
    expect(plan.threads[0].labels).toEqual([
      { name: '__name__', value: 'process_cpu' },
      { name: 'service_name', value: 'check out [31m' },
      { name: 'thread_name', value: 'simple.speedscope.json' },
      { name: 'env', value: 'a b' },
    ]);
    expect(plan.warnings.filter((w) => w.code === 'label-changed').map((w) => w.message)).toEqual([
      'The service name is written as "check out [31m".',
      'Label "env" is written as "a b".',
    ]);
    expect(Buffer.byteLength(cleanLabelValue('x'.repeat(3000)))).toBe(2048);
    expect(cleanLabelValue('x'.repeat(3000)).endsWith('x…')).toBe(true);
    expect(
      planError(() =>
        planUpload([parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json')], {
          ...base,
          serviceName: '\n\t',
        })
      )
    ).toBe('The service name is required.');
  });

  it('says when the range lies outside the ingestion window, for callers that refuse', () => {
    expect(ingestionWindowWarnings(NOW - 2 * 3_600_000, NOW, NOW).map((w) => w.code)).toEqual(['too-old']);
    expect(ingestionWindowWarnings(NOW, NOW + 3_600_000, NOW).map((w) => w.code)).toEqual(['too-new']);
    expect(ingestionWindowWarnings(NOW - 60_000, NOW, NOW)).toEqual([]);
  });

  it('cuts a single stack larger than a profile may be to its root-most frames, saying so', async () => {
    const depth = 3000;
    const frames = Array.from({ length: depth }, (_, i) => ({
      name: `f${i}_${'x'.repeat(40)}`,
      file: `/src/m${i}.py`,
    }));
    const file = parseSpeedscope(
      'deep.json',
      encode({
        profiles: [
          {
            type: 'sampled',
            name: 'deep',
            unit: 'milliseconds',
            startValue: 0,
            endValue: 10,
            samples: [Array.from({ length: depth }, (_, i) => i), [0, 1]],
            weights: [7, 3],
          },
        ],
        shared: { frames },
      })
    );
    const limits = { maxSamplesPerProfile: 16_000, maxProfileBytes: 100_000 };
    const plan = planUpload([file], { ...base, limits });
    const warning = plan.warnings.find((w) => w.code === 'stacks-truncated');
    expect(warning?.message).toMatch(
      /^deep\.json: profile 0 "deep": 1 stacks are each larger than a profile may be; they keep their root-most frames \(\d+ frames nearer the leaf dropped/
    );
    expect(plan.threads[0].total).toBe(10_000_000);
    for (const planned of plan.profiles) {
      expect(planned.uncompressedBytes).toBeLessThanOrEqual(limits.maxProfileBytes);
      const profile = Profile.decode(encodePprof(planned));
      const strings = profile.stringTable.strings;
      const functions = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.name)]]));
      const locations = new Map(
        profile.location.map((l) => [Number(l.id), functions.get(Number(l.line[0].functionId))])
      );
      // The root end survives: the last location of the first sample is frame 0.
      const stack = profile.sample[0].locationId.map((id) => locations.get(Number(id)));
      expect(stack[stack.length - 1]).toBe(frames[0].name);
      expect(stack.length).toBeLessThan(depth);
      await expect(encodeProfile(planned)).resolves.toBeDefined();
    }
  });

  it('plans 200 000 empty profiles without spreading them into an argument list', () => {
    // Built directly (the parser has tests of its own): what the planner gets for a file of empty profiles.
    const profiles = Array.from(
      { length: 200_000 },
      (_, index) =>
        ({
          ok: true,
          fileName: 'empty.json',
          index,
          name: '',
          type: 'sampled',
          unit: 'none',
          kind: 'count',
          baseUnit: 'count',
          startOffset: 0,
          span: 0,
          frames: [],
          stats: { total: 0, emptyStackSamples: 0, deepStacks: 0 },
          warnings: [],
        }) as unknown as ThreadProfile
    );
    const plan = planUpload([{ fileName: 'empty.json', frames: [], profiles, warnings: [] }], base);
    expect(plan.profiles).toEqual([]);
    expect(plan.skipped).toHaveLength(200_000);
    expect(new Set(plan.skipped.map((s) => s.reason))).toEqual(new Set([NO_DATA_REASON]));
  });

  it('refuses an upload of more profiles than the cap, naming the largest thread and its span', () => {
    // 100 001 distinct one-frame stacks of 1 ns each, one sample per profile: one profile over the cap.
    const count = MAX_PROFILES_PER_UPLOAD + 1;
    const nodes = count + 1;
    const parent = new Int32Array(nodes);
    parent[0] = -1;
    const frame = new Int32Array(nodes);
    frame[0] = -1;
    const depth = new Int32Array(nodes).fill(1);
    depth[0] = 0;
    const node = Int32Array.from({ length: count }, (_, i) => i + 1);
    const thread = {
      ok: true,
      fileName: 'many.json',
      index: 0,
      name: 'busy',
      type: 'sampled',
      unit: 'nanoseconds',
      kind: 'time',
      baseUnit: 'nanoseconds',
      startOffset: 0,
      span: count,
      frames: [{ name: 'f' }],
      tree: { parent, frame, depth, self: new Float64Array(nodes).fill(1) },
      samples: { node, value: new Float64Array(count).fill(1), offset: Float64Array.from(node, (n) => n - 1) },
      stats: { total: count, emptyStackSamples: 0, deepStacks: 0 },
      warnings: [],
    } as unknown as ThreadProfile;
    const file = { fileName: 'many.json', frames: thread.frames, profiles: [thread], warnings: [] };
    const limits = { maxSamplesPerProfile: 1, maxProfileBytes: 1 << 20 };
    expect(planError(() => planUpload([file], { ...base, limits }))).toBe(
      `The upload would have ${count} profiles, more than the ${MAX_PROFILES_PER_UPLOAD} one upload may have. ` +
        `The largest thread is many.json: profile 0 "busy" with ${count} profiles over 0 s; ` +
        'widen the slices or upload fewer threads at once.'
    );
  });

  it('sizes every profile exactly, and the volume from them', async () => {
    const plan = planUpload([parseFixture('py-spy-0.4.1-3threads-large.speedscope.json')], base);
    let sum = 0;
    let cost = 0;
    for (const planned of plan.profiles) {
      const { ref, gzipped } = await encodeProfile(planned);
      expect(ref.uncompressedBytes).toBe(planned.uncompressedBytes);
      expect(gunzipSync(gzipped)).toHaveLength(planned.uncompressedBytes);
      sum += ref.uncompressedBytes;
      cost += ref.costBytes;
    }
    expect(plan.volume.uncompressedBytes).toBe(sum);
    expect(plan.threads.reduce((s, t) => s + t.uncompressedBytes, 0)).toBe(sum);
    expect(plan.volume.estimatedPushSeconds).toBeCloseTo(
      Math.max(0, cost - PYROSCOPE_INGESTION_BURST_BYTES) / PYROSCOPE_INGESTION_BYTES_PER_SECOND,
      6
    );
    expect(plan.threads.map((t) => t.sliceSeconds)).toEqual(plan.threads.map(() => 10));
  });
});
