import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { errorText } from '../src/core/util/errorText';
import { parseSpeedscope } from '../src/core/speedscope/parseSpeedscope';
import { SpeedscopeFileError } from '../src/core/speedscope/issues';
import { ParsedFile } from '../src/core/threads/threadModel';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

export interface LoadedFiles {
  files: ParsedFile[];
  /** Files that could not be read at all, as messages. */
  failures: string[];
}

/** Reads and parses each file; a file that fails is reported and the others go on. */
export async function loadFiles(paths: string[]): Promise<LoadedFiles> {
  const files: ParsedFile[] = [];
  const failures: string[] = [];
  for (const path of paths) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      failures.push(`${path}: cannot read: ${errorText(e)}`);
      continue;
    }
    try {
      files.push(parseSpeedscope(basename(path), bytes));
    } catch (e) {
      if (!(e instanceof SpeedscopeFileError)) {
        throw e;
      }
      failures.push(e.message);
    }
  }
  return { files, failures };
}
