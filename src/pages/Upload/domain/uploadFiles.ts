import { ParseProgress } from '../../../core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../../core/threads/threadModel';

export type UploadFileStatus = 'reading' | 'parsing' | 'parsed' | 'error';

export interface UploadFile {
  /** Stable across re-renders; a file dropped again with the same name replaces this one. */
  id: string;
  name: string;
  size: number;
  status: UploadFileStatus;
  /** 0..1 while reading or parsing. */
  progress: number;
  stage?: string;
  parsedIn?: 'worker' | 'main thread';
  parsed?: ParsedFile;
  error?: string;
}

const STAGE_LABEL: Record<ParseProgress['stage'], string> = {
  decode: 'Decompressing and decoding',
  'parse-json': 'Parsing JSON',
  build: 'Building threads',
};

export function progressOf(p: ParseProgress): { progress: number; stage: string } {
  if (p.stage !== 'build') {
    return { progress: p.stage === 'decode' ? 0.05 : 0.15, stage: STAGE_LABEL[p.stage] };
  }
  const fraction = p.profilesTotal > 0 ? (p.profilesDone + p.profileFraction) / p.profilesTotal : 1;
  return {
    progress: 0.3 + 0.7 * fraction,
    stage: `${STAGE_LABEL.build} (${p.profilesDone + 1} of ${p.profilesTotal})`,
  };
}

export function sizeLimitError(name: string, size: number, maxFileSizeMb: number): string | undefined {
  const limit = maxFileSizeMb * 1024 * 1024;
  if (size <= limit) {
    return undefined;
  }
  return `${name} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit set in the app settings is ${maxFileSizeMb} MB.`;
}

/** Reads a File's bytes; older environments lack Blob.arrayBuffer but have FileReader. */
export function readFileBytes(file: Blob): Promise<ArrayBuffer> {
  if (typeof file.arrayBuffer === 'function') {
    return file.arrayBuffer();
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsArrayBuffer(file);
  });
}
