// Imported under the name `Worker` so webpack still recognises `new Worker(new URL(…, import.meta.url))` and
// builds the worker as its own chunk (Grafana core does the same with its CorsWorker).
import { CorsWorker as Worker } from './CorsWorker';

/** Starts the pipeline worker, or returns undefined where workers cannot start (the pipeline then runs on the page). */
export function createPipelineWorker(): globalThis.Worker | undefined {
  if (typeof window === 'undefined' || typeof window.Worker !== 'function') {
    return undefined;
  }
  try {
    return new Worker(
      /* webpackChunkName: "pipeline-worker" */ new URL('./pipeline.worker.ts', import.meta.url)
    ) as unknown as globalThis.Worker;
  } catch {
    // A Content-Security-Policy without blob: workers, for example.
    return undefined;
  }
}
