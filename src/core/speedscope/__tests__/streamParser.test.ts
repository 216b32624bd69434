import { Readable } from 'node:stream';
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { EXPECTED } from '../../../../tests/helpers/expectedThreads';
import { readFixture } from '../../../../tests/helpers/fixtures';
import { formatProfileIssue } from '../../threads/profileIssue';
import { ParsedFile } from '../../threads/threadModel';
import { SpeedscopeFileError } from '../issues';
import { parseSpeedscope, parseSpeedscopeStream, ParseProgress, SpeedscopeStreamParser } from '../parseSpeedscope';
import { pushInPieces } from '../../../../tests/helpers/pushInPieces';

const committed = Object.entries(EXPECTED)
  .filter(([, e]) => !e.sharedOnly)
  .map(([name]) => name);

const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

function parseInChunks(name: string, bytes: Uint8Array, cuts: number[]): ParsedFile {
  const parser = new SpeedscopeStreamParser(name);
  pushInPieces(parser, bytes, cuts);
  return parser.finish();
}

/** The whole ParsedFile as text, typed arrays included (much faster to compare than toEqual on large models). */
function digest(parsed: ParsedFile): string {
  return JSON.stringify(parsed, (_key, value: unknown) =>
    ArrayBuffer.isView(value)
      ? `${value.constructor.name}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`
      : value
  );
}

function errorsOf(parsed: ParsedFile): string[] {
  return parsed.profiles.map((p) => (p.ok ? `ok ${p.stats.total}` : formatProfileIssue(p.error)));
}

describe('streaming', () => {
  it('gives the same ParsedFile for any chunk boundaries, plain and gzipped', () => {
    const files = committed.map((name) => ({ name, bytes: new Uint8Array(readFixture(name)) }));
    const whole = new Map(files.map((f) => [f.name, digest(parseSpeedscope(f.name, f.bytes))]));
    const gzipped = new Map(files.map((f) => [f.name, gzipSync(f.bytes)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 25 }),
        (file, useGzip, fractions) => {
          const bytes = useGzip ? gzipped.get(file.name)! : file.bytes;
          const cuts = fractions.map((f) => Math.floor(f * bytes.length));
          expect(digest(parseInChunks(file.name, bytes, cuts))).toBe(whole.get(file.name));
        }
      ),
      { numRuns: 40 }
    );
    // Byte by byte, once, for the smallest file.
    const small = files.find((f) => f.name === 'speedscope-0.1.2-simple-sampled.speedscope.json')!;
    const everyByte = Array.from({ length: small.bytes.length }, (_, i) => i);
    expect(digest(parseInChunks(small.name, small.bytes, everyByte))).toBe(whole.get(small.name));
  });

  it('reads a file stream with progress, and a ReadableStream', async () => {
    const name = 'py-spy-0.4.1-2threads-small.speedscope.json';
    const bytes = readFixture(name);
    const progress: ParseProgress[] = [];
    const fromNode = await parseSpeedscopeStream(name, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
      bytesTotal: bytes.length,
      onProgress: (p) => progress.push(p),
    });
    expect(fromNode).toEqual(parseSpeedscope(name, bytes));
    expect(progress[progress.length - 1]).toEqual({
      fileName: name,
      bytesRead: bytes.length,
      bytesTotal: bytes.length,
      profilesDone: 2,
    });
    const web = new Blob([gzipSync(bytes)]).stream();
    expect(await parseSpeedscopeStream(name, web)).toEqual(fromNode);
  });

  it('stops when aborted and cancels the source', async () => {
    const controller = new AbortController();
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled === 3) {
          controller.abort(new Error('cancelled by the user'));
        }
        c.enqueue(new TextEncoder().encode(pulled === 1 ? '{"profiles":[' : '{},'));
      },
    });
    await expect(parseSpeedscopeStream('a.json', source, { signal: controller.signal })).rejects.toThrow(
      'cancelled by the user'
    );
    expect(pulled).toBeLessThan(6);
  });
});

const frames = [{ name: 'main' }, { name: 'work' }];
const sampled = (extra: object) => ({
  type: 'sampled',
  name: 'T',
  unit: 'seconds',
  startValue: 0,
  endValue: 1,
  ...extra,
});

describe('key order', () => {
  it('reads profiles before shared.frames, samples before weights and events before unit and startValue', () => {
    const inOrder = parseSpeedscope(
      'a.json',
      encode({
        shared: { frames },
        profiles: [
          sampled({ samples: [[0, 1], [0], [], [0, 1]], weights: [1, 2, 3, 0.5] }),
          {
            type: 'evented',
            name: 'E',
            unit: 'milliseconds',
            startValue: 100,
            endValue: 103,
            events: [
              { type: 'O', frame: 0, at: 100 },
              { type: 'O', frame: 1, at: 101 },
              { type: 'C', frame: 1, at: 101.5 },
              { type: 'C', frame: 0, at: 103 },
            ],
          },
        ],
      })
    );
    const reordered = parseSpeedscope(
      'a.json',
      encode({
        profiles: [
          {
            weights: [1, 2, 3, 0.5],
            samples: [[0, 1], [0], [], [0, 1]],
            endValue: 1,
            startValue: 0,
            unit: 'seconds',
            name: 'T',
            type: 'sampled',
          },
          {
            events: [
              { at: 100, frame: 0, type: 'O' },
              { frame: 1, type: 'O', at: 101 },
              { type: 'C', at: 101.5, frame: 1 },
              { type: 'C', frame: 0, at: 103 },
            ],
            endValue: 103,
            startValue: 100,
            unit: 'milliseconds',
            type: 'evented',
            name: 'E',
          },
        ],
        unknown: { deeply: [[[{ nested: 'x'.repeat(1000) }]]] },
        shared: { other: [1, 2, 3], frames },
      })
    );
    expect(reordered).toEqual(inOrder);
    expect(errorsOf(inOrder)).toEqual(['ok 3500000000', 'ok 3000000']);
  });

  it('reports the first offending field path when frames come after the profiles', () => {
    const errors = errorsOf(
      parseSpeedscope(
        'late.json',
        encode({
          profiles: [
            sampled({ samples: [[0], [0, 1, 5], [9]], weights: [1, 1, 1] }),
            sampled({ samples: [[0], [1, 0.5], [7]], weights: [1, 1, 1] }),
            sampled({ samples: [[0], [1, 7, 0.5]], weights: [1, 1] }),
            sampled({ samples: [[0], [1, -1]], weights: [1, -2] }),
            {
              type: 'evented',
              name: 'E',
              unit: 'none',
              events: [
                { type: 'O', frame: 0, at: 0 },
                { type: 'C', frame: 3, at: 1 },
              ],
            },
          ],
          shared: { frames },
        })
      )
    );
    expect(errors).toEqual([
      'late.json: profile 0 "T": samples[1][2]: frame index 5 is out of range (the file has 2 frames)',
      'late.json: profile 1 "T": samples[1][1]: frame index must be an integer, got 0.5',
      'late.json: profile 2 "T": samples[1][1]: frame index 7 is out of range (the file has 2 frames)',
      'late.json: profile 3 "T": weights[1]: weights cannot be negative, got -2',
      'late.json: profile 4 "E": events[1].frame: frame index 3 is out of range (the file has 2 frames)',
    ]);
  });
});

describe('numbers that cannot become integer base units', () => {
  const errorsIn = (text: string) =>
    errorsOf(
      parseSpeedscope('n.json', new TextEncoder().encode(`{"shared":{"frames":[{"name":"a"}]},"profiles":[${text}]}`))
    );

  it('are per-profile errors naming field and index, never "null", and the other profiles stay', () => {
    expect(
      errorsIn(
        [
          '{"type":"sampled","name":"A","unit":"seconds","samples":[[0],[0]],"weights":[1,1e400]}',
          '{"type":"sampled","name":"B","unit":"milliseconds","samples":[[0]],"weights":[1e308]}',
          '{"type":"sampled","name":"C","unit":"seconds","samples":[[0]],"weights":[1e10]}',
          '{"type":"sampled","name":"D","unit":"none","samples":[[0],[0]],"weights":[9e18,9e18]}',
          '{"type":"evented","name":"E","unit":"seconds","startValue":0,"events":[{"type":"O","frame":0,"at":0},{"type":"C","frame":0,"at":-1e400}]}',
          '{"type":"evented","name":"F","unit":"seconds","startValue":0,"events":[{"type":"O","frame":0,"at":0},{"type":"C","frame":0,"at":1e300}]}',
          '{"type":"sampled","name":"G","unit":"seconds","startValue":1e400,"samples":[],"weights":[]}',
          '{"type":"sampled","name":"H","unit":"seconds","samples":[[1e400]],"weights":[1]}',
          '{"type":"sampled","name":"ok","unit":"seconds","samples":[[0]],"weights":[0.01]}',
        ].join(',')
      )
    ).toEqual([
      'n.json: profile 0 "A": weights[1]: expected a number, got 1e400',
      'n.json: profile 1 "B": weights[0]: 1e+308 milliseconds is 2^63 nanoseconds or more: too large for a 64-bit profile value',
      'n.json: profile 2 "C": weights[0]: 10000000000 seconds is 2^63 nanoseconds or more: too large for a 64-bit profile value',
      'n.json: profile 3 "D": weights[1]: the weights up to here add up to 2^63 count or more: too large for a 64-bit profile value',
      'n.json: profile 4 "E": events[1].at: expected a number, got -1e400',
      'n.json: profile 5 "F": events[1].at: time 1e+300 is too far after startValue 0: 2^63 nanoseconds or more',
      'n.json: profile 6 "G": startValue: expected a number, got 1e400',
      'n.json: profile 7 "H": samples[0][0]: frame index must be an integer, got 1e400',
      'ok 10000000',
    ]);
  });

  it('quote at most about 200 characters of input', () => {
    const [error] = errorsIn(
      `{"type":"sampled","name":"${'n'.repeat(5000)}","unit":"s","samples":[[0]],"weights":["${'w'.repeat(100_000)}"]}`
    );
    expect(error.length).toBeLessThan(600);
    expect(error).toContain('(5000 characters)');
    expect(error).toContain('(100000 characters)');
  });
});

describe('gzip', () => {
  const name = 'speedscope-0.1.2-simple-sampled.speedscope.json';
  const json = new Uint8Array(readFixture(name));

  it('reads multi-member files (cat a.gz b.gz) as their concatenation, cut anywhere', () => {
    const half = json.length >> 1;
    const multi = new Uint8Array([
      ...gzipSync(json.subarray(0, half)),
      ...gzipSync(json.subarray(half, half)),
      ...gzipSync(json.subarray(half), { filename: 'b.json', level: 0 }),
    ]);
    const expected = parseSpeedscope(name, json);
    for (let cut = 0; cut < multi.length; cut += 7) {
      expect(parseInChunks(name, multi, [cut, cut + 3])).toEqual(expected);
    }
  });

  it('refuses a flipped byte in a stored block through the CRC32, and a wrong length', () => {
    const stored = gzipSync(json, { level: 0 });
    const digit = stored.indexOf(0x31, 20); // a "1" of a weight
    const flipped = stored.slice();
    flipped[digit] = 0x39;
    expect(() => parseSpeedscope('f.json.gz', flipped)).toThrow(
      /^f\.json\.gz: looks gzip-compressed but could not be decompressed: gzip member 1 is corrupt: its CRC32 is 0x[0-9a-f]{8} but the data inflates to 0x[0-9a-f]{8}$/
    );
    const wrongSize = stored.slice();
    wrongSize[wrongSize.length - 4] ^= 1;
    expect(() => parseSpeedscope('f.json.gz', wrongSize)).toThrow('its trailer says');
  });

  it('names truncation, garbage after the last member and corrupt DEFLATE data as file errors', () => {
    const gz = gzipSync(json);
    expect(() => parseSpeedscope('t.gz', gz.subarray(0, gz.length - 3))).toThrow(
      't.gz: looks gzip-compressed but could not be decompressed: the data ends inside the trailer of gzip member 1 (truncated file?)'
    );
    expect(() => parseSpeedscope('t.gz', gz.subarray(0, 40))).toThrow(
      'ends inside the compressed data of gzip member 1'
    );
    expect(() => parseSpeedscope('t.gz', new Uint8Array([...gz, 1, 2, 3]))).toThrow(
      'the data after gzip member 1 is neither gzip nor zero padding'
    );
    expect(parseSpeedscope(name, new Uint8Array([...gz, 0, 0, 0]))).toEqual(parseSpeedscope(name, json));
    const corrupt = gz.slice();
    corrupt[12] ^= 0xff;
    corrupt[13] ^= 0xff;
    expect(() => parseSpeedscope('t.gz', corrupt)).toThrow(SpeedscopeFileError);
  });

  it('stops a bomb at the size cap before inflating the rest, whatever its trailer says', () => {
    // 64 MB of spaces compress to about 64 KB; the trailer is made to claim 1 byte.
    const spaces = new Uint8Array(64 * 1024 * 1024).fill(0x20);
    const bomb = gzipSync(spaces, { level: 9 });
    bomb.set([1, 0, 0, 0], bomb.length - 4);
    const parser = new SpeedscopeStreamParser('bomb.json.gz', { maxJsonBytes: 1024 * 1024 });
    expect(() => parser.push(bomb)).toThrow(
      'bomb.json.gz: is gzip-compressed and inflates to more than 1048576 bytes, the maximum size; it was not inflated further'
    );
    expect(() => parseSpeedscope('big.json', new Uint8Array(2000).fill(0x20), { maxJsonBytes: 1000 })).toThrow(
      'big.json: is larger than 1000 bytes of JSON, the maximum size; it was not read further'
    );
  });
});

describe('hostile shapes end in a result or a typed error', () => {
  it('200 000 empty profiles', () => {
    const text = `{"shared":{"frames":[]},"profiles":[${'{},'.repeat(199_999)}{}]}`;
    const parsed = parseSpeedscope('many.json', new TextEncoder().encode(text));
    expect(parsed.profiles).toHaveLength(200_000);
    expect(errorsOf(parsed)[199_999]).toBe(
      'many.json: profile 199999 (unnamed): type: expected "sampled" or "evented", got undefined'
    );
  });

  it('deeply nested arrays where a stack, a weight or a whole document should be', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const parsed = parseSpeedscope(
      'deep.json',
      new TextEncoder().encode(
        `{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","name":"T","unit":"none","samples":[[0,${deep}]],"weights":[${deep}]}]}`
      )
    );
    expect(errorsOf(parsed)[0]).toMatch(/^deep\.json: profile 0 "T": weights\[0\]: expected a number, got \[{200}…$/);
    expect(() => parseSpeedscope('d.json', new TextEncoder().encode(deep))).toThrow(
      'd.json: is not a Speedscope file: the top level is not a JSON object'
    );
    expect(() => parseSpeedscope('d.json', new TextEncoder().encode(deep.slice(1)))).toThrow(
      'd.json: is not valid JSON: unexpected "]" at byte 199998'
    );
  });
});
