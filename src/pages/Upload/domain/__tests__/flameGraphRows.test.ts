import { okThreads, parseFixture } from '../../../../../tests/helpers/fixtures';
import { ThreadProfile } from '../../../../core/threads/threadModel';
import { flameGraphRows } from '../flameGraphRows';

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
});
