import { planUpload, UploadPlan } from '../../plan/planUpload';
import { parseSpeedscope } from '../../speedscope/parseSpeedscope';
import { ParsedFile, ThreadProfile } from '../../threads/threadModel';
import { EncodedProfile, encodePlan, EncodingAhead } from '../encodeUpload';

const options = { serviceName: 'svc', fromMs: Date.UTC(2026, 0, 1), sliceSeconds: 1 };
const frames = [{ name: 'main', file: 'app.py', line: 1 }, { name: 'work', file: 'app.py', line: 9 }, { name: 'io' }];

/** A sampled thread of `seconds` 10 ms samples starting at `startValue` (seconds), alternating two stacks. */
function sampledThread(name: string, startValue: number, seconds: number) {
  const count = seconds * 100;
  return {
    type: 'sampled',
    name,
    unit: 'seconds',
    startValue,
    endValue: startValue + seconds,
    samples: Array.from({ length: count }, (_, i) => (i % 3 === 0 ? [0, 1] : [0, 1, 2])),
    weights: Array.from({ length: count }, () => 0.01),
  };
}

function parseAhead(doc: unknown): { file: ParsedFile; ahead: EncodingAhead; seen: ThreadProfile[] } {
  const ahead = new EncodingAhead(options);
  const seen: ThreadProfile[] = [];
  const file = parseSpeedscope('ahead.json', new TextEncoder().encode(JSON.stringify(doc)), {
    onThread: (thread, head) => {
      seen.push(thread);
      ahead.addThread(0, head, thread);
    },
  });
  return { file, ahead, seen };
}

async function all(profiles: AsyncIterable<EncodedProfile>): Promise<EncodedProfile[]> {
  const out: EncodedProfile[] = [];
  for await (const profile of profiles) {
    out.push(profile);
  }
  return out;
}

async function encodedBothWays(plan: UploadPlan, ahead: EncodingAhead) {
  return { withAhead: await all(encodePlan(plan, { ahead })), plain: await all(encodePlan(plan)) };
}

describe('EncodingAhead', () => {
  it('hands the final plan the profiles encoded while the file was read, byte for byte', async () => {
    const { file, ahead, seen } = parseAhead({
      shared: { frames },
      profiles: [sampledThread('a', 0, 3), sampledThread('b', 0.5, 2)],
    });
    // Each thread was handed over once, as soon as it was read.
    expect(seen.map((t) => t.name)).toEqual(['a', 'b']);
    const plan = planUpload([file], options);
    const { withAhead, plain } = await encodedBothWays(plan, ahead);
    expect(plan.profiles).toHaveLength(6);
    expect(ahead.reused).toBe(6);
    expect(withAhead).toEqual(plain);
  });

  it('encodes again what moved once the whole file was read: a later profile starting earlier', async () => {
    // "late" is read first, placed at 0 while it is the earliest; "early" then starts 2 s before it.
    const { file, ahead, seen } = parseAhead({
      shared: { frames },
      profiles: [sampledThread('late', 10, 2), sampledThread('early', 8, 1)],
    });
    expect(seen.map((t) => t.startOffset)).toEqual([2e9, 0]);
    const plan = planUpload([file], options);
    const { withAhead, plain } = await encodedBothWays(plan, ahead);
    // Only "early" (1 profile) could be taken; "late" (2 profiles) moved by 2 s and was encoded again.
    expect(ahead.reused).toBe(1);
    expect(withAhead).toEqual(plain);
    expect(withAhead.map((p) => p.ref.timeNanos - BigInt(options.fromMs) * 1_000_000n)).toEqual(
      [2e9, 3e9, 0].map(BigInt)
    );
  });

  it('leaves the final plan its own reading of the file: an exporter written after the profiles still counts', async () => {
    const doc = {
      shared: { frames },
      profiles: [sampledThread('Thread 4242 "MainThread"', 0, 1)],
      exporter: 'py-spy@0.4.1',
    };
    const { file, ahead } = parseAhead(doc);
    const plan = planUpload([file], options);
    const alone = planUpload([parseSpeedscope('ahead.json', new TextEncoder().encode(JSON.stringify(doc)))], options);
    expect(plan.threads.map((t) => t.labels)).toEqual(alone.threads.map((t) => t.labels));
    expect(plan.threads[0].labelValue).toBe('MainThread');
    const { withAhead, plain } = await encodedBothWays(plan, ahead);
    expect(withAhead).toEqual(plain);
  });

  it('hands over threads read before the frame table once it is read, and never a broken one', async () => {
    const { file, ahead, seen } = parseAhead({
      profiles: [
        sampledThread('a', 0, 1),
        { type: 'sampled', name: 'broken', unit: 'seconds', samples: [[7]], weights: [1] },
      ],
      shared: { frames },
    });
    expect(seen.map((t) => t.name)).toEqual(['a']);
    expect(file.profiles.map((p) => p.ok)).toEqual([true, false]);
    const plan = planUpload([file], options);
    const { withAhead, plain } = await encodedBothWays(plan, ahead);
    expect(ahead.reused).toBe(1);
    expect(withAhead).toEqual(plain);
  });
});
