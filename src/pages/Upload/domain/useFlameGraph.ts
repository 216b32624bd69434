import { useEffect, useState } from 'react';
import { PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { FlameGraphRows } from './flameGraphRows';
import { ThreadSummary } from './summaries';

/**
 * Runs `work` once the page is idle (or after `timeoutMs` at the latest); returns its cancel. Where there is no
 * requestIdleCallback (jsdom, older Safari), on the next task.
 */
function whenIdle(work: () => void, timeoutMs = 1000): () => void {
  if (typeof window !== 'undefined' && typeof window.requestIdleCallback === 'function') {
    const handle = window.requestIdleCallback(work, { timeout: timeoutMs });
    return () => window.cancelIdleCallback(handle);
  }
  const timer = setTimeout(work, 0);
  return () => clearTimeout(timer);
}

/**
 * The rows of one thread's flame graph, fetched from the pipeline when the shown thread changes (a file dropped
 * again gives new thread summaries, so its graph is fetched again too). The fetch waits until the page is idle: the
 * flame graph's first render is the page's longest task (@grafana/flamegraph builds its levels and top table in one
 * go), so it must not add to the task that shows the thread table, nor run before that has been painted.
 */
export function useFlameGraph(
  pipeline: PipelineClient | undefined,
  fileId: string | undefined,
  thread: ThreadSummary | undefined
): FlameGraphRows | undefined {
  const [shown, setShown] = useState<{ thread: ThreadSummary; rows?: FlameGraphRows }>();
  useEffect(() => {
    if (!pipeline || fileId === undefined || !thread) {
      return;
    }
    let current = true;
    let operation: ReturnType<PipelineClient['flameGraph']> | undefined;
    const cancelWait = whenIdle(() => {
      operation = pipeline.flameGraph(fileId, thread.index);
      operation.result.then(
        (rows) => current && setShown({ thread, rows: rows ?? undefined }),
        // Removed meanwhile, or cancelled: nothing to show.
        (e) => current && !(e instanceof PipelineCancelledError) && setShown({ thread })
      );
    });
    return () => {
      current = false;
      cancelWait();
      operation?.cancel();
    };
  }, [pipeline, fileId, thread]);
  // Rows of another thread are never shown for this one.
  return shown?.thread === thread ? shown?.rows : undefined;
}
