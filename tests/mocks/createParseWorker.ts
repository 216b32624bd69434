/**
 * jsdom has no Web Worker (and jest cannot compile the worker module's `import.meta.url`), so in component tests
 * no worker starts and the page runs the same pipeline on the main thread, in time slices, over the same messages:
 * the fallback path, tested for real. The worker itself is exercised by the browser tests.
 */
export function createPipelineWorker(): Worker | undefined {
  return undefined;
}
