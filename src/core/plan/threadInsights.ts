import {
  onCpuNodeMask,
  Producer,
  producerOfFile,
  suggestProfileType,
  threadIdentity,
  ThreadInsight,
} from '../speedscope/producers';
import { ParsedFile, ThreadProfile } from '../threads/threadModel';
import { threadKey } from '../threads/threadRef';
import { LabelPair } from './labels';
import { allowedProfileTypes, ProfileTypeChoice } from './profileTypes';

/** What the page shows for a thread before planning: its clean name, derived labels and suggested profile type. */
export interface ThreadInsightSummary {
  threadKey: string;
  producer: Producer;
  /** The default thread label value (the name without the producer's decoration). */
  threadName: string;
  /** The default `ThreadChoice.labels`: `thread_id` and `pid` where the file says them. */
  labels: LabelPair[];
  profileType: ProfileTypeChoice;
  /** Why that type, in plain words. */
  profileTypeReason: string;
  /** The types the thread's unit can honestly become. */
  allowedProfileTypes: ProfileTypeChoice[];
  /** Present when the thread can also be pushed as a CPU series (`ThreadChoice.alsoCpu`); totals in the base unit. */
  cpuPart?: { leafFrames: string[]; cpuTotal: number; otherTotal: number };
}

const insights = new WeakMap<
  ThreadProfile,
  { producer: Producer; sampleRateHz: number | undefined; insight: ThreadInsight }
>();
const cpuMasks = new WeakMap<ThreadProfile, Uint8Array>();

/**
 * A thread's identity and suggested profile type, kept per thread: they read the whole stack tree, and the planner
 * runs again on every edit.
 */
export function insightOf(producer: Producer, thread: ThreadProfile, sampleRateHz?: number): ThreadInsight {
  const cached = insights.get(thread);
  // The producer is part of the key: a thread planned while its file was read may have met its exporter only later.
  if (cached && cached.producer === producer && cached.sampleRateHz === sampleRateHz) {
    return cached.insight;
  }
  const insight: ThreadInsight = {
    ...threadIdentity(producer, thread.name, thread),
    profileType: suggestProfileType(producer, thread, sampleRateHz),
  };
  insights.set(thread, { producer, sampleRateHz, insight });
  return insight;
}

/** The nodes of the thread's CPU part (under `CPU_TIME`), kept per thread like its slicing. */
export function cpuMaskOf(thread: ThreadProfile): Uint8Array {
  let mask = cpuMasks.get(thread);
  if (!mask) {
    mask = onCpuNodeMask(thread);
    cpuMasks.set(thread, mask);
  }
  return mask;
}

/** Per readable thread of every file, in upload order: what the worker sends the page with the thread summaries. */
export function threadInsights(files: ParsedFile[], sampleRateHz?: number): ThreadInsightSummary[] {
  const result: ThreadInsightSummary[] = [];
  files.forEach((file, fileIndex) => {
    const producer = producerOfFile(file);
    for (const profile of file.profiles) {
      if (!profile.ok) {
        continue;
      }
      const insight = insightOf(producer, profile, sampleRateHz);
      const summary: ThreadInsightSummary = {
        threadKey: threadKey(fileIndex, profile.index),
        producer,
        threadName: insight.threadName,
        labels: insight.labels.map((l) => ({ name: l.name, value: l.value })),
        profileType: insight.profileType.type,
        profileTypeReason: insight.profileType.reason,
        allowedProfileTypes: allowedProfileTypes(profile.kind, sampleRateHz),
      };
      if (insight.profileType.cpuPart) {
        summary.cpuPart = { ...insight.profileType.cpuPart, leafFrames: [...insight.profileType.cpuPart.leafFrames] };
      }
      result.push(summary);
    }
  });
  return result;
}
