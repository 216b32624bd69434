import { formatBytes, plural } from '../formatValue';

describe('formatBytes', () => {
  it('labels binary units as such', () => {
    expect([0, 1023, 1024, 1536, 1_048_576, 3.5 * 1_048_576, 150 * 1_048_576, 2 ** 30].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.00 KiB',
      '1.50 KiB',
      '1.00 MiB',
      '3.50 MiB',
      '150 MiB',
      '1.00 GiB',
    ]);
  });
});

describe('plural', () => {
  it('is singular for one only', () => {
    expect([0, 1, 2].map((n) => plural(n, 'thread'))).toEqual(['0 threads', '1 thread', '2 threads']);
    expect(plural(2, 'series', 'series')).toBe('2 series');
  });
});
