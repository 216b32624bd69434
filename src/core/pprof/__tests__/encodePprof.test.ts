import { gunzipSync } from 'fflate';
import { Profile } from 'pprof-format';
import { EXPECTED } from '../../../../tests/helpers/expectedThreads';
import { hasSharedFixtures, parseFixture } from '../../../../tests/helpers/fixtures';
import { planUpload, UploadPlan } from '../../plan/planUpload';
import { encodePlan, EncodedProfile } from '../../push/encodeUpload';

const FROM_MS = Date.UTC(2026, 10, 25, 11, 0, 0);
const options = { serviceName: 'svc', fromMs: FROM_MS, nowMs: FROM_MS };

function decodeGzipped(gzipped: Uint8Array): Profile {
  return Profile.decode(gunzipSync(gzipped));
}

async function encodeAll(plan: UploadPlan): Promise<EncodedProfile[]> {
  const encoded: EncodedProfile[] = [];
  for await (const profile of encodePlan(plan)) {
    encoded.push(profile);
  }
  return encoded;
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
  it('decodes to the same totals, types, timestamps and stacks', async () => {
    const plan = planUpload([parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json')], {
      ...options,
      sliceSeconds: 60,
    });
    const [encoded] = await encodeAll(plan);
    const profile = decodeGzipped(encoded.gzipped);
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
    expect(encoded.ref.uncompressedBytes).toBe(gunzipSync(encoded.gzipped).length);
    expect(encoded.gzipped.subarray(0, 2)).toEqual(new Uint8Array([0x1f, 0x8b]));
  });

  it('keeps file names and line numbers of py-spy frames', async () => {
    const plan = planUpload([parseFixture('py-spy-0.4.1-2threads-small.speedscope.json')], options);
    const profile = decodeGzipped((await encodeAll(plan))[1].gzipped);
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

  it.each(Object.entries(EXPECTED).filter(([, f]) => f.threads.length > 0 && (!f.sharedOnly || hasSharedFixtures)))(
    '%s decodes to the hand-derived totals of every thread',
    async (name, expected) => {
      const plan = planUpload([parseFixture(name)], { ...options, sampleRateHz: 1000, profileType: undefined });
      const decodedTotals = new Map<string, number>();
      for (const { ref, gzipped } of await encodeAll(plan)) {
        const profile = decodeGzipped(gzipped);
        expect(BigInt(profile.timeNanos)).toBe(ref.timeNanos);
        const sum = profile.sample.reduce((total, sample) => total + Number(sample.value[0]), 0);
        decodedTotals.set(ref.threadKey, (decodedTotals.get(ref.threadKey) ?? 0) + sum);
      }
      const byIndex = new Map(plan.threads.map((t) => [t.threadIndex, decodedTotals.get(t.threadKey)]));
      for (const thread of expected.threads) {
        // Unit none becomes nanoseconds at 1000 Hz (1 ms per count); the rest stay in their base unit.
        const factor = thread.unit === 'none' ? 1e6 : 1;
        expect([thread.index, byIndex.get(thread.index) ?? 0]).toEqual([thread.index, thread.total * factor]);
      }
    }
  );

  it('produces byte-identical profiles and ids for the same plan, so a re-push changes nothing', async () => {
    const file = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    const first = await encodeAll(planUpload([file], options));
    const second = await encodeAll(planUpload([file], options));
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(1);
  });

  it('keeps every profile under 1 MiB and counts labels into its rate-limit cost', async () => {
    const file = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    const encoded = await encodeAll(planUpload([file], options));
    for (const { ref } of encoded) {
      expect(ref.uncompressedBytes).toBeLessThanOrEqual(1 << 20);
      const labelBytes = ref.labels.reduce((sum, l) => sum + Buffer.byteLength(l.name) + Buffer.byteLength(l.value), 0);
      expect(ref.costBytes).toBe(ref.uncompressedBytes + labelBytes);
    }
  });

  it('encodes only the threads asked for, and stops when aborted', async () => {
    const plan = planUpload([parseFixture('speedscope-0.6.0-two-sampled.speedscope.json')], {
      ...options,
      sliceSeconds: 5,
    });
    const second = plan.threads[1].threadKey;
    const only: EncodedProfile[] = [];
    for await (const profile of encodePlan(plan, { only: new Set([second]) })) {
      only.push(profile);
    }
    expect(only.map((p) => p.ref.threadKey)).toEqual([second, second]);

    const controller = new AbortController();
    const seen: EncodedProfile[] = [];
    await expect(async () => {
      for await (const profile of encodePlan(plan, { signal: controller.signal })) {
        seen.push(profile);
        controller.abort();
      }
    }).rejects.toThrow();
    expect(seen).toHaveLength(1);
  });
});
