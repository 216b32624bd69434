import { UploadOptions } from '../../../core/plan/uploadOptions';
import { ProfileRef } from '../../../core/push/encodeUpload';
import { FlameGraphRows } from '../domain/flameGraphRows';
import { FileSummary, PlanSummary } from '../domain/summaries';

/** The plan of the current choices, or why there is none. */
export interface PlanResult {
  plan?: PlanSummary;
  problems: string[];
}

/** One push request body, made in the pipeline and handed to Grafana by the page. */
export interface WireBatch {
  /**
   * The Connect JSON text, exactly what the page hands to Grafana's backendSrv (which sends a string as it is): made
   * in the pipeline, so the page does no work per byte of a body.
   */
  body: string;
  profiles: ProfileRef[];
  costBytes: number;
}

/**
 * Which plan: the parsed files in upload order (the planner numbers thread keys by it) and the user's choices. The
 * page names files by their page ids; the pipeline client turns them into the keys of the drops they name now.
 */
export interface PlanInput {
  fileIds: string[];
  options: UploadOptions;
}

/** Page → pipeline. Every operation has an id; `cancel` and `ack` refer to one. */
export type PipelineRequest =
  | {
      op: 'parse';
      id: number;
      fileId: string;
      file: Blob;
      fileName: string;
      /** Time-unit threads are sliced ahead with the page's slice width, so the first plan is quick. */
      sliceSeconds: number;
      /** The app's maximum file size: no more JSON text than this is read (a gzip bomb stops there). */
      maxJsonBytes: number;
    }
  | { op: 'remove'; id: number; fileId: string }
  | { op: 'plan'; id: number; input: PlanInput }
  | { op: 'flame-graph'; id: number; fileId: string; profileIndex: number }
  /** Encodes and batches the plan's profiles (only these threads, for a retry); at most `window` unacknowledged. */
  | { op: 'push'; id: number; input: PlanInput; only?: string[]; window: number }
  | { op: 'archive'; id: number; input: PlanInput }
  /** The page took one batch of push `id`: the pipeline may make one more. */
  | { op: 'ack'; id: number }
  | { op: 'cancel'; id: number };

export interface PipelineResults {
  parse: FileSummary;
  remove: null;
  plan: PlanResult;
  'flame-graph': FlameGraphRows | null;
  push: null;
  archive: Uint8Array;
}

export type PipelineOp = keyof PipelineResults;

/** Pipeline → page. */
export type PipelineResponse =
  | { kind: 'ready' }
  | { kind: 'progress'; id: number; progress: number; stage: string }
  | ({ kind: 'batch'; id: number } & WireBatch)
  | { kind: 'done'; id: number; value: PipelineResults[PipelineOp] }
  | { kind: 'failed'; id: number; message: string; cancelled: boolean };

/** What a Worker and its global scope have in common; the in-page fallback implements it too. */
export interface PipelinePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}
