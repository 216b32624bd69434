/// <reference lib="webworker" />
import { presliceTimeThreads } from '../../../core/plan/sliceThread';
import { DEFAULT_PROFILE_LIMITS } from '../../../core/plan/uploadOptions';
import { parseSpeedscopeSteps } from '../../../core/speedscope/parseSpeedscope';
import { errorText } from '../../../core/util/errorText';
import { ParseRequest, ParseResponse, transferablesOf } from './parseMessages';

// One worker per file. Everything it needs is bundled into this chunk: no shared modules exist inside a worker.
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<ParseRequest>) => {
  const { fileName, bytes, sliceSeconds } = event.data;
  const post = (message: ParseResponse, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  try {
    const steps = parseSpeedscopeSteps(fileName, new Uint8Array(bytes));
    let lastPost = 0;
    for (;;) {
      const step = steps.next();
      if (step.done) {
        const threads = step.value.profiles.flatMap((p) => (p.ok ? [p] : []));
        presliceTimeThreads(threads, sliceSeconds, DEFAULT_PROFILE_LIMITS);
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
