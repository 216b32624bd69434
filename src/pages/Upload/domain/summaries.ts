import { UploadPlan } from '../../../core/plan/planUpload';
import { allowedProfileTypes } from '../../../core/plan/profileTypes';
import { insightOf, ThreadInsightSummary } from '../../../core/plan/threadInsights';
import { Producer, producerOfFile } from '../../../core/speedscope/producers';
import { BrokenProfile, hasPushableData, ParsedFile, ThreadProfile } from '../../../core/threads/threadModel';

/**
 * What the page keeps of a parsed thread: its stats and identity, never its stacks. The stack tree, the samples and
 * the frame table stay in the pipeline (the worker), which answers flame graphs, plans and pushes from them.
 */
export type ThreadSummary = Omit<ThreadProfile, 'tree' | 'samples' | 'frames' | 'presliced'> & {
  /** Whether the thread has anything Pyroscope would store (see `hasPushableData`). */
  pushable: boolean;
  /**
   * What the planner derives from the producer's conventions (clean name, `thread_id`/`pid`, suggested type and why,
   * the CPU part under dotnet-trace's `CPU_TIME` leaves), read here in the worker where the stack tree is. Without a
   * sampling rate: the plan has the final type and reason once one is given.
   */
  insight: Omit<ThreadInsightSummary, 'threadKey'>;
};

export type ProfileSummary = ThreadSummary | BrokenProfile;

export type FileSummary = Omit<ParsedFile, 'frames' | 'profiles'> & {
  profiles: ProfileSummary[];
  frameCount: number;
};

/** The plan without its profiles (which hold stacks): what "What will be written" and the push report need. */
export type PlanSummary = Omit<UploadPlan, 'profiles'> & { profileCount: number };

export function summarizeThread(thread: ThreadProfile, producer: Producer): ThreadSummary {
  const { tree, samples, frames, presliced, ...rest } = thread;
  const { threadName, labels, profileType } = insightOf(producer, thread);
  const insight: ThreadSummary['insight'] = {
    producer,
    threadName,
    labels: labels.map(({ name, value }) => ({ name, value })),
    profileType: profileType.type,
    profileTypeReason: profileType.reason,
    allowedProfileTypes: allowedProfileTypes(thread.kind),
  };
  if (profileType.cpuPart) {
    insight.cpuPart = { ...profileType.cpuPart, leafFrames: [...profileType.cpuPart.leafFrames] };
  }
  return { ...rest, pushable: hasPushableData(thread), insight };
}

export function summarizeFile(file: ParsedFile): FileSummary {
  const { frames, profiles, ...rest } = file;
  const producer = producerOfFile(file);
  return {
    ...rest,
    frameCount: frames.length,
    profiles: profiles.map((p) => (p.ok ? summarizeThread(p, producer) : p)),
  };
}

export function summarizePlan(plan: UploadPlan): PlanSummary {
  const { profiles, ...rest } = plan;
  return { ...rest, profileCount: profiles.length };
}
