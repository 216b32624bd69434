import { Frame, ParsedFile, ParsedFileHead, ParsedProfile, ThreadProfile } from '../../src/core/threads/threadModel';

export interface WorkerInput {
  path: string;
  fileName: string;
}

/** A thread posted while the file was read: in the final file, only its index and its final start. */
export interface SentThread {
  sentThread: number;
  startOffset: number;
}

export type FromParseWorker =
  | {
      kind: 'thread';
      thread: Omit<ThreadProfile, 'frames'>;
      head: Omit<ParsedFileHead, 'frames'>;
      /** The file's frame table, with its first thread only. */
      frames?: Frame[];
    }
  | {
      kind: 'done';
      file: Omit<ParsedFile, 'profiles' | 'frames'> & { profiles: Array<ParsedProfile | SentThread>; frames?: Frame[] };
    }
  | { kind: 'error'; name: string; message: string; detail?: string };
