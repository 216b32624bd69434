import { assignThreadLabelValues } from '../../../core/plan/threadLabelValues';
import { NO_DATA_REASON } from '../../../core/plan/planUpload';
import { FileSummary, ThreadSummary } from './summaries';
import { UploadFile } from './uploadFiles';

export interface ThreadChoiceUi {
  include?: boolean;
  labelValue?: string;
}

export interface ThreadRow {
  /** Stable in the UI: file id and profile index. */
  uiKey: string;
  fileId: string;
  /** The planner's key: position among parsed files and profile index. */
  planKey: string;
  fileName: string;
  index: number;
  name: string;
  type: string;
  unit: string;
  thread?: ThreadSummary;
  error?: string;
  /** Why the row cannot be included, when it cannot. */
  notSelectable?: string;
  included: boolean;
  /** The unique value the thread label gets, and whether another thread wanted the same. */
  labelValue: string;
  labelEdited: boolean;
  duplicate: boolean;
}

/** The parsed files in upload order: the planner's file indices (thread keys `fileIndex:profileIndex`) follow it. */
export function parsedFilesOf(files: UploadFile[]): Array<{ id: string; parsed: FileSummary }> {
  return files.flatMap((f) => (f.parsed ? [{ id: f.id, parsed: f.parsed }] : []));
}

export const uiKeyOf = (fileId: string, index: number) => `${fileId}#${index}`;

/** One row per profile of every parsed file, with the label values the planner will assign. */
export function buildThreadRows(files: UploadFile[], choices: Record<string, ThreadChoiceUi>): ThreadRow[] {
  const parsedFiles = parsedFilesOf(files);
  const requests = parsedFiles.flatMap(({ id, parsed }) =>
    parsed.profiles.flatMap((p) =>
      p.ok
        ? [{ key: uiKeyOf(id, p.index), index: p.index, desired: choices[uiKeyOf(id, p.index)]?.labelValue ?? p.name }]
        : []
    )
  );
  const values = assignThreadLabelValues(requests);
  return parsedFiles.flatMap(({ id, parsed }, fileIndex) =>
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
      };
      if (!profile.ok) {
        const error = `${profile.error.field}: ${profile.error.message}`;
        return {
          ...base,
          type: profile.type,
          unit: profile.unit,
          error,
          notSelectable: error,
          included: false,
          labelValue: '',
          labelEdited: false,
          duplicate: false,
        };
      }
      const value = values.get(uiKey)!;
      const notSelectable = profile.pushable
        ? undefined
        : `${NO_DATA_REASON[0].toUpperCase()}${NO_DATA_REASON.slice(1)}.`;
      return {
        ...base,
        type: profile.type,
        unit: profile.unit,
        thread: profile,
        notSelectable,
        included: notSelectable ? false : (choice.include ?? true),
        labelValue: value.value,
        labelEdited: choice.labelValue !== undefined,
        duplicate: value.duplicate,
      };
    })
  );
}
