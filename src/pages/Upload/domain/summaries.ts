import { UploadPlan } from '../../../core/plan/planUpload';
import { BrokenProfile, hasPushableData, ParsedFile, ThreadProfile } from '../../../core/threads/threadModel';

/**
 * What the page keeps of a parsed thread: its stats and identity, never its stacks. The stack tree, the samples and
 * the frame table stay in the pipeline (the worker), which answers flame graphs, plans and pushes from them.
 */
export type ThreadSummary = Omit<ThreadProfile, 'tree' | 'samples' | 'frames' | 'presliced'> & {
  /** Whether the thread has anything Pyroscope would store (see `hasPushableData`). */
  pushable: boolean;
};

export type ProfileSummary = ThreadSummary | BrokenProfile;

export type FileSummary = Omit<ParsedFile, 'frames' | 'profiles'> & {
  profiles: ProfileSummary[];
  frameCount: number;
};

/** The plan without its profiles (which hold stacks): what "What will be written" and the push report need. */
export type PlanSummary = Omit<UploadPlan, 'profiles'> & { profileCount: number };

export function summarizeThread(thread: ThreadProfile): ThreadSummary {
  const { tree, samples, frames, presliced, ...rest } = thread;
  return { ...rest, pushable: hasPushableData(thread) };
}

export function summarizeFile(file: ParsedFile): FileSummary {
  const { frames, profiles, ...rest } = file;
  return {
    ...rest,
    frameCount: frames.length,
    profiles: profiles.map((p) => (p.ok ? summarizeThread(p) : p)),
  };
}

export function summarizePlan(plan: UploadPlan): PlanSummary {
  const { profiles, ...rest } = plan;
  return { ...rest, profileCount: profiles.length };
}
