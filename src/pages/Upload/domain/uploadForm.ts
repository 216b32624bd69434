import { LabelPair } from '../../../core/plan/labels';
import { ProfileTypeChoice } from '../../../core/plan/profileTypes';
import { DEFAULT_SLICE_SECONDS, ThreadChoice, UploadOptions } from '../../../core/plan/uploadOptions';
import { AppSettings } from '../../../settings';
import { ThreadRow } from './threadRows';

export interface LabelRow {
  id: number;
  name: string;
  value: string;
}

export interface UploadForm {
  datasourceUid?: string;
  serviceName?: string;
  /** Set once the user picks a range; until then it follows the files (ending at `anchorMs`, as long as the upload). */
  range?: { fromMs: number; toMs: number };
  /** "Now" for the default range: taken when files are dropped or "Place at now" is pressed, not at every render. */
  anchorMs: number;
  profileType: 'auto' | ProfileTypeChoice;
  sampleRateHz?: number;
  labels: LabelRow[];
  sliceSeconds: number;
  target: 'datasource' | 'app-route';
  /** The service of a file, by file id, where the user set one; the others follow the planner's suggestion. */
  fileServices?: Record<string, string>;
}

export function initialForm(settings: AppSettings, nowMs: number): UploadForm {
  return {
    anchorMs: nowMs,
    datasourceUid: settings.defaultDatasourceUid,
    profileType: 'auto',
    labels: [],
    sliceSeconds: settings.sliceSeconds ?? DEFAULT_SLICE_SECONDS,
    target: settings.pushUrl ? 'app-route' : 'datasource',
  };
}

/** `py-spy-2026.speedscope.json.gz` → `py-spy-2026`: a service name people recognise. */
export function serviceNameFromFile(fileName: string): string {
  const stem = fileName
    .replace(/\.gz$/i, '')
    .replace(/\.json$/i, '')
    .replace(/\.speedscope$/i, '');
  return stem.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'speedscope';
}

/** How long the upload lasts: the longest time-unit thread, from its file's earliest start, in ms. */
export function uploadSpanMs(rows: ThreadRow[]): number {
  let longestNs = 0;
  for (const row of rows) {
    if (row.thread && row.thread.kind === 'time') {
      longestNs = Math.max(longestNs, row.thread.startOffset + row.thread.span);
    }
  }
  return Math.ceil(longestNs / 1e6);
}

export function defaultRange(nowMs: number, spanMs: number, sliceSeconds: number): { fromMs: number; toMs: number } {
  const length = spanMs > 0 ? spanMs : sliceSeconds * 1000;
  return { fromMs: nowMs - length, toMs: nowMs };
}

export function uploadOptionsFrom(
  form: UploadForm,
  rows: ThreadRow[],
  serviceName: string,
  range: { fromMs: number; toMs: number },
  threadLabelName: string | undefined
): UploadOptions {
  const threads: Record<string, ThreadChoice> = {};
  const fileServices: Array<string | undefined> = [];
  for (const row of rows) {
    const { labelValue, labels, profileType, alsoCpu } = row.choice;
    const choice: ThreadChoice = { include: row.included };
    if (labelValue !== undefined) {
      choice.labelValue = labelValue;
    }
    if (labels !== undefined) {
      choice.labels = labels.map(({ name, value }) => ({ name, value }));
    }
    if (profileType !== undefined) {
      choice.profileType = profileType;
    }
    if (alsoCpu !== undefined) {
      choice.alsoCpu = alsoCpu;
    }
    threads[row.planKey] = choice;
    // The planner numbers files by their place among the parsed ones, as the rows' plan keys do.
    fileServices[Number(row.planKey.split(':')[0])] = form.fileServices?.[row.fileId];
  }
  const extraLabels: LabelPair[] = form.labels
    .filter((l) => l.name.trim() !== '' || l.value !== '')
    .map(({ name, value }) => ({ name, value }));
  return {
    serviceName,
    fromMs: range.fromMs,
    toMs: range.toMs,
    profileType: form.profileType === 'auto' ? undefined : form.profileType,
    sampleRateHz: form.sampleRateHz,
    extraLabels,
    threadLabelName,
    sliceSeconds: form.sliceSeconds,
    // Entries left undefined follow the planner's suggestion (`UploadOptions.fileServices`).
    ...(fileServices.some((s) => s !== undefined) && { fileServices: Array.from(fileServices) as string[] }),
    threads,
  };
}
