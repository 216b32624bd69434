import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseSpeedscopeStream } from '../../src/core/speedscope/parseSpeedscope';
import { ParsedProfile, ThreadProfile } from '../../src/core/threads/threadModel';
import { FromParseWorker, SentThread, WorkerInput } from './messages';

/**
 * Worker side of `parseInWorker`: parses one file from disk and posts each thread as soon as it is read, its typed
 * arrays transferred (not copied), the frame table with the first one only; then the rest of the file.
 */
async function run(port: NonNullable<typeof parentPort>, { path, fileName }: WorkerInput): Promise<void> {
  const post = (message: FromParseWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  const sent = new Map<ThreadProfile, number>();
  let framesSent = false;
  try {
    const file = await parseSpeedscopeStream(fileName, createReadStream(path, { highWaterMark: 1 << 20 }), {
      onThread: (thread, head) => {
        const { frames, ...rest } = thread;
        const { tree, samples } = thread;
        const buffers = [tree.parent, tree.frame, tree.depth, tree.self, samples.node, samples.value, samples.offset];
        post(
          {
            kind: 'thread',
            thread: rest,
            head: { fileName: head.fileName, exporter: head.exporter, name: head.name },
            frames: framesSent ? undefined : frames,
          },
          [...new Set(buffers.map((array) => array.buffer as ArrayBuffer))]
        );
        framesSent = true;
        sent.set(thread, thread.index);
      },
    });
    const profiles = file.profiles.map((profile): ParsedProfile | SentThread => {
      const index = profile.ok ? sent.get(profile) : undefined;
      return index === undefined
        ? withoutFrames(profile)
        : { sentThread: index, startOffset: (profile as ThreadProfile).startOffset };
    });
    post({ kind: 'done', file: { ...file, profiles, frames: framesSent ? undefined : file.frames } });
  } catch (e) {
    const error = e as { name?: unknown; message?: unknown; detail?: unknown };
    post({
      kind: 'error',
      name: String(error.name ?? 'Error'),
      message: String(error.message ?? e),
      detail: typeof error.detail === 'string' ? error.detail : undefined,
    });
  }
}

/** The frame table travels once per file; the main side links every thread to it again. */
function withoutFrames(profile: ParsedProfile): ParsedProfile {
  if (!profile.ok) {
    return profile;
  }
  const { frames, ...rest } = profile;
  void frames;
  return rest as ThreadProfile;
}

if (parentPort) {
  void run(parentPort, workerData as WorkerInput);
}
