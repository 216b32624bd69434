import { PushCancelledError } from '../../../core/push/pyroscopeClient';
import { ProfileRef } from '../../../core/push/encodeUpload';
import { FlameGraphRows } from '../domain/flameGraphRows';
import { FileSummary } from '../domain/summaries';
import {
  PipelineOp,
  PipelinePort,
  PipelineRequest,
  PipelineResponse,
  PipelineResults,
  PlanInput,
  PlanResult,
  WireBatch,
} from '../pipeline/pipelineMessages';
import { nextTask, servePipeline } from '../pipeline/servePipeline';
import { PipelineCancelledError } from '../pipeline/uploadPipeline';
import { createPipelineWorker } from './createParseWorker';

export type PipelineWhere = 'worker' | 'main thread';

export interface Operation<T> {
  result: Promise<T>;
  cancel: () => void;
}

// One error class for a cancelled operation, whichever side of the worker boundary noticed it.
export { PipelineCancelledError };

/** A request body as the push takes it: the text handed to backendSrv as it is. */
export interface PageBatch {
  body: string;
  profiles: ProfileRef[];
  costBytes: number;
}

/** On the page, work runs in slices of at most this long, then lets the page breathe. */
const MAIN_THREAD_SLICE_MS = 25;
/** Request bodies waiting on the page while one is sent: enough to keep the connection busy, few enough to be small. */
const BATCHES_AHEAD = 2;

/** Two connected ports on the page: each message arrives in its own task, in order, as it is (nothing to copy). */
function inPagePorts(): [PipelinePort, PipelinePort] {
  const connect = (): PipelinePort & { peer?: PipelinePort } => ({
    onmessage: null,
    postMessage(message: unknown) {
      void nextTask().then(() => this.peer?.onmessage?.({ data: message } as MessageEvent));
    },
  });
  const page = connect();
  const pipeline = connect();
  page.peer = pipeline;
  pipeline.peer = page;
  return [page, pipeline];
}

/**
 * A plan input whose files are pinned to the drops they named when it was pinned: if one of them was dropped again
 * (or removed) since, the pipeline answers "no longer loaded" instead of planning the later content under this
 * plan's thread keys. A push pins its input, so its retries and its zip are of what it pushed.
 */
export interface PinnedPlanInput extends PlanInput {
  readonly pinned: true;
}

/**
 * The page's handle on the upload pipeline: the pipeline worker, or, where no worker can start (or its script cannot
 * load), the same pipeline on the page in time slices. Requests sent before the worker is ready wait for it, so a
 * fallback loses none.
 */
export class PipelineClient {
  where: PipelineWhere = 'worker';
  private port!: PipelinePort;
  private ready = false;
  private waiting: Array<{ request: PipelineRequest; transfer: Transferable[] }> = [];
  private readonly handlers = new Map<number, (response: PipelineResponse) => void>();
  private nextId = 1;
  private worker?: Worker;
  /** The pipeline's key of each page file id: `<id>@<generation>`, a new generation for every drop. */
  private readonly keys = new Map<string, string>();
  private generation = 0;

  constructor() {
    const worker = createPipelineWorker();
    if (!worker) {
      this.runOnPage();
      return;
    }
    this.worker = worker;
    this.port = worker;
    worker.onmessage = (event: MessageEvent<PipelineResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (!this.ready) {
        this.runOnPage();
        return;
      }
      // The worker died (out of memory, for one): what it held is gone, and every running operation says so.
      const message = `The pipeline worker stopped: ${event.message || 'unknown error'}. Drop the files again.`;
      for (const [id, handler] of this.handlers) {
        handler({ kind: 'failed', id, message, cancelled: false });
      }
    };
  }

  parse(
    fileId: string,
    file: File,
    options: { sliceSeconds: number; maxJsonBytes: number },
    onProgress: (progress: number, stage: string) => void
  ): Operation<FileSummary> {
    // A new drop of the same page file replaces the earlier one: what the pipeline holds of that goes.
    this.remove(fileId);
    const key = `${fileId}@${++this.generation}`;
    this.keys.set(fileId, key);
    return this.start({ op: 'parse', id: this.nextId++, fileId: key, file, fileName: file.name, ...options }, (r) => {
      if (r.kind === 'progress') {
        onProgress(r.progress, r.stage);
      }
    });
  }

  remove(fileId: string): void {
    const key = this.keys.get(fileId);
    if (key === undefined) {
      return;
    }
    this.keys.delete(fileId);
    void this.start({ op: 'remove', id: this.nextId++, fileId: key }).result.catch(() => undefined);
  }

  /** The input with its files pinned to their current drops (see PinnedPlanInput). */
  pin(input: PlanInput | PinnedPlanInput): PinnedPlanInput {
    return 'pinned' in input ? input : { ...this.keyed(input), pinned: true };
  }

  plan(input: PlanInput | PinnedPlanInput): Operation<PlanResult> {
    return this.start({ op: 'plan', id: this.nextId++, input: this.keyed(input) });
  }

  flameGraph(fileId: string, profileIndex: number): Operation<FlameGraphRows | null> {
    return this.start({ op: 'flame-graph', id: this.nextId++, fileId: this.keyOf(fileId), profileIndex });
  }

  archive(input: PlanInput | PinnedPlanInput): Operation<Uint8Array> {
    return this.start({ op: 'archive', id: this.nextId++, input: this.keyed(input) });
  }

  /**
   * The push's request bodies, made in the pipeline as the push consumes them: at most BATCHES_AHEAD wait on the
   * page. Aborting `signal` stops the pipeline's encoding; its parsed files stay.
   */
  async *batches(
    input: PlanInput | PinnedPlanInput,
    only: Set<string> | undefined,
    signal: AbortSignal
  ): AsyncIterable<PageBatch> {
    const id = this.nextId++;
    const arrived: WireBatch[] = [];
    let finished = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const operation = this.start(
      { op: 'push', id, input: this.keyed(input), only: only ? [...only] : undefined, window: BATCHES_AHEAD },
      (r) => {
        if (r.kind === 'batch') {
          arrived.push(r);
          wake?.();
        }
      }
    );
    operation.result.then(
      () => (finished = true),
      (e) => ((finished = true), (failure = e))
    );
    operation.result.finally(() => wake?.()).catch(() => undefined);
    const onAbort = () => {
      operation.cancel();
      wake?.();
    };
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal.aborted) {
          throw new PushCancelledError();
        }
        const next = arrived.shift();
        if (next) {
          this.send({ op: 'ack', id });
          yield { body: next.body, profiles: next.profiles, costBytes: next.costBytes };
          continue;
        }
        if (finished) {
          if (failure instanceof PipelineCancelledError) {
            throw new PushCancelledError();
          }
          if (failure) {
            throw failure;
          }
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (!finished) {
        operation.cancel();
      }
    }
  }

  /** A page id's current key; an id with no drop gets a key the pipeline does not hold ("no longer loaded"). */
  private keyOf(fileId: string): string {
    return this.keys.get(fileId) ?? `${fileId}@removed`;
  }

  /** What the pipeline gets: the plan input with pipeline keys (a pinned input has them already). */
  private keyed(input: PlanInput | PinnedPlanInput): PlanInput {
    return 'pinned' in input
      ? { fileIds: input.fileIds, options: input.options }
      : { fileIds: input.fileIds.map((id) => this.keyOf(id)), options: input.options };
  }

  terminate(): void {
    this.worker?.terminate();
    this.handlers.clear();
  }

  private runOnPage(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.where = 'main thread';
    const [page, pipeline] = inPagePorts();
    page.onmessage = (event: MessageEvent<PipelineResponse>) => this.receive(event.data);
    this.port = page;
    servePipeline(pipeline, MAIN_THREAD_SLICE_MS);
  }

  private start<Op extends PipelineOp>(
    request: PipelineRequest & { op: Op },
    onEvent?: (response: PipelineResponse) => void
  ): Operation<PipelineResults[Op]> {
    const id = request.id;
    const result = new Promise<PipelineResults[Op]>((resolve, reject) => {
      this.handlers.set(id, (response) => {
        if (response.kind === 'done') {
          this.handlers.delete(id);
          resolve(response.value as PipelineResults[Op]);
        } else if (response.kind === 'failed') {
          this.handlers.delete(id);
          reject(response.cancelled ? new PipelineCancelledError() : new Error(response.message));
        } else {
          onEvent?.(response);
        }
      });
    });
    this.send(request);
    return { result, cancel: () => this.send({ op: 'cancel', id }) };
  }

  private send(request: PipelineRequest, transfer: Transferable[] = []): void {
    if (this.ready) {
      this.port.postMessage(request, transfer);
    } else {
      this.waiting.push({ request, transfer });
    }
  }

  private receive(response: PipelineResponse): void {
    if (response.kind === 'ready') {
      this.ready = true;
      for (const { request, transfer } of this.waiting.splice(0)) {
        this.port.postMessage(request, transfer);
      }
      return;
    }
    this.handlers.get(response.id)?.(response);
  }
}
