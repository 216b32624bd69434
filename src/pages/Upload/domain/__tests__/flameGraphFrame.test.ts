import { createTheme, getDisplayProcessor } from '@grafana/data';
import { BaseUnit } from '../../../../core/threads/units';
import { flameGraphFrame } from '../flameGraphFrame';
import { FlameGraphRows } from '../flameGraphRows';

/** A root of 13.6e9 with one child: in nanoseconds that is 13.6 s, which the header must say, not "13.6 Bil". */
function rows(unit: BaseUnit): FlameGraphRows {
  return {
    level: Int32Array.from([0, 1]),
    value: Float64Array.from([13.6e9, 13.6e9]),
    self: Float64Array.from([0, 13.6e9]),
    label: Int32Array.from([0, 1]),
    names: ['total', 'main'],
    unit,
    leftOut: 0,
    drawnFraction: 0,
  };
}

describe('flameGraphFrame', () => {
  it.each([
    ['nanoseconds', 'ns', '13.6 s'],
    ['bytes', 'bytes', '12.7 GiB'],
    ['count', 'short', '13.6 Bil'],
  ] as const)('gives value and self the thread unit (%s → %s), so the total reads %s', (unit, grafana, shown) => {
    const frame = flameGraphFrame(rows(unit));
    const field = (name: string) => frame.fields.find((f) => f.name === name)!;
    expect(field('value').config.unit).toBe(grafana);
    expect(field('self').config.unit).toBe(grafana);
    const display = getDisplayProcessor({ field: field('value'), theme: createTheme() })(13.6e9);
    expect(`${display.text} ${display.suffix ?? ''}`.replace(/\s+/g, ' ').trim()).toBe(shown);
    expect(field('label').values).toEqual(['total', 'main']);
    expect(field('level').values).toEqual([0, 1]);
  });

  it('states the range of value and self, 0 to the total, which no row exceeds', () => {
    const frame = flameGraphFrame(rows('nanoseconds'));
    for (const name of ['value', 'self']) {
      const field = frame.fields.find((f) => f.name === name)!;
      expect([field.config.min, field.config.max]).toEqual([0, 13.6e9]);
      expect(Math.max(...field.values)).toBeLessThanOrEqual(field.config.max!);
    }
    const empty = flameGraphFrame({
      ...rows('count'),
      level: new Int32Array(),
      value: new Float64Array(),
      self: new Float64Array(),
      label: new Int32Array(),
    });
    expect(empty.fields.find((f) => f.name === 'value')!.config.max).toBeUndefined();
  });
});
