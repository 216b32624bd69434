/// <reference lib="webworker" />
import { servePipeline } from '../pipeline/servePipeline';

/**
 * The upload pipeline's worker: one per page, alive as long as the page, owning the parsed files. Everything it
 * needs is bundled into this chunk: no shared modules exist inside a worker. 50 ms slices keep a cancel well within
 * 250 ms.
 *
 * One worker, not a pool: a plan spans every file (label values are unique across the upload), so a pool would
 * have to move threads between workers or plan in pieces; encoding in one worker already outruns Pyroscope's
 * ingestion limit (the push waits on the rate, not on the encoder); and on small machines (the 2-core ones this was
 * measured on) the page itself needs the other core.
 */
servePipeline(self as unknown as DedicatedWorkerGlobalScope, 50);
