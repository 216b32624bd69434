import { startTransition, useEffect, useMemo, useState } from 'react';
import { PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { firstRows, FlameGraphRows } from './flameGraphRows';
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
 * again gives new thread summaries, so its graph is fetched again too). The fetch waits until the page is idle, so
 * it never adds to the task that shows the thread table. The graph is then drawn in two steps, each a transition
 * (React renders it in slices and yields to the user): first only its widest nodes, which mounts @grafana/flamegraph
 * in a short task, then, once the page is idle again, every drawn row, as an update of the mounted graph.
 */
export function useFlameGraph(
  pipeline: PipelineClient | undefined,
  fileId: string | undefined,
  thread: ThreadSummary | undefined
): FlameGraphRows | undefined {
  const [shown, setShown] = useState<{ thread: ThreadSummary; rows?: FlameGraphRows; whole: boolean }>();
  useEffect(() => {
    if (!pipeline || fileId === undefined || !thread) {
      return;
    }
    let current = true;
    let operation: ReturnType<PipelineClient['flameGraph']> | undefined;
    const show = (rows?: FlameGraphRows) => current && startTransition(() => setShown({ thread, rows, whole: false }));
    const cancelWait = whenIdle(() => {
      operation = pipeline.flameGraph(fileId, thread.index);
      operation.result.then(
        (rows) => show(rows ?? undefined),
        // Removed meanwhile, or cancelled: nothing to show.
        (e) => !(e instanceof PipelineCancelledError) && show()
      );
    });
    return () => {
      current = false;
      cancelWait();
      operation?.cancel();
    };
  }, [pipeline, fileId, thread]);

  useEffect(() => {
    if (!shown || shown.whole) {
      return;
    }
    return whenIdle(() => startTransition(() => setShown((now) => (now === shown ? { ...shown, whole: true } : now))));
  }, [shown]);

  const rows = shown?.rows;
  const first = useMemo(() => rows && firstRows(rows), [rows]);
  // Rows of another thread are never shown for this one.
  if (!shown || shown.thread !== thread) {
    return undefined;
  }
  return shown.whole ? rows : first;
}
