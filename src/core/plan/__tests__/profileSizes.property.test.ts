import fc from 'fast-check';
import { encodePprof } from '../../pprof/encodePprof';
import { ThreadProfile } from '../../threads/threadModel';
import { planUpload } from '../planUpload';
import { randomStackTree } from '../../../../tests/helpers/randomStackTree';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

/** A random sampled thread in nanoseconds: a stack tree over a few frames and samples in time order. */
const threadArb = fc
  .record({
    frameNames: fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 30 }),
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 120 }),
    frameChoices: fc.array(fc.nat(), { minLength: 120, maxLength: 120 }),
    samples: fc.array(fc.record({ node: fc.nat(), value: fc.integer({ min: 1, max: 5e9 }) }), {
      minLength: 1,
      maxLength: 300,
    }),
  })
  .map(({ frameNames, parents, frameChoices, samples }) => {
    const tree = randomStackTree(parents, frameChoices, frameNames.length);
    const nodes = tree.parent.length;
    const node = Int32Array.from(samples, (s) => 1 + (s.node % (nodes - 1)));
    const value = Float64Array.from(samples, (s) => s.value);
    const offset = new Float64Array(samples.length);
    for (let i = 1; i < samples.length; i++) {
      offset[i] = offset[i - 1] + value[i - 1];
    }
    node.forEach((n, i) => (tree.self[n] += value[i]));
    const total = value.reduce((sum, v) => sum + v, 0);
    const span = offset[samples.length - 1] + value[samples.length - 1];
    return {
      ok: true,
      fileName: 'random.json',
      index: 0,
      name: 'random',
      type: 'sampled',
      unit: 'nanoseconds',
      kind: 'time',
      baseUnit: 'nanoseconds',
      startOffset: 0,
      span,
      frames: frameNames.map((name, i) => ({ name, file: i % 3 === 0 ? undefined : `/f${i % 5}.py`, line: i })),
      tree,
      samples: { node, value, offset },
      stats: {
        duration: span,
        total,
        samplesOrEvents: samples.length,
        uniqueStacks: 0,
        maxDepth: 0,
        emptyStackSamples: 0,
        emptyStackTotal: 0,
        deepStacks: 0,
      },
      warnings: [],
    } as unknown as ThreadProfile;
  });

describe('profile sizes', () => {
  it('are exact, within the limits, and keep every total, however the slicer splits and truncates; the encoder writes the same bytes from the planned symbols as from its own layout', () => {
    fc.assert(
      fc.property(
        threadArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 400, max: 6000 }),
        fc.integer({ min: 1, max: 30 }),
        (thread, maxSamplesPerProfile, maxProfileBytes, sliceSeconds) => {
          const limits = { maxSamplesPerProfile, maxProfileBytes };
          const file = { fileName: 'random.json', frames: thread.frames, profiles: [thread], warnings: [] };
          const plan = planUpload([file], {
            serviceName: 's',
            fromMs: NOW - 3_600_000,
            nowMs: NOW,
            sliceSeconds,
            limits,
          });
          const truncated = plan.warnings.some((w) => w.code === 'stacks-truncated');
          let total = 0;
          for (const planned of plan.profiles) {
            const written = encodePprof(planned);
            expect(written).toHaveLength(planned.uncompressedBytes);
            // The symbols the splitter laid out (after its rollbacks and truncations) are those of the samples.
            expect(planned.symbols).toBeDefined();
            expect(encodePprof({ ...planned, symbols: undefined })).toEqual(written);
            expect(planned.nodes.length).toBeLessThanOrEqual(maxSamplesPerProfile);
            if (!truncated) {
              expect(planned.uncompressedBytes).toBeLessThanOrEqual(maxProfileBytes);
            }
            total += planned.total;
          }
          expect(total).toBe(thread.stats.total);
          expect(plan.volume.uncompressedBytes).toBe(plan.profiles.reduce((s, p) => s + p.uncompressedBytes, 0));
        }
      ),
      { numRuns: 200 }
    );
  });
});
