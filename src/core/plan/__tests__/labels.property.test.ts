import fc from 'fast-check';
import { parseSpeedscope } from '../../speedscope/parseSpeedscope';
import {
  labelNameProblem,
  labelSetKey,
  MAX_LABEL_VALUE_BYTES,
  MAX_LABELS_PER_SERIES,
  truncateToBytes,
  utf8Length,
} from '../labels';
import { planUpload } from '../planUpload';
import { assignThreadLabelValues } from '../threadLabelValues';

const HOSTILE = [
  '',
  ' ',
  '"',
  '}',
  ',',
  '{a="b"}',
  'a\nb',
  '\t',
  'x'.repeat(5000),
  'ü'.repeat(3000),
  '🧵'.repeat(700),
  '\ud800',
  'a\udc00b',
  'one',
  'one (2)',
];

/** Names as hostile as files can bring: any UTF-16 (lone surrogates too), the classic breakers, and huge ones. */
const hostileName = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('"', '}', ',', '\n', '=', ' ', 'a', '\\'), maxLength: 12 }),
  fc.string({ unit: 'grapheme', minLength: 1500, maxLength: 2500 })
);

function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = value.charCodeAt(i + 1);
      if (!(n >= 0xdc00 && n <= 0xdfff)) {
        return false;
      }
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

describe('thread label values (property)', () => {
  it('are unique, non-empty, valid UTF-8, within 2048 bytes, free of control characters and stable', () => {
    fc.assert(
      fc.property(fc.array(hostileName, { maxLength: 30 }), (names) => {
        const requests = names.map((desired, index) => ({ key: String(index), index, desired }));
        const values = [...assignThreadLabelValues(requests).values()].map((v) => v.value);
        expect(new Set(values).size).toBe(names.length);
        for (const value of values) {
          expect(value.trim()).not.toBe('');
          expect(utf8Length(value)).toBeLessThanOrEqual(MAX_LABEL_VALUE_BYTES);
          expect(isWellFormed(value)).toBe(true);
          expect(/[\u0000-\u001f\u007f]/.test(value)).toBe(false);
        }
        expect([...assignThreadLabelValues(requests).values()].map((v) => v.value)).toEqual(values);
      })
    );
  });

  it('truncate on a code point boundary, visibly, only when needed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 8, max: 400 }), (value, max) => {
        const cut = truncateToBytes(value, max);
        if (utf8Length(value) <= max) {
          expect(cut).toBe(value);
        } else {
          expect(utf8Length(cut)).toBeLessThanOrEqual(max);
          expect(cut.endsWith('…')).toBe(true);
          expect(value.startsWith(cut.slice(0, -1))).toBe(true);
          expect(isWellFormed(cut)).toBe(true);
        }
      })
    );
  });
});

describe('label names (property)', () => {
  it('accept exactly [a-zA-Z_][a-zA-Z0-9_]* up to 1024 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (name) => {
        expect(labelNameProblem(name) === undefined).toBe(/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name));
      })
    );
    expect(labelNameProblem('a'.repeat(1025))).toMatch(/longer than 1024 bytes$/);
    expect(labelNameProblem('a'.repeat(1024))).toBeUndefined();
  });
});

describe('the upload invariant (property)', () => {
  it('no two profiles share (label set, time), whatever the thread names, ids, files, services and slices', () => {
    // py-spy names give derived thread_id labels (often equal ids, to make derived labels collide too).
    const pySpyName = fc
      .tuple(fc.constantFrom('1', '2', '0x1FA08F100'), hostileName)
      .map(([id, name]) => `Thread ${id} "${name}"`);
    const profileArb = fc.record({
      name: fc.oneof(hostileName, pySpyName),
      dropIds: fc.boolean(),
      start: fc.integer({ min: 0, max: 30 }),
      weights: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(profileArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.constantFrom('py-spy@0.4.1', 'speedscope@1.0.0'), { minLength: 3, maxLength: 3 }),
        fc.option(fc.array(fc.constantFrom('svc', 'other'), { minLength: 3, maxLength: 3 }), { nil: undefined }),
        fc.option(fc.constantFrom<'cpu' | 'wall'>('cpu', 'wall'), { nil: undefined }),
        (files, sliceSeconds, maxSamples, exporters, fileServices, profileType) => {
          const parsed = files.map((profiles, f) =>
            parseSpeedscope(
              `f${f}.json`,
              new TextEncoder().encode(
                JSON.stringify({
                  exporter: exporters[f],
                  shared: { frames: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
                  profiles: profiles.map((p) => ({
                    type: 'sampled',
                    name: p.name,
                    unit: 'seconds',
                    startValue: p.start,
                    endValue: p.start + p.weights.reduce((s, w) => s + w, 0),
                    samples: p.weights.map((_, i) => [0, 1 + (i % 2), ...(i % 3 === 0 ? [2] : [])]),
                    weights: p.weights,
                  })),
                })
              )
            )
          );
          const plan = planUpload(parsed, {
            serviceName: 'svc',
            fromMs: 1_700_000_000_000,
            nowMs: 1_700_000_000_000,
            sliceSeconds,
            limits: { maxSamplesPerProfile: maxSamples, maxProfileBytes: 1 << 20 },
            fileServices,
            profileType,
            threads: Object.fromEntries(
              files.flatMap((profiles, f) => profiles.map((p, i) => [`${f}:${i}`, p.dropIds ? { labels: [] } : {}]))
            ),
          });
          const keys = plan.profiles.map((p) => `${labelSetKey(p.labels)}@${p.timeNanos}`);
          expect(new Set(keys).size).toBe(keys.length);
          const series = new Set(plan.profiles.map((p) => labelSetKey(p.labels)));
          expect(series.size).toBe(plan.threads.length);
          for (const profile of plan.profiles) {
            expect(profile.labels.length).toBeLessThanOrEqual(MAX_LABELS_PER_SERIES);
            expect(profile.nodes.length).toBeLessThanOrEqual(maxSamples);
          }
          // Nothing lost: every thread's planned total is its parsed total.
          for (const thread of plan.threads) {
            const [f, i] = thread.threadKey.split(':').map(Number);
            const source = parsed[f].profiles[i];
            expect(source.ok ? source.stats.total : -1).toBe(thread.total);
          }
        }
      ),
      { numRuns: 150 }
    );
  });
});
