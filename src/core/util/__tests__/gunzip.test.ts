import { crc32 as zlibCrc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { crc32 } from '../crc32';
import { GunzipError, GunzipStream } from '../gunzip';
import { pushInPieces } from '../../../../tests/helpers/pushInPieces';

function gunzipAll(input: Uint8Array, cuts: number[] = [], max = 1 << 30): Uint8Array {
  const parts: Uint8Array[] = [];
  const gunzip = new GunzipStream((chunk) => parts.push(chunk.slice()), max);
  pushInPieces(gunzip, input, cuts);
  gunzip.finish();
  return new Uint8Array(Buffer.concat(parts));
}

/** A gzip member written by hand after RFC 1952, with every optional header field. */
function member(data: Uint8Array, options: { extra?: boolean; name?: string; comment?: string; headerCrc?: boolean }) {
  const flags =
    (options.headerCrc ? 2 : 0) | (options.extra ? 4 : 0) | (options.name ? 8 : 0) | (options.comment ? 16 : 0);
  const header: number[] = [0x1f, 0x8b, 8, flags, 1, 2, 3, 4, 0, 3];
  if (options.extra) {
    header.push(4, 0, 0x41, 0x42, 2, 0);
  }
  for (const text of [options.name, options.comment]) {
    if (text) {
      header.push(...Buffer.from(text, 'latin1'), 0);
    }
  }
  if (options.headerCrc) {
    const c = crc32(new Uint8Array(header)) & 0xffff;
    header.push(c & 0xff, c >> 8);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return new Uint8Array(Buffer.concat([Buffer.from(header), deflateRawSync(data), trailer]));
}

describe('crc32', () => {
  it('equals zlib over any bytes and any split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, at) => {
        const cut = at % (bytes.length + 1);
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
        expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(zlibCrc32(bytes));
      })
    );
  });
});

describe('GunzipStream', () => {
  it('reads every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC) and several members, cut anywhere', () => {
    const a = new TextEncoder().encode('{"profiles":');
    const b = new TextEncoder().encode('[]}'.repeat(1000));
    const file = new Uint8Array([
      ...member(a, { extra: true, name: 'a.json', comment: 'first', headerCrc: true }),
      ...member(new Uint8Array(0), {}),
      ...member(b, { name: 'b.json' }),
    ]);
    const expected = new Uint8Array([...a, ...b]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: file.length }), { maxLength: 8 }), (cuts) => {
        expect(gunzipAll(file, cuts)).toEqual(expected);
      }),
      // Each push costs fflate a fresh output window, so tiny pieces are slow: fewer runs.
      { numRuns: 30 }
    );
  });

  it('refuses a wrong header CRC, reserved flags and another method', () => {
    const good = member(new Uint8Array([1, 2, 3]), { name: 'x', headerCrc: true });
    const badHeaderCrc = good.slice();
    badHeaderCrc[4] ^= 1; // MTIME is covered by the header CRC
    expect(() => gunzipAll(badHeaderCrc)).toThrow('gzip member 1 has a header CRC that does not match');
    const reserved = good.slice();
    reserved[3] |= 0x20;
    expect(() => gunzipAll(reserved)).toThrow('gzip member 1 sets reserved header flags');
    const method = good.slice();
    method[2] = 7;
    expect(() => gunzipAll(method)).toThrow('gzip member 1 uses compression method 7, not DEFLATE (8)');
  });

  it('counts the output against the cap across members, not the trailers', () => {
    const data = new Uint8Array(5000).fill(7);
    const twice = new Uint8Array([...member(data, {}), ...member(data, {})]);
    expect(gunzipAll(twice, [], 10_000)).toHaveLength(10_000);
    expect(() => gunzipAll(twice, [], 9_999)).toThrow(GunzipError);
    expect(() => gunzipAll(twice, [], 9_999)).toThrow('inflates to more than 9999 bytes, the maximum size');
  });
});
