import { batchProfiles, PushBatch, splitBatch, subsetBatch } from '../batches';
import { EncodedProfile } from '../encodeUpload';

/** Profiles of two threads, interleaved, with distinct bytes: enough to see order, series and bytes kept. */
function profiles(count: number): EncodedProfile[] {
  return Array.from({ length: count }, (_, i) => ({
    ref: {
      threadKey: `t${i % 2}`,
      labels: [
        { name: 'service_name', value: 'svc' },
        { name: 'thread_name', value: `t${i % 2}` },
      ],
      timeNanos: BigInt(i) * 1_000_000_000n,
      id: `id-${i}`,
      uncompressedBytes: 100 + i,
      costBytes: 1000 + i,
    },
    gzipped: new Uint8Array([i, i + 1, i + 2]),
  }));
}

async function oneBatch(count: number): Promise<PushBatch> {
  const batches: PushBatch[] = [];
  for await (const batch of batchProfiles(profiles(count), { maxCostBytes: 1e9, maxProfiles: 1000 })) {
    batches.push(batch);
  }
  expect(batches).toHaveLength(1);
  return batches[0];
}

const text = (body: Uint8Array | string) => (typeof body === 'string' ? body : new TextDecoder().decode(body));

describe('splitBatch', () => {
  it('keeps the request order of series and samples, the same bytes, and each part its own cost', async () => {
    const batch = await oneBatch(6);
    const [evens, tail] = splitBatch(batch, [new Set(['id-4', 'id-0', 'id-2']), new Set(['id-5', 'id-3'])]);
    const whole = JSON.parse(text(batch.body));
    expect(JSON.parse(text(evens.body))).toEqual({ series: [whole.series[0]] });
    expect(JSON.parse(text(tail.body))).toEqual({
      series: [{ labels: whole.series[1].labels, samples: whole.series[1].samples.slice(1) }],
    });
    expect(evens.profiles.map((p) => p.id)).toEqual(['id-0', 'id-2', 'id-4']);
    expect(tail).toMatchObject({ costBytes: 1003 + 1005 });
    // The text the page hands on works the same.
    expect(subsetBatch({ ...batch, body: text(batch.body) }, new Set(['id-3'])).profiles.map((p) => p.id)).toEqual([
      'id-3',
    ]);
  });

  it('parses the body once, however many parts: splitting into single profiles is linear', async () => {
    const batch = await oneBatch(64);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const parts = splitBatch(
        batch,
        batch.profiles.map((p) => new Set([p.id]))
      );
      expect(parse).toHaveBeenCalledTimes(1);
      expect(parts.map((p) => p.profiles[0].id)).toEqual(batch.profiles.map((p) => p.id));
    } finally {
      parse.mockRestore();
    }
  });
});
