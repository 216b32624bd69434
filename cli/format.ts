import { BaseUnit } from '../src/core/speedscope/units';

/** Human-readable value in a base unit: `2.48 s`, `144 B`, `1,234`. */
export function formatValue(value: number, unit: BaseUnit): string {
  if (unit === 'nanoseconds') {
    if (value >= 1e9) {
      return `${trim(value / 1e9)} s`;
    }
    if (value >= 1e6) {
      return `${trim(value / 1e6)} ms`;
    }
    if (value >= 1e3) {
      return `${trim(value / 1e3)} µs`;
    }
    return `${value} ns`;
  }
  if (unit === 'bytes') {
    const steps = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value;
    let i = 0;
    while (v >= 1024 && i < steps.length - 1) {
      v /= 1024;
      i++;
    }
    return `${trim(v)} ${steps[i]}`;
  }
  return value.toLocaleString('en-US');
}

function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** A plain text table; columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
