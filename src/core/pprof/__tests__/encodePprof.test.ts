import { gunzipSync } from 'fflate';
import { Profile } from 'pprof-format';
import { parseFixture } from '../../../../tests/helpers/fixtures';
import { planUpload } from '../../plan/planUpload';
import { batchProfiles, encodePlan, pushRequestBody } from '../../push/encodeUpload';
import { fromBase64 } from '../../util/base64';

const FROM_MS = Date.UTC(2026, 10, 25, 11, 0, 0);
const options = { serviceName: 'svc', fromMs: FROM_MS, nowMs: FROM_MS };

function decodeRaw(rawProfile: string): Profile {
  return Profile.decode(gunzipSync(fromBase64(rawProfile)));
}

function stackNames(profile: Profile, sampleIndex: number): string[] {
  const strings = profile.stringTable.strings;
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  return profile.sample[sampleIndex].locationId
    .map((id) => strings[Number(functions.get(Number(locations.get(Number(id))!.line[0].functionId))!.name)])
    .reverse();
}

describe('pprof encoding', () => {
  it('decodes to the same totals, types, timestamps and stacks', () => {
    const plan = planUpload([parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json')], {
      ...options,
      sliceSeconds: 60,
    });
    const [encoded] = encodePlan(plan);
    const profile = decodeRaw(encoded.rawProfile);
    const strings = profile.stringTable.strings;
    expect([strings[Number(profile.sampleType[0].type)], strings[Number(profile.sampleType[0].unit)]]).toEqual([
      'cpu',
      'nanoseconds',
    ]);
    expect([strings[Number(profile.periodType!.type)], strings[Number(profile.periodType!.unit)]]).toEqual([
      'cpu',
      'nanoseconds',
    ]);
    expect(BigInt(profile.timeNanos)).toBe(BigInt(FROM_MS) * 1_000_000n);
    expect(BigInt(profile.durationNanos)).toBe(14_000_000_000n);
    // Stacks a;b;c = 5 s, a;b;d = 4 s, a;b = 5 s (root first after reversing pprof's leaf-first order).
    const stacks = profile.sample.map((s, i) => [stackNames(profile, i).join(';'), Number(s.value[0])]);
    expect(stacks.sort()).toEqual([
      ['a;b', 5e9],
      ['a;b;c', 5e9],
      ['a;b;d', 4e9],
    ]);
    expect(encoded.uncompressedBytes).toBe(gunzipSync(fromBase64(encoded.rawProfile)).length);
  });

  it('keeps file names and line numbers of py-spy frames', () => {
    const plan = planUpload([parseFixture('py-spy-0.4.1-2threads-small.speedscope.json')], options);
    const profile = decodeRaw(encodePlan(plan)[1].rawProfile);
    const strings = profile.stringTable.strings;
    // Thread 1 has one stack of 16 frames; its leaf is the frame the file lists for sample 0's last index.
    const file = parseFixture('py-spy-0.4.1-2threads-small.speedscope.json');
    const thread = file.profiles[1];
    if (!thread.ok) {
      throw new Error('expected a thread');
    }
    const leafFrame = file.frames[thread.tree.frame[thread.samples.node[0]]];
    const leafLocation = profile.location.find((l) => Number(l.id) === Number(profile.sample[0].locationId[0]))!;
    const leafFunction = profile.function.find((f) => Number(f.id) === Number(leafLocation.line[0].functionId))!;
    expect(strings[Number(leafFunction.name)]).toBe(leafFrame.name);
    expect(strings[Number(leafFunction.filename)]).toBe(leafFrame.file);
    expect(Number(leafLocation.line[0].line)).toBe(leafFrame.line);
    expect(profile.sample[0].locationId).toHaveLength(16);
    expect(Number(profile.sample[0].value[0])).toBe(50_000_000);
  });

  it('writes valid Connect JSON with one series entry per label set', () => {
    const plan = planUpload([parseFixture('speedscope-0.6.0-two-sampled.speedscope.json')], {
      ...options,
      sliceSeconds: 5,
    });
    const encoded = encodePlan(plan);
    const body = JSON.parse(pushRequestBody(encoded));
    expect(body.series).toHaveLength(2);
    expect(body.series[0].labels).toEqual([
      { name: '__name__', value: 'process_cpu' },
      { name: 'service_name', value: 'svc' },
      { name: 'thread_name', value: 'one' },
    ]);
    // Samples start at 0, 1, 2, 6, 9 s: 5 s slices 0 and 1 → two profiles per thread.
    expect(body.series.map((s: { samples: unknown[] }) => s.samples.length)).toEqual([2, 2]);
    for (const series of body.series) {
      for (const sample of series.samples) {
        expect(sample.ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(sample.rawProfile).toMatch(/^[A-Za-z0-9+/]+=*$/);
        expect(Buffer.from(sample.rawProfile, 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      }
    }
  });

  it('produces byte-identical requests for the same plan, so a re-push changes nothing', () => {
    const file = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    const first = batchProfiles(encodePlan(planUpload([file], options))).map((b) => b.body);
    const second = batchProfiles(encodePlan(planUpload([file], options))).map((b) => b.body);
    expect(second).toEqual(first);
  });

  it('keeps every batch under the rate-limit burst and every profile under 1 MiB', () => {
    const file = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    const encoded = encodePlan(planUpload([file], options));
    const batches = batchProfiles(encoded, { maxCostBytes: 20_000, maxProfiles: 64 });
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flatMap((b) => b.profiles)).toEqual(encoded);
    for (const batch of batches) {
      expect(batch.costBytes <= 20_000 || batch.profiles.length === 1).toBe(true);
    }
    expect(Math.max(...encoded.map((e) => e.uncompressedBytes))).toBeLessThanOrEqual(1 << 20);
  });
});
