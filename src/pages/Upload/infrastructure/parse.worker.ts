/// <reference lib="webworker" />
import { parseSpeedscopeSteps } from '../../../core/speedscope/parseSpeedscope';
import { errorText } from '../../../core/util/errorText';
import { ParseRequest, ParseResponse, transferablesOf } from './parseMessages';

// One worker per file. Everything it needs is bundled into this chunk: no shared modules exist inside a worker.
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<ParseRequest>) => {
  const { fileName, bytes } = event.data;
  const post = (message: ParseResponse, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  try {
    const steps = parseSpeedscopeSteps(fileName, new Uint8Array(bytes));
    let lastPost = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) {
        post({ kind: 'done', file: step.value }, transferablesOf(step.value));
        return;
      }
      const now = Date.now();
      if (now - lastPost > 100 || step.value.stage !== 'build') {
        post({ kind: 'progress', progress: step.value });
        lastPost = now;
      }
    }
  } catch (e) {
    post({ kind: 'failed', message: errorText(e) });
  }
};
