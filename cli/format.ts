import { BaseUnit } from '../src/core/threads/units';

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

/** A plain text table; columns padded to their widest cell. Cells are made printable. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(printable));
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Text from files and servers as it may reach a terminal: C0 and C1 control characters (escape sequences, carriage
 * returns, newlines) and bidirectional overrides are shown escaped, never interpreted.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    const named: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r' };
    return named[code] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
  });
}
