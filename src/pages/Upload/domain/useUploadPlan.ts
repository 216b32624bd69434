import { useEffect, useMemo, useState } from 'react';
import { PlanError, planUpload, UploadPlan } from '../../../core/plan/planUpload';
import { UploadOptions } from '../../../core/plan/uploadOptions';
import { errorText } from '../../../core/util/errorText';
import { ParsedFile } from '../../../core/threads/threadModel';

export interface PlanResult {
  plan?: UploadPlan;
  problems: string[];
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

/** Plans the upload from the parsed files and the user's choices; option problems are listed, not thrown. */
export function useUploadPlan(files: ParsedFile[], options: UploadOptions | undefined): PlanResult {
  const settled = useDebounced(options, 150);
  return useMemo(() => {
    if (!settled || files.length === 0) {
      return { problems: [] };
    }
    try {
      return { plan: planUpload(files, settled), problems: [] };
    } catch (e) {
      return { problems: e instanceof PlanError ? e.problems : [errorText(e)] };
    }
  }, [files, settled]);
}
