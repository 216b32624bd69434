import { parseFixture } from '../../../../../tests/helpers/fixtures';
import { presliceTimeThreads } from '../../../../core/plan/sliceThread';
import { DEFAULT_PROFILE_LIMITS } from '../../../../core/plan/uploadOptions';
import { transferablesOf } from '../parseMessages';

describe('the parse worker result', () => {
  it('transfers every typed array of threads and slices once (postMessage rejects a buffer listed twice)', () => {
    const file = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    const threads = file.profiles.flatMap((p) => (p.ok ? [p] : []));
    presliceTimeThreads(threads, 10, DEFAULT_PROFILE_LIMITS);
    const buffers = transferablesOf(file);
    expect(new Set(buffers).size).toBe(buffers.length);
    // 7 arrays per thread (tree and samples), and nodes and values of each slice and each of its parts.
    const sliceArrays = threads.reduce(
      (n, t) => n + t.presliced!.entries.reduce((m, e) => m + 2 * (1 + e.parts.length), 0),
      0
    );
    expect(buffers).toHaveLength(7 * threads.length + sliceArrays);
    // Thread 0 is split in two by the size bound; the two others are one slice of one part each.
    expect(sliceArrays).toBe(2 * 3 + 2 * 2 + 2 * 2);
  });
});
