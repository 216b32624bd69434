import { parseFixture } from '../../../../tests/helpers/fixtures';
import { parseSpeedscope } from '../../speedscope/parseSpeedscope';
import { labelSetKey } from '../labels';
import { PlanError, planUpload } from '../planUpload';
import { UploadOptions } from '../uploadOptions';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const base: UploadOptions = { serviceName: 'checkout', fromMs: NOW - 10 * 60_000, nowMs: NOW };
const FROM_NS = BigInt(base.fromMs) * 1_000_000n;
const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

describe('planUpload', () => {
  it('makes one series per thread with exact labels, and keeps threads Pyroscope would merge apart', () => {
    // Pyroscope's duplicates.speedscope.json has three profiles all named "one"; upstream stores one series.
    const file = parseSpeedscope('dup.json', parseFixtureBytes('speedscope-0.6.0-two-sampled.speedscope.json', 'one'));
    const plan = planUpload([file], { ...base, extraLabels: [{ name: 'env', value: 'dev' }] });
    expect(plan.threads.map((t) => t.labels)).toEqual([
      [
        { name: '__name__', value: 'process_cpu' },
        { name: 'service_name', value: 'checkout' },
        { name: 'thread_name', value: 'one' },
        { name: 'env', value: 'dev' },
      ],
      [
        { name: '__name__', value: 'process_cpu' },
        { name: 'service_name', value: 'checkout' },
        { name: 'thread_name', value: 'one (2)' },
        { name: 'env', value: 'dev' },
      ],
    ]);
    expect(plan.threads.map((t) => [t.profileTypeId, t.total, t.unit])).toEqual([
      ['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 14e9, 'nanoseconds'],
      ['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 14e9, 'nanoseconds'],
    ]);
    expect(plan.warnings.map((w) => w.message)).toEqual(['dup.json: profile 1 "one": thread label value is "one (2)"']);
  });

  it('cuts time-unit threads into slices at their own offsets, each profile at its slice start', () => {
    // Samples start at 0, 1, 2, 6 and 9 s (weights 1, 1, 4, 3, 5): with 2 s slices → slices 0, 1, 3, 4.
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    const plan = planUpload([file], { ...base, sliceSeconds: 2 });
    expect(plan.profiles.map((p) => [String(p.timeNanos - FROM_NS), String(p.durationNanos), p.total])).toEqual([
      ['0', '2000000000', 2e9],
      ['2000000000', '2000000000', 4e9],
      ['6000000000', '2000000000', 3e9],
      ['8000000000', '2000000000', 5e9],
    ]);
    expect(plan.toMs - plan.fromMs).toBe(14_000);
  });

  it('splits evented intervals at slice boundaries so each slice holds the time spent in it', () => {
    // Evented, unit none, no sampling rate: counts have no time axis → one profile over the whole range.
    const evented = parseFixture('speedscope-0.0.1-simple-evented.speedscope.json');
    const countPlan = planUpload([evented], base);
    expect(countPlan.profiles).toHaveLength(1);
    expect(countPlan.threads[0]).toMatchObject({
      profileTypeId: 'process_cpu:samples:count:cpu:nanoseconds',
      total: 14,
      unit: 'count',
    });

    // With 1000 Hz each count is 1 ms; 5 ms slices: c 0–2, d 2–6, c 6–9, b 9–14 → slices of 5, 5, 4 ms.
    const timed = planUpload([evented], { ...base, sampleRateHz: 1000, sliceSeconds: 1 });
    expect(timed.threads[0]).toMatchObject({
      profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      total: 14_000_000,
      unit: 'nanoseconds',
    });
    const samplesPlan = planUpload([evented], { ...base, sampleRateHz: 1000, profileType: 'samples' });
    expect(samplesPlan.threads[0]).toMatchObject({ total: 14, unit: 'count' });
  });

  it('splits an evented interval that crosses a slice boundary', () => {
    const file = parseSpeedscope(
      'cross.json',
      encode({
        profiles: [
          {
            type: 'evented',
            name: 'T',
            unit: 'seconds',
            startValue: 0,
            endValue: 25,
            events: [
              { type: 'O', frame: 0, at: 3 },
              { type: 'C', frame: 0, at: 25 },
            ],
          },
        ],
        shared: { frames: [{ name: 'run' }] },
      })
    );
    const plan = planUpload([file], base);
    // 3–10 s, 10–20 s, 20–25 s.
    expect(plan.profiles.map((p) => [String(p.timeNanos - FROM_NS), p.total, String(p.durationNanos)])).toEqual([
      ['0', 7e9, '10000000000'],
      ['10000000000', 10e9, '10000000000'],
      ['20000000000', 5e9, '5000000000'],
    ]);
  });

  it('uses memory with __delta__=false for bytes and skips what cannot be converted, with reasons', () => {
    const claw = parseFixture('odd-clawscript-unit-samples-empty-profile.speedscope.json');
    const plan = planUpload([claw], base);
    expect(plan.threads.map((t) => [t.labels, t.profileTypeId, t.total])).toEqual([
      [
        [
          { name: '__name__', value: 'memory' },
          { name: 'service_name', value: 'checkout' },
          { name: 'thread_name', value: 'Heap allocations' },
          { name: '__delta__', value: 'false' },
        ],
        'memory:alloc_space:bytes:space:bytes',
        144,
      ],
    ]);
    expect(plan.skipped).toEqual([
      {
        threadKey: '0:0',
        fileName: 'odd-clawscript-unit-samples-empty-profile.speedscope.json',
        threadIndex: 0,
        threadName: 'CPU samples',
        reason: 'no samples with a stack and a non-zero weight',
      },
    ]);
    const cpu = planUpload([claw], { ...base, profileType: 'cpu' });
    expect(cpu.skipped.map((s) => s.reason)).toEqual([
      'no samples with a stack and a non-zero weight',
      'profile type cpu does not fit unit "bytes"; it can be memory',
    ]);
  });

  it('reports broken profiles as skipped with the parse error, and honours exclusions and renames', () => {
    const brook = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    const plan = planUpload([brook], {
      ...base,
      threads: { '0:0': { include: false }, '0:1': { labelValue: 'cpu-one' }, '0:2': { labelValue: 'cpu-one' } },
    });
    expect(plan.threads).toHaveLength(15);
    expect(plan.threads.slice(0, 2).map((t) => t.labelValue)).toEqual(['cpu-one', 'cpu-one (2)']);
    expect(plan.skipped.map((s) => `${s.threadIndex} ${s.reason}`)).toEqual([
      '16 samples[0][0]: frame index must be an integer, got [32]',
      '17 samples[0][0]: frame index must be an integer, got [36]',
      '18 samples[0][0]: frame index must be an integer, got [34]',
      '19 samples[0][0]: frame index must be an integer, got [34]',
      '20 samples[0][0]: frame index must be an integer, got [34]',
      '21 samples[0][0]: frame index must be an integer, got [34]',
      '22 samples[0][0]: frame index must be an integer, got [35]',
      '23 samples[0][0]: frame index must be an integer, got [34]',
      '0 excluded',
    ]);
    // PID 0 adds up to 696.4 s of samples from 20 ms: the upload spans 696.41 s.
    expect(plan.toMs - plan.fromMs).toBe(696_410);
  });

  it('gives distinct thread values across several files uploaded together', () => {
    const a = parseFixture('speedscope-0.6.0-two-sampled.speedscope.json');
    const plan = planUpload([a, a], base);
    expect(plan.threads.map((t) => t.labelValue)).toEqual(['one', 'two', 'one (2)', 'two (2)']);
    const keys = new Set(plan.profiles.map((p) => `${labelSetKey(p.labels)}@${p.timeNanos}`));
    expect(keys.size).toBe(plan.profiles.length);
  });

  it('splits slices that exceed the sample limit into profiles with distinct times inside the slice', () => {
    const big = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    // Thread 0 has 2318 unique stacks in 5.06 s: one 10 s slice; at most 1000 samples per profile → 3 profiles.
    const plan = planUpload([big], {
      ...base,
      threads: { '0:1': { include: false }, '0:2': { include: false } },
      limits: { maxSamplesPerProfile: 1000, maxProfileBytes: 1 << 20 },
    });
    expect(plan.profiles.map((p) => [String(p.timeNanos - FROM_NS), p.nodes.length])).toEqual([
      ['0', 1000],
      ['3333333333', 1000],
      ['6666666666', 318],
    ]);
    expect(plan.profiles.reduce((s, p) => s + p.total, 0)).toBe(4_724_000_000);
    const bySize = planUpload([big], {
      ...base,
      threads: { '0:1': { include: false }, '0:2': { include: false } },
      limits: { maxSamplesPerProfile: 16000, maxProfileBytes: 64 * 1024 },
    });
    expect(bySize.profiles.length).toBeGreaterThan(1);
    expect(bySize.profiles.reduce((s, p) => s + p.total, 0)).toBe(4_724_000_000);
  });

  it('re-plans with other labels without slicing again, and only the labels change', () => {
    const file = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    const first = planUpload([file], base);
    const second = planUpload([file], { ...base, serviceName: 'other', extraLabels: [{ name: 'env', value: 'ci' }] });
    expect(second.profiles.map((p) => [p.timeNanos, p.total])).toEqual(
      first.profiles.map((p) => [p.timeNanos, p.total])
    );
    // The aggregated stacks are the very same arrays: the slicing was reused.
    second.profiles.forEach((p, i) => expect(p.nodes).toBe(first.profiles[i].nodes));
    expect(second.profiles[0].labels).toEqual([
      { name: '__name__', value: 'process_cpu' },
      { name: 'service_name', value: 'other' },
      { name: 'thread_name', value: 'Thread 725838' },
      { name: 'thread_id', value: '725838' },
      { name: 'env', value: 'ci' },
    ]);
    // A different slice width slices again.
    expect(planUpload([file], { ...base, sliceSeconds: 1 }).profiles.length).toBeGreaterThan(first.profiles.length);
  });

  it('warns about the time window Pyroscope accepts and about many series', () => {
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    expect(planUpload([file], { ...base, fromMs: NOW - 2 * 3_600_000 }).warnings.map((w) => w.code)).toEqual([
      'too-old',
    ]);
    expect(planUpload([file], { ...base, fromMs: NOW + 3_600_000 }).warnings.map((w) => w.code)).toEqual(['too-new']);
  });

  it('rejects wrong options with every problem listed', () => {
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    const attempt = () =>
      planUpload([file], {
        ...base,
        serviceName: '  ',
        threadLabelName: '__thread',
        extraLabels: [
          { name: 'env', value: 'a' },
          { name: 'env', value: 'b' },
          { name: '1bad', value: 'x' },
          { name: 'service_name', value: 'x' },
          { name: 'empty', value: ' ' },
        ],
        toMs: base.fromMs - 1,
        sliceSeconds: 0.5,
        sampleRateHz: -1,
      });
    expect(attempt).toThrow(PlanError);
    expect(() => attempt()).toThrow(
      [
        'The service name is required.',
        'Thread label: __thread is reserved.',
        'Label "env" is given twice.',
        'Label "1bad": label name "1bad" must start with a letter or _ and contain only letters, digits and _.',
        'Label "service_name": this name is set by the upload and cannot be used as an extra label.',
        'Label "empty": label empty needs a value.',
        'The end of the time range must be after its start.',
        'The slice width must be between 1 and 3600 seconds.',
        'The sampling rate must be between 0.001 and 1000000 samples per second.',
      ].join('\n')
    );
    expect(() => planUpload([file], { ...base, toMs: base.fromMs + 5000 })).toThrow(
      'The time range lasts 5 s but the profiles last 14 s; widen the range or leave its end open.'
    );
  });
});

/** The fixture with every profile renamed, to build same-name cases from real data. */
function parseFixtureBytes(name: string, rename: string): Uint8Array {
  const { readFixture } = jest.requireActual('../../../../tests/helpers/fixtures');
  const doc = JSON.parse(readFixture(name).toString('utf8'));
  doc.profiles.forEach((p: { name: string }) => (p.name = rename));
  return encode(doc);
}
