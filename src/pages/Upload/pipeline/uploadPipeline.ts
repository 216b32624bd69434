import { PlanError, planUpload, UploadPlan } from '../../../core/plan/planUpload';
import { slicedThread } from '../../../core/plan/sliceThread';
import { DEFAULT_PROFILE_LIMITS } from '../../../core/plan/uploadOptions';
import { batchProfiles } from '../../../core/push/batches';
import { encodePlan, EncodedProfile } from '../../../core/push/encodeUpload';
import { parseSpeedscopeStream } from '../../../core/speedscope/parseSpeedscope';
import { hasPushableData, ParsedFile } from '../../../core/threads/threadModel';
import { errorText } from '../../../core/util/errorText';
import { flameGraphRows, FlameGraphRows } from '../domain/flameGraphRows';
import { pprofArchive } from '../domain/pprofArchive';
import { FileSummary, summarizeFile, summarizePlan } from '../domain/summaries';
import { PlanInput, PlanResult, WireBatch } from './pipelineMessages';

/** What every long operation gets: a way to stop, and a way to let other work (and `cancel`) in. */
export interface OperationContext {
  signal: AbortSignal;
  /** Yields to the message queue once the current time slice is spent; cheap to call often. */
  pause: () => Promise<void>;
  onProgress?: (progress: number, stage: string) => void;
}

export class PipelineCancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'PipelineCancelledError';
  }
}

function throwIfCancelled(signal: AbortSignal) {
  if (signal.aborted) {
    throw new PipelineCancelledError();
  }
}

/** Chunks of a File held whole, where it cannot be streamed: small enough that one parses within a time slice. */
const CHUNK_BYTES = 256 * 1024;

/** Reads a Blob as a stream; environments without Blob.stream (jsdom) read it whole with FileReader and cut it. */
async function* chunksOf(blob: Blob): AsyncIterable<Uint8Array> {
  if (typeof blob.stream === 'function') {
    const reader = blob.stream().getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          return;
        }
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  const bytes = await new Promise<Uint8Array>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsArrayBuffer(blob);
  });
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    yield bytes.subarray(at, at + CHUNK_BYTES);
  }
}

/** The chunks, with a look at the message queue (and at `signal`) between them. */
async function* interruptible(chunks: AsyncIterable<Uint8Array>, context: OperationContext) {
  for await (const chunk of chunks) {
    await context.pause();
    throwIfCancelled(context.signal);
    yield chunk;
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/**
 * Owns the parsed files and does all the heavy work on them: parse, plan, flame graph rows, encode and batch for a
 * push, the zip of pprof files. It runs in the pipeline worker, or on the page where no worker can start; either
 * way the page only ever receives summaries, rows and request bodies.
 */
export class UploadPipeline {
  private readonly files = new Map<string, ParsedFile>();
  private lastPlan?: { key: string; plan: UploadPlan };

  async parse(
    fileId: string,
    file: Blob,
    fileName: string,
    options: { sliceSeconds: number; maxJsonBytes: number },
    context: OperationContext
  ): Promise<FileSummary> {
    const { signal, pause, onProgress } = context;
    const { sliceSeconds, maxJsonBytes } = options;
    onProgress?.(0, 'Reading');
    // The file is read as a stream, never whole: memory follows the thread model, not the text.
    const parsed = await parseSpeedscopeStream(fileName, interruptible(chunksOf(file), context), {
      maxJsonBytes,
      bytesTotal: file.size,
      onProgress: (p) =>
        onProgress?.(
          0.8 * (p.bytesRead / Math.max(1, file.size)),
          `Parsing (${mb(p.bytesRead)} of ${mb(file.size)} MB)`
        ),
    });
    throwIfCancelled(signal);
    // Slice time-unit threads ahead with the page's slice width, so the first plan is quick.
    const threads = parsed.profiles.flatMap((p) => (p.ok && p.kind === 'time' && hasPushableData(p) ? [p] : []));
    for (const [i, thread] of threads.entries()) {
      onProgress?.(0.7 + (0.3 * i) / threads.length, `Slicing threads (${i + 1} of ${threads.length})`);
      await pause();
      throwIfCancelled(signal);
      slicedThread(thread, 1, sliceSeconds * 1e9, DEFAULT_PROFILE_LIMITS);
    }
    // Each drop has its own key (the page removes the drop it replaces), so a plan pinned to an earlier drop can
    // never be made again from a later file's content.
    this.files.set(fileId, parsed);
    this.lastPlan = undefined;
    return summarizeFile(parsed);
  }

  remove(fileId: string): void {
    this.files.delete(fileId);
    this.lastPlan = undefined;
  }

  plan(input: PlanInput): PlanResult {
    try {
      return { plan: summarizePlan(this.planFor(input)), problems: [] };
    } catch (e) {
      return { problems: e instanceof PlanError ? e.problems : [errorText(e)] };
    }
  }

  flameGraph(fileId: string, profileIndex: number): FlameGraphRows | null {
    const profile = this.files.get(fileId)?.profiles[profileIndex];
    return profile?.ok ? flameGraphRows(profile) : null;
  }

  /** The push's request bodies in plan order; encoding is deterministic, so a retry sends the same profiles. */
  async *batches(input: PlanInput, only: Set<string> | undefined, context: OperationContext): AsyncIterable<WireBatch> {
    const plan = this.planFor(input);
    const utf8 = new TextDecoder();
    for await (const { body, profiles, costBytes } of batchProfiles(this.encoded(plan, only, context))) {
      yield { body: typeof body === 'string' ? body : utf8.decode(body), profiles, costBytes };
    }
  }

  async archive(input: PlanInput, context: OperationContext): Promise<Uint8Array> {
    const plan = this.planFor(input);
    const profiles: EncodedProfile[] = [];
    for await (const profile of this.encoded(plan, undefined, context)) {
      profiles.push(profile);
      context.onProgress?.(profiles.length / plan.profiles.length, 'Converting');
    }
    return pprofArchive(plan, profiles);
  }

  private async *encoded(
    plan: UploadPlan,
    only: Set<string> | undefined,
    { signal, pause }: OperationContext
  ): AsyncIterable<EncodedProfile> {
    // encodePlan only works as far as it is pulled: checking the signal here stops it (jsdom's AbortSignal has no
    // throwIfAborted, which encodePlan's own check needs).
    for await (const profile of encodePlan(plan, { only })) {
      throwIfCancelled(signal);
      yield profile;
      await pause();
    }
  }

  /** Plans once per input: the page asks for the same plan to show it, push it, retry it and zip it. */
  private planFor(input: PlanInput): UploadPlan {
    const key = JSON.stringify(input);
    if (this.lastPlan?.key !== key) {
      const files = input.fileIds.map((id) => {
        const file = this.files.get(id);
        if (!file) {
          throw new Error('A file of this upload is no longer loaded; drop it again.');
        }
        return file;
      });
      this.lastPlan = { key, plan: planUpload(files, input.options) };
    }
    return this.lastPlan.plan;
  }
}
