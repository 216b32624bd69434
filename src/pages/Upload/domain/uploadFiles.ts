import { FileSummary } from './summaries';

export type UploadFileStatus = 'parsing' | 'parsed' | 'error';

export interface UploadFile {
  /** Stable across re-renders; a file dropped again with the same name replaces this one. */
  id: string;
  name: string;
  size: number;
  status: UploadFileStatus;
  /** 0..1 while parsing. */
  progress: number;
  stage?: string;
  parsedIn?: 'worker' | 'main thread';
  /** Stats of the file and its threads; the threads themselves stay in the pipeline. */
  parsed?: FileSummary;
  error?: string;
}

export function sizeLimitError(name: string, size: number, maxFileSizeMb: number): string | undefined {
  const limit = maxFileSizeMb * 1024 * 1024;
  if (size <= limit) {
    return undefined;
  }
  return `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit set in the app settings is ${maxFileSizeMb} MB.`;
}
