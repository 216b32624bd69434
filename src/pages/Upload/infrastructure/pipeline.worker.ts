/// <reference lib="webworker" />
import { servePipeline } from '../pipeline/servePipeline';

/**
 * The upload pipeline's worker: one per page, alive as long as the page, owning the parsed files. Everything it
 * needs is bundled into this chunk: no shared modules exist inside a worker. 50 ms slices keep a cancel well within
 * 250 ms.
 */
servePipeline(self as unknown as DedicatedWorkerGlobalScope, 50);
