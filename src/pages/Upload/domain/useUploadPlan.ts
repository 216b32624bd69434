import { startTransition, useEffect, useState } from 'react';
import { errorText } from '../../../core/util/errorText';
import { PipelineCancelledError, PipelineClient } from '../infrastructure/pipelineClient';
import { PlanInput, PlanResult } from '../pipeline/pipelineMessages';

export interface PlanState extends PlanResult {
  /** The input the shown plan was made from: what a push sends. */
  input?: PlanInput;
  /** A newer plan is being made. */
  planning: boolean;
}

/** The value after it stopped changing for `ms`: large uploads take a moment to plan. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Plans the upload in the pipeline from the parsed files and the user's choices; only the latest answer counts. */
export function useUploadPlan(pipeline: PipelineClient | undefined, input: PlanInput | undefined): PlanState {
  const settled = useDebounced(input, 150);
  const [answer, setAnswer] = useState<{ input: PlanInput; result: PlanResult }>();
  useEffect(() => {
    if (!pipeline || !settled || settled.fileIds.length === 0) {
      return;
    }
    const operation = pipeline.plan(settled);
    let current = true;
    // A transition: the new plan re-renders the thread table and the summary, which React then does in slices.
    const show = (result: PlanResult) => current && startTransition(() => setAnswer({ input: settled, result }));
    operation.result.then(show, (e) => !(e instanceof PipelineCancelledError) && show({ problems: [errorText(e)] }));
    return () => {
      current = false;
      operation.cancel();
    };
  }, [pipeline, settled]);
  if (!input || input.fileIds.length === 0) {
    return { problems: [], planning: false };
  }
  // The last plan stays on screen while a newer one is made.
  return answer
    ? { ...answer.result, input: answer.input, planning: answer.input !== input }
    : { problems: [], planning: true };
}
