import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Frame, ParsedFile, ParsedFileHead, ParsedProfile, ThreadProfile } from '../../src/core/threads/threadModel';
import { FromParseWorker, WorkerInput } from './messages';

/**
 * Parses a file on a worker thread, so the CLI's thread can plan and encode each thread (`onThread`) while the rest of
 * the file is still being read: with the parse on one core and zlib on the other threads, a conversion takes little
 * more than the parse. Threads arrive with their typed arrays transferred, all sharing one frame table, as
 * `parseSpeedscopeStream` would return them; errors keep their `detail` (the message without the file name).
 */
export function parseInWorker(
  path: string,
  fileName: string,
  onThread?: (thread: ThreadProfile, file: ParsedFileHead) => void
): Promise<ParsedFile> {
  return new Promise((resolve, reject) => {
    const input: WorkerInput = { path, fileName };
    // Without the parent's flags: tsx's ESM loader (`--import tsx`) would start a loader thread of its own in the
    // worker, a few hundred milliseconds; worker.cjs registers tsx's CommonJS hook instead.
    const worker = new Worker(join(__dirname, 'worker.cjs'), { workerData: input, execArgv: [] });
    const threads = new Map<number, ThreadProfile>();
    let frames: Frame[] | undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (!settled) {
        settled = true;
        outcome();
      }
    };
    worker.on('message', (message: FromParseWorker) => {
      if (message.kind === 'thread') {
        frames ??= message.frames ?? [];
        const thread: ThreadProfile = { ...message.thread, frames };
        threads.set(thread.index, thread);
        try {
          onThread?.(thread, { ...message.head, frames });
        } catch (e) {
          settle(() => reject(e));
          void worker.terminate();
        }
      } else if (message.kind === 'done') {
        const fileFrames = frames ?? message.file.frames ?? [];
        const profiles = message.file.profiles.map((profile): ParsedProfile => {
          if ('sentThread' in profile) {
            const thread = threads.get(profile.sentThread)!;
            thread.startOffset = profile.startOffset;
            return thread;
          }
          return profile.ok ? { ...profile, frames: fileFrames } : profile;
        });
        settle(() => resolve({ ...message.file, frames: fileFrames, profiles }));
      } else {
        const error = Object.assign(new Error(message.message), { detail: message.detail });
        error.name = message.name;
        settle(() => reject(error));
      }
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the parse worker stopped (exit code ${code})`))));
  });
}
