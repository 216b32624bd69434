import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { readFixture } from '../../../../tests/helpers/fixtures';
import { ParsedFile } from '../../threads/threadModel';
import { SpeedscopeFileError } from '../issues';
import { SpeedscopeStreamParser } from '../parseSpeedscope';

/**
 * Real fixtures, mutated the ways a broken disk, a bad producer or a hostile user would: flipped and cut bytes,
 * replaced numbers, extra nesting, damaged gzip trailers. The parser must end in a ParsedFile or a
 * SpeedscopeFileError, never anything else, and its work must stay bounded: the model it builds is never larger
 * than the input allows (counted, not timed).
 */
const FIXTURES = [
  'speedscope-0.1.2-simple-sampled.speedscope.json',
  'speedscope-0.0.1-simple-evented.speedscope.json',
  'speedscope-0.6.0-two-sampled.speedscope.json',
  'invalid-speedscope-incomplete-trace.json',
  'odd-clawscript-unit-samples-empty-profile.speedscope.json',
].map((name) => ({ name, text: readFixture(name).toString('utf8') }));

const HOSTILE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e308',
  '-0',
  '0.5',
  '9007199254740993',
  '1e-400',
  '-1',
  '4294967296',
  '1e19',
];

type Mutation = (text: string) => string;

const numberMutation = fc
  .tuple(fc.nat(), fc.constantFrom(...HOSTILE_NUMBERS))
  .map(([at, replacement]): Mutation => (text) => {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    if (numbers.length === 0) {
      return text;
    }
    const m = numbers[at % numbers.length];
    return text.slice(0, m.index) + replacement + text.slice(m.index! + m[0].length);
  });

const nestingMutation = fc
  .tuple(fc.nat(), fc.integer({ min: 1, max: 5000 }), fc.boolean())
  .map(([at, depth, balanced]): Mutation => (text) => {
    const values = [...text.matchAll(/[[{"\d-]/g)];
    if (values.length === 0) {
      return text;
    }
    const i = values[at % values.length].index!;
    return text.slice(0, i) + '['.repeat(depth) + (balanced ? '0' + ']'.repeat(depth) + ',' : '') + text.slice(i);
  });

const byteMutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]): Mutation => (text) => {
  const i = at % (text.length + 1);
  return text.slice(0, i) + String.fromCharCode(byte) + text.slice(i + 1);
});

const cutMutation = fc.nat().map(
  (at): Mutation =>
    (text) =>
      text.slice(0, at % (text.length + 1))
);

const valueSwap = fc
  .tuple(fc.nat(), fc.constantFrom('null', '{}', '[]', '"x"', 'true', '[[[]]]', '{"a":[1,{}]}'))
  .map(([at, replacement]): Mutation => (text) => {
    const values = [...text.matchAll(/-?\d+(\.\d+)?|"[^"\\]*"|\[\]/g)];
    if (values.length === 0) {
      return text;
    }
    const m = values[at % values.length];
    return text.slice(0, m.index) + replacement + text.slice(m.index! + m[0].length);
  });

const mutations = fc.array(fc.oneof(numberMutation, nestingMutation, byteMutation, cutMutation, valueSwap), {
  minLength: 1,
  maxLength: 4,
});

/** Gzip damage: flip a byte of the trailer or body, truncate, or append a second (maybe broken) member. */
const gzipDamage = fc.option(
  fc
    .tuple(fc.constantFrom('trailer', 'body', 'truncate', 'append'), fc.nat())
    .map(([kind, at]) => (gz: Uint8Array): Uint8Array => {
      const out = gz.slice();
      switch (kind) {
        case 'trailer':
          out[out.length - 1 - (at % 8)] ^= 1 + (at % 255);
          return out;
        case 'body':
          out[10 + (at % Math.max(1, out.length - 18))] ^= 1 + (at % 255);
          return out;
        case 'truncate':
          return out.subarray(0, at % out.length);
        default:
          return new Uint8Array([...out, ...gz.subarray(0, at % gz.length)]);
      }
    }),
  { nil: undefined }
);

/** Nodes, samples and frames of the model: each needs at least one byte of input. */
function modelSize(parsed: ParsedFile): number {
  let size = parsed.frames.length;
  for (const p of parsed.profiles) {
    if (p.ok) {
      size += p.tree.parent.length + p.samples.node.length;
    }
  }
  return size;
}

describe('mutated fixtures', () => {
  it('end in a ParsedFile or a SpeedscopeFileError, with a model bounded by the input', () => {
    let results = 0;
    let fileErrors = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        mutations,
        gzipDamage,
        fc.array(fc.nat(), { maxLength: 5 }),
        (fixture, steps, damage, cutPoints) => {
          let text = fixture.text;
          for (const step of steps) {
            text = step(text);
          }
          const json = new Uint8Array(Buffer.from(text, 'latin1'));
          const bytes = damage === undefined ? json : damage(gzipSync(json));
          const parser = new SpeedscopeStreamParser(fixture.name, { maxJsonBytes: 10 * 1024 * 1024 });
          try {
            let from = 0;
            for (const cut of cutPoints.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b)) {
              parser.push(bytes.subarray(from, cut));
              from = cut;
            }
            parser.push(bytes.subarray(from));
            const parsed = parser.finish();
            results++;
            expect(modelSize(parsed)).toBeLessThanOrEqual(json.length + 1);
            for (const profile of parsed.profiles) {
              if (!profile.ok) {
                expect(profile.error.message.length).toBeLessThan(700);
              }
            }
          } catch (e) {
            if (!(e instanceof SpeedscopeFileError)) {
              throw e;
            }
            fileErrors++;
            expect(e.message.length).toBeLessThan(700);
          }
        }
      ),
      { numRuns: 1500 }
    );
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(results).toBeGreaterThan(0);
    expect(fileErrors).toBeGreaterThan(0);
  });
});
