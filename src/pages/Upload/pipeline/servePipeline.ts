import { errorText } from '../../../core/util/errorText';
import { flameGraphBuffers } from '../domain/flameGraphRows';
import { PipelinePort, PipelineRequest, PipelineResponse, PipelineResults } from './pipelineMessages';
import { OperationContext, PipelineCancelledError, UploadPipeline } from './uploadPipeline';

interface Running {
  abort: AbortController;
  /** Called for each batch the page acknowledges. */
  onAck?: () => void;
}

/** Lets queued messages (a cancel, an acknowledgement) run: a macrotask, not a microtask. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A `pause` that yields once `budgetMs` of work has run since the last yield. */
export function timeSlicer(budgetMs: number): () => Promise<void> {
  let sliceStart = Date.now();
  return async () => {
    if (Date.now() - sliceStart >= budgetMs) {
      await nextTask();
      sliceStart = Date.now();
    }
  };
}

/**
 * Answers the page's requests on `port` with one UploadPipeline: in the pipeline worker, or on the page itself where
 * no worker can start (then with a smaller time slice, so the page stays responsive). `sliceMs` bounds how long
 * work runs between two looks at the message queue, which is also how late a cancel can be seen.
 */
export function servePipeline(port: PipelinePort, sliceMs: number, pipeline = new UploadPipeline()): void {
  const running = new Map<number, Running>();
  const post = (message: PipelineResponse, transfer: Transferable[] = []) => port.postMessage(message, transfer);

  const context = (id: number, abort: AbortController): OperationContext => {
    let lastProgress = 0;
    return {
      signal: abort.signal,
      pause: timeSlicer(sliceMs),
      onProgress: (progress, stage) => {
        // At most ten progress messages a second: each one re-renders the page.
        const now = Date.now();
        if (now - lastProgress >= 100) {
          lastProgress = now;
          post({ kind: 'progress', id, progress, stage });
        }
      },
    };
  };

  const push = async (request: Extract<PipelineRequest, { op: 'push' }>, op: Running) => {
    let unacknowledged = 0;
    let wake: (() => void) | undefined;
    op.onAck = () => {
      unacknowledged--;
      wake?.();
    };
    op.abort.signal.addEventListener('abort', () => wake?.());
    const only = request.only ? new Set(request.only) : undefined;
    for await (const batch of pipeline.batches(request.input, only, context(request.id, op.abort))) {
      // Back-pressure: a bounded number of bodies waits on the page; the rest is not even encoded yet.
      while (unacknowledged >= request.window && !op.abort.signal.aborted) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (op.abort.signal.aborted) {
        throw new PipelineCancelledError();
      }
      unacknowledged++;
      post({ kind: 'batch', id: request.id, ...batch });
    }
    return null;
  };

  const run = async <Op extends keyof PipelineResults>(
    request: PipelineRequest & { op: Op },
    work: (op: Running) => Promise<PipelineResults[Op]> | PipelineResults[Op],
    transferOf: (value: PipelineResults[Op]) => Transferable[] = () => []
  ) => {
    const op: Running = { abort: new AbortController() };
    running.set(request.id, op);
    try {
      const value = await work(op);
      post({ kind: 'done', id: request.id, value }, transferOf(value));
    } catch (e) {
      const cancelled = e instanceof PipelineCancelledError || op.abort.signal.aborted;
      post({ kind: 'failed', id: request.id, message: cancelled ? 'Cancelled.' : errorText(e), cancelled });
    } finally {
      running.delete(request.id);
    }
  };

  port.onmessage = (event: MessageEvent<PipelineRequest>) => {
    const request = event.data;
    switch (request.op) {
      case 'cancel':
        running.get(request.id)?.abort.abort();
        return;
      case 'ack':
        running.get(request.id)?.onAck?.();
        return;
      case 'parse':
        void run(request, (op) =>
          pipeline.parse(
            request.fileId,
            request.file,
            request.fileName,
            { sliceSeconds: request.sliceSeconds, maxJsonBytes: request.maxJsonBytes },
            context(request.id, op.abort)
          )
        );
        return;
      case 'remove':
        void run(request, () => (pipeline.remove(request.fileId), null));
        return;
      case 'plan':
        void run(request, () => pipeline.plan(request.input));
        return;
      case 'flame-graph':
        void run(
          request,
          () => pipeline.flameGraph(request.fileId, request.profileIndex),
          (rows) => (rows ? flameGraphBuffers(rows) : [])
        );
        return;
      case 'push':
        void run(request, (op) => push(request, op));
        return;
      case 'archive':
        void run(
          request,
          (op) => pipeline.archive(request.input, context(request.id, op.abort)),
          (zip) => [zip.buffer as ArrayBuffer]
        );
        return;
    }
  };
  post({ kind: 'ready' });
}
