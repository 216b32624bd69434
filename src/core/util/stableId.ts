/** 64-bit FNV-1a over UTF-16 code units, as two 32-bit halves. */
function fnv1a64(text: string, seed: number): [number, number] {
  let hi = 0xcbf29ce4 ^ seed;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo ^= text.charCodeAt(i);
    // Multiply by the FNV prime 0x100000001b3 in 32-bit halves.
    const loProduct = lo * 0x1b3;
    const hiProduct = hi * 0x1b3 + lo * 0x100 + Math.floor(loProduct / 0x100000000);
    lo = loProduct >>> 0;
    hi = hiProduct >>> 0;
  }
  return [hi >>> 0, lo >>> 0];
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/**
 * A UUID-shaped id derived from a text: the same profile (labels and time) always gets the same id, so a re-run
 * writes identical requests. Pyroscope replaces the id anyway; only (labels, time) identify a profile there.
 */
export function stableUuid(text: string): string {
  const [a, b] = fnv1a64(text, 0);
  const [c, d] = fnv1a64(text, 0x5bd1e995);
  const h = hex(a) + hex(b) + hex(c) + hex(d);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
