import { cleanLabelValue, MAX_LABEL_VALUE_BYTES, truncateToBytes } from './labels';

export interface ThreadLabelRequest {
  key: string;
  /** The profile's index in its file, used to name unnamed profiles. */
  index: number;
  /** What the user typed, or the profile's name from the file. */
  desired: string;
}

export interface ThreadLabelValue {
  value: string;
  /** True when the value differs from the desired one (cleaned, shortened or given a suffix to stay unique). */
  changed: boolean;
  /** True when another thread of the upload wanted the same value. */
  duplicate: boolean;
}

/** The value a thread's label gets before de-duplication: the cleaned profile name, or `profile N` when empty. */
export function baseThreadLabelValue(desired: string, index: number): string {
  const cleaned = cleanLabelValue(desired);
  return cleaned === '' ? `profile ${index}` : cleaned;
}

/**
 * Gives every thread of an upload its own label value, so no two threads share a label set: the first keeps
 * its name, later ones get ` (2)`, ` (3)`, … in upload order, which makes the suffixes stable between runs.
 */
export function assignThreadLabelValues(requests: ThreadLabelRequest[]): Map<string, ThreadLabelValue> {
  const wanted = new Map<string, number>();
  const bases = requests.map((r) => baseThreadLabelValue(r.desired, r.index));
  for (const base of bases) {
    wanted.set(base, (wanted.get(base) ?? 0) + 1);
  }
  const taken = new Set<string>();
  const result = new Map<string, ThreadLabelValue>();
  requests.forEach((request, i) => {
    const base = bases[i];
    let value = base;
    for (let n = 2; taken.has(value); n++) {
      const suffix = ` (${n})`;
      value = truncateToBytes(base, MAX_LABEL_VALUE_BYTES - suffix.length) + suffix;
    }
    taken.add(value);
    result.set(request.key, {
      value,
      changed: value !== request.desired,
      duplicate: (wanted.get(base) ?? 0) > 1,
    });
  });
  return result;
}
