/**
 * jsdom has no Web Worker (and jest cannot compile the worker module's `import.meta.url`), so in component tests
 * no worker starts and the page parses on the main thread in slices: the fallback path, tested for real. The
 * worker itself is exercised by the browser tests.
 */
export function createParseWorker(): Worker | undefined {
  return undefined;
}
