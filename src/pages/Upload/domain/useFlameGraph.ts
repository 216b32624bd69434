import { useEffect, useState } from 'react';
import { PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { FlameGraphRows } from './flameGraphRows';
import { ThreadSummary } from './summaries';

/**
 * The rows of one thread's flame graph, fetched from the pipeline when the shown thread changes (a file dropped
 * again gives new thread summaries, so its graph is fetched again too).
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
    const operation = pipeline.flameGraph(fileId, thread.index);
    let current = true;
    operation.result.then(
      (rows) => current && setShown({ thread, rows: rows ?? undefined }),
      // Removed meanwhile, or cancelled: nothing to show.
      (e) => current && !(e instanceof PipelineCancelledError) && setShown({ thread })
    );
    return () => {
      current = false;
      operation.cancel();
    };
  }, [pipeline, fileId, thread]);
  // Rows of another thread are never shown for this one.
  return shown?.thread === thread ? shown?.rows : undefined;
}
