import { FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorText } from '../src/core/util/errorText';
import { ParsedFile, ParsedFileHead, ThreadProfile } from '../src/core/threads/threadModel';
import { printable } from './format';
import { parseInWorker } from './parse/parseInWorker';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

/** One input file: parsed, or why not. Every path given appears once, in order. */
export interface FileOutcome {
  path: string;
  file?: ParsedFile;
  error?: string;
}

export interface LoadedFiles {
  outcomes: FileOutcome[];
  /** The files that parsed, in input order (their index is the file index of thread keys). */
  files: ParsedFile[];
}

/** Messages quote at most this much of what a failure said (a file's content can end up in a parser's message). */
const MAX_MESSAGE_CHARS = 300;

/**
 * Reads and parses each file as a stream (gzip or not: the parser tells by the magic bytes), on a worker thread
 * (`parseInWorker`), so memory follows the thread model and not the file; a file that fails, for whatever reason, is
 * reported and the others go on.
 */
export async function loadFiles(
  paths: string[],
  /** Each thread as soon as it is read, with the index its file will have in `files` if it parses. */
  onThread?: (fileIndex: number, file: ParsedFileHead, thread: ThreadProfile) => void
): Promise<LoadedFiles> {
  const outcomes: FileOutcome[] = [];
  let parsedFiles = 0;
  for (const path of paths) {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      outcomes.push({ path, error: `cannot read: ${errorText(e)}` });
      continue;
    }
    try {
      const fileIndex = parsedFiles;
      const file = await parseInWorker(
        path,
        basename(path),
        onThread && ((thread, head) => onThread(fileIndex, head, thread))
      );
      outcomes.push({ path, file });
      parsedFiles++;
    } catch (e) {
      // A file-level parse error carries the file name already; the table and the line name the path.
      const detail = (e as { detail?: unknown }).detail;
      const message = typeof detail === 'string' ? detail : errorText(e);
      outcomes.push({
        path,
        error: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message,
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  return { outcomes, files: outcomes.flatMap((o) => (o.file ? [o.file] : [])) };
}

/** One line on stderr per file that could not be used. */
export function reportFileErrors(loaded: LoadedFiles, io: CliIo): void {
  for (const outcome of loaded.outcomes) {
    if (outcome.error) {
      io.err(printable(`error: ${outcome.path}: ${outcome.error}`) + '\n');
    }
  }
}
