import { NO_DATA_REASON, UploadPlan } from '../src/core/plan/planUpload';
import { threadKey } from '../src/core/threads/threadRef';
import { table } from './format';
import { LoadedFiles } from './io';

/** Exit codes of `convert` and `push`, documented in the README's Command-line section. */
export const EXIT = {
  /** Every file read, every thread converted (or pushed and confirmed stored). */
  ok: 0,
  /** Nothing was converted or stored. */
  nothing: 1,
  usage: 2,
  /** Some of it: a file or thread could not be read, converted or pushed, or may not be stored. */
  partial: 3,
} as const;

/** What happened to one thread, for the table. */
export interface ThreadLine {
  status: string;
  profiles: string;
  detail: string;
}

/** Threads with nothing to push are not failures; every other skip reason is an error of the thread. */
export function isFailedSkip(reason: string): boolean {
  return reason !== 'excluded' && reason !== NO_DATA_REASON;
}

/**
 * One row per input: a file that could not be read or parsed gets a row of its own, and every thread of every
 * file that was read gets one, in input order.
 */
export function outcomeTable(loaded: LoadedFiles, lineOf: (key: string) => ThreadLine | undefined): string {
  const rows: string[][] = [];
  let fileIndex = 0;
  for (const outcome of loaded.outcomes) {
    if (!outcome.file) {
      rows.push([outcome.path, '', '', 'unreadable', '', outcome.error ?? '']);
      continue;
    }
    for (const profile of outcome.file.profiles) {
      const line = lineOf(threadKey(fileIndex, profile.index)) ?? { status: 'not planned', profiles: '', detail: '' };
      rows.push([outcome.file.fileName, String(profile.index), profile.name, line.status, line.profiles, line.detail]);
    }
    fileIndex++;
  }
  return table(['file', '#', 'thread', 'status', 'profiles', 'detail'], rows);
}

/** Files that failed and threads skipped for an error. */
export function inputFailures(loaded: LoadedFiles, plan: UploadPlan | undefined): number {
  const files = loaded.outcomes.filter((o) => o.error !== undefined).length;
  return files + (plan?.skipped.filter((s) => isFailedSkip(s.reason)).length ?? 0);
}
