import { parseSpeedscopeSteps, ParseProgress } from '../../../core/speedscope/parseSpeedscope';
import { ParsedFile } from '../../../core/threads/threadModel';
import { errorText } from '../../../core/util/errorText';
import { createParseWorker } from './createParseWorker';
import { ParseRequest, ParseResponse } from './parseMessages';

export interface ParseHandle {
  result: Promise<ParsedFile>;
  cancel: () => void;
  /** Where the parse runs, for the page to say so. */
  where: 'worker' | 'main thread';
}

export class ParseCancelledError extends Error {
  constructor() {
    super('Parsing was cancelled.');
  }
}

/**
 * Parses a file off the main thread in a Web Worker; where no worker can start, parses on the main thread in
 * slices of about 30 ms, yielding in between so the page stays responsive.
 */
export function parseFileInBackground(
  fileName: string,
  bytes: ArrayBuffer,
  sliceSeconds: number,
  onProgress: (p: ParseProgress) => void
): ParseHandle {
  const worker = createParseWorker();
  if (!worker) {
    return parseOnMainThread(fileName, bytes, onProgress);
  }
  let rejectResult: (e: Error) => void = () => {};
  const result = new Promise<ParsedFile>((resolve, reject) => {
    rejectResult = reject;
    worker.onmessage = (event: MessageEvent<ParseResponse>) => {
      const message = event.data;
      if (message.kind === 'progress') {
        onProgress(message.progress);
      } else {
        worker.terminate();
        message.kind === 'done' ? resolve(message.file) : reject(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`${fileName}: the parser stopped: ${event.message || 'the worker script could not load'}`));
    };
  });
  const request: ParseRequest = { fileName, bytes, sliceSeconds };
  worker.postMessage(request, [bytes]);
  return {
    result,
    where: 'worker',
    cancel: () => {
      worker.terminate();
      rejectResult(new ParseCancelledError());
    },
  };
}

const SLICE_MS = 30;

function parseOnMainThread(fileName: string, bytes: ArrayBuffer, onProgress: (p: ParseProgress) => void): ParseHandle {
  let cancelled = false;
  const result = (async () => {
    const steps = parseSpeedscopeSteps(fileName, new Uint8Array(bytes));
    let sliceStart = Date.now();
    for (;;) {
      if (cancelled) {
        throw new ParseCancelledError();
      }
      let step;
      try {
        step = steps.next();
      } catch (e) {
        throw new Error(errorText(e));
      }
      if (step.done) {
        return step.value;
      }
      if (Date.now() - sliceStart > SLICE_MS) {
        onProgress(step.value);
        await new Promise((resolve) => setTimeout(resolve, 0));
        sliceStart = Date.now();
      }
    }
  })();
  return { result, where: 'main thread', cancel: () => (cancelled = true) };
}
