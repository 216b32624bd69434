import { LabelPair } from '../../../core/plan/labels';
import { NO_DATA_REASON } from '../../../core/plan/planUpload';
import { allowedProfileTypes, ProfileTypeChoice } from '../../../core/plan/profileTypes';
import { baseThreadLabelValue } from '../../../core/plan/threadLabelValues';
import { FileSummary, PlanSummary, ThreadSummary } from './summaries';
import { UploadFile } from './uploadFiles';

/** What the user changed for one thread; anything left undefined follows the file (and the planner's suggestion). */
export interface ThreadChoiceUi {
  include?: boolean;
  labelValue?: string;
  /** The thread's own labels besides the thread label (by default `thread_id`, `pid` from the file); `[]` removes them. */
  labels?: LabelPair[];
  profileType?: ProfileTypeChoice;
  /** Also push the thread's CPU part (dotnet-trace's `CPU_TIME` stacks) as a CPU series. */
  alsoCpu?: boolean;
}

/** A CPU series planned besides a thread's own series (`ThreadChoice.alsoCpu`). */
export interface CpuSeriesRow {
  profileTypeReason: string;
  total: number;
  profileCount: number;
}

export interface ThreadRow {
  /** Stable in the UI: file id and profile index. */
  uiKey: string;
  fileId: string;
  /** The planner's key: position among parsed files and profile index. */
  planKey: string;
  fileName: string;
  index: number;
  /** The profile's name as written in the file. */
  name: string;
  type: string;
  unit: string;
  thread?: ThreadSummary;
  error?: string;
  /** Why the row cannot be included, when it cannot. */
  notSelectable?: string;
  /** What the user changed; `uploadOptionsFrom` turns it into the planner's `ThreadChoice`. */
  choice: ThreadChoiceUi;
  included: boolean;
  /** The thread label value: the user's, else the clean name derived from the file, as the planner wrote it once planned. */
  labelValue: string;
  /** The clean name derived from the file: what the label value returns to when the user clears their edit. */
  derivedLabelValue: string;
  labelEdited: boolean;
  /** The planner gave this thread a suffix because another thread wanted the same label value in the same series. */
  duplicate: boolean;
  /** The value the plan writes (with its suffix, when `duplicate`). */
  plannedLabelValue?: string;
  /** The thread's own labels (the user's, else `thread_id`/`pid` derived from the file). */
  labels: LabelPair[];
  labelsEdited: boolean;
  /** The type the thread is pushed as (planned, else suggested), why, and which types its unit allows. */
  profileType?: ProfileTypeChoice;
  profileTypeReason?: string;
  allowedProfileTypes: ProfileTypeChoice[];
  /** Its service, once planned. */
  serviceName?: string;
  /** The planned CPU series of this thread, when the user asked for it and the planner made it. */
  cpuSeries?: CpuSeriesRow;
}

/** The parsed files in upload order: the planner's file indices (thread keys `fileIndex:profileIndex`) follow it. */
export function parsedFilesOf(files: UploadFile[]): Array<{ id: string; parsed: FileSummary }> {
  return files.flatMap((f) => (f.parsed ? [{ id: f.id, parsed: f.parsed }] : []));
}

export const uiKeyOf = (fileId: string, index: number) => `${fileId}#${index}`;

/** One row per profile of every parsed file, with what the user chose and what the file says by itself. */
export function buildThreadRows(files: UploadFile[], choices: Record<string, ThreadChoiceUi>): ThreadRow[] {
  return parsedFilesOf(files).flatMap(({ id, parsed }, fileIndex) =>
    parsed.profiles.map((profile): ThreadRow => {
      const uiKey = uiKeyOf(id, profile.index);
      const choice = choices[uiKey] ?? {};
      const base = {
        uiKey,
        fileId: id,
        planKey: `${fileIndex}:${profile.index}`,
        fileName: parsed.fileName,
        index: profile.index,
        name: profile.name,
        type: profile.type,
        unit: profile.unit,
        choice,
        duplicate: false,
      };
      if (!profile.ok) {
        const error = `${profile.error.field}: ${profile.error.message}`;
        return {
          ...base,
          error,
          notSelectable: error,
          included: false,
          labelValue: '',
          derivedLabelValue: '',
          labelEdited: false,
          labels: [],
          labelsEdited: false,
          allowedProfileTypes: [],
        };
      }
      const { insight } = profile;
      const notSelectable = profile.pushable
        ? undefined
        : `${NO_DATA_REASON[0].toUpperCase()}${NO_DATA_REASON.slice(1)}.`;
      return {
        ...base,
        thread: profile,
        notSelectable,
        included: notSelectable ? false : (choice.include ?? true),
        labelValue: baseThreadLabelValue(choice.labelValue ?? insight.threadName, profile.index),
        derivedLabelValue: baseThreadLabelValue(insight.threadName, profile.index),
        labelEdited: choice.labelValue !== undefined,
        labels: choice.labels ?? insight.labels,
        labelsEdited: choice.labels !== undefined,
        profileType: choice.profileType ?? insight.profileType,
        profileTypeReason: choice.profileType ? 'Chosen for this thread.' : insight.profileTypeReason,
        allowedProfileTypes: allowedProfileTypes(profile.kind),
      };
    })
  );
}

/**
 * The rows as planned: the label values the planner assigned (unique within each series' labels), each thread's
 * profile type and its reason, its service and its CPU series. Threads the plan leaves out keep what their file says.
 */
export function withPlannedThreads(
  rows: ThreadRow[],
  plan: PlanSummary | undefined,
  sampleRateHz?: number
): ThreadRow[] {
  const planned = new Map(plan?.threads.filter((t) => t.cpuPartOf === undefined).map((t) => [t.threadKey, t]));
  const cpuSeries = new Map(plan?.threads.flatMap((t) => (t.cpuPartOf === undefined ? [] : [[t.cpuPartOf, t]])));
  return rows.map((row): ThreadRow => {
    if (!row.thread) {
      return row;
    }
    const allowed = allowedProfileTypes(row.thread.kind, sampleRateHz);
    const thread = planned.get(row.planKey);
    if (!thread) {
      return { ...row, allowedProfileTypes: allowed };
    }
    const cpu = cpuSeries.get(row.planKey);
    return {
      ...row,
      allowedProfileTypes: allowed,
      // The user's own value and type stay as typed while a plan made before the edit is still shown.
      labelValue: row.labelEdited ? row.labelValue : thread.labelValue,
      plannedLabelValue: thread.labelValue,
      duplicate: row.labelEdited
        ? thread.labelValue.startsWith(`${row.labelValue} (`)
        : thread.labelValue !== row.labelValue,
      profileType: row.choice.profileType ?? thread.profileType,
      profileTypeReason: row.choice.profileType ? row.profileTypeReason : thread.profileTypeReason,
      serviceName: thread.serviceName,
      cpuSeries: cpu && {
        profileTypeReason: cpu.profileTypeReason,
        total: cpu.total,
        profileCount: cpu.profileCount,
      },
    };
  });
}
