import { gunzipSync } from 'fflate';
import { gzip } from '../gzip';

describe('gzip', () => {
  const input = new TextEncoder().encode('module_7.function_42 /srv/app/module_7.py '.repeat(5000));

  it('round-trips, with mtime 0 and no file name in the header', async () => {
    const gzipped = await gzip(input);
    expect(gunzipSync(gzipped)).toEqual(input);
    // ID1 ID2 CM=8 FLG=0 (no name, no comment) MTIME=0.
    expect(Array.from(gzipped.subarray(0, 8))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    expect(gzipped.length).toBeLessThan(input.length / 10);
  });

  it('gives the same bytes for the same input, so a re-push sends identical requests', async () => {
    const [a, b] = await Promise.all([gzip(input), gzip(input)]);
    expect(b).toEqual(a);
  });

  it('handles an empty input', async () => {
    expect(gunzipSync(await gzip(new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });
});
