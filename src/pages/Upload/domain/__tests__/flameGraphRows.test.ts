import { okThreads, parseFixture } from '../../../../../tests/helpers/fixtures';
import { ThreadProfile } from '../../../../core/threads/threadModel';
import { coarserRows, firstRows, flameGraphRows } from '../flameGraphRows';

function largestThread(): ThreadProfile {
  const threads = okThreads(parseFixture('py-spy-0.4.1-3threads-large.speedscope.json')) as ThreadProfile[];
  return threads.reduce((a, b) => (b.tree.parent.length > a.tree.parent.length ? b : a));
}

describe('flameGraphRows: only what the flame graph can draw', () => {
  const thread = largestThread();
  const all = flameGraphRows(thread, 0);
  const total = all.value[0];

  it('with no threshold, keeps every node with weight and leaves none out', () => {
    expect(all.leftOut).toBe(0);
    expect(all.value.length).toBeLessThanOrEqual(thread.tree.parent.length);
    expect(all.self.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('leaves out the nodes under the fraction, keeps the root total and a well-formed pre-order', () => {
    const drawn = flameGraphRows(thread, 0.01);
    expect(drawn.value[0]).toBe(total);
    expect(drawn.value.length + drawn.leftOut).toBe(all.value.length);
    expect(drawn.leftOut).toBeGreaterThan(0);
    for (let row = 1; row < drawn.value.length; row++) {
      expect(drawn.value[row]).toBeGreaterThanOrEqual(total * 0.01);
      // Pre-order: a row is at most one level deeper than the row before it.
      expect(drawn.level[row]).toBeLessThanOrEqual(drawn.level[row - 1] + 1);
    }
    // Every name the rows use is there, and no other.
    expect(new Set(drawn.label.slice(1)).size).toBe(drawn.names.length - 1);
  });

  it('coarser rows of the drawn rows are the rows drawn at the coarser fraction, in the same order', () => {
    const drawn = flameGraphRows(thread, 1 / 4000);
    const coarse = coarserRows(drawn, 0.01);
    const direct = flameGraphRows(thread, 0.01);
    expect(Array.from(coarse.level)).toEqual(Array.from(direct.level));
    expect(Array.from(coarse.value)).toEqual(Array.from(direct.value));
    expect(Array.from(coarse.self)).toEqual(Array.from(direct.self));
    expect(Array.from(coarse.label, (i) => coarse.names[i])).toEqual(Array.from(direct.label, (i) => direct.names[i]));
    expect(coarse.leftOut).toBe(direct.leftOut);
    expect(coarse.drawnFraction).toBe(0.01);
    // Nothing to cut: the same rows.
    expect(coarserRows(drawn, 1 / 8000)).toBe(drawn);
  });

  it('draws first the widest nodes only: the top of the tree, at most the rows asked for (ties aside)', () => {
    const drawn = flameGraphRows(thread, 1 / 4000);
    const first = firstRows(drawn, 20);
    expect(first.value.length).toBeGreaterThan(1);
    expect(first.value[0]).toBe(drawn.value[0]);
    expect(first.leftOut).toBe(drawn.leftOut + drawn.value.length - first.value.length);
    // Every row at least as wide as the narrowest kept is kept; fewer than 20 are wider than it (the rest are ties).
    const narrowestKept = Math.min(...first.value);
    expect(drawn.value.filter((v) => v >= narrowestKept).length).toBe(first.value.length);
    expect(drawn.value.filter((v) => v > narrowestKept).length).toBeLessThan(20);
    expect(firstRows(first, 20)).toBe(first);
  });
});
