/**
 * Pushes `bytes` to a streaming consumer in pieces cut at `cuts` (any order; a repeated cut gives an empty piece), as
 * a stream may deliver them: the property tests' way of cutting a token, an escape or a gzip field anywhere.
 */
export function pushInPieces(target: { push(chunk: Uint8Array): void }, bytes: Uint8Array, cuts: readonly number[]) {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    target.push(bytes.subarray(from, cut));
    from = cut;
  }
  target.push(bytes.subarray(from));
}
