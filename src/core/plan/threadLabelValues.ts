import { cleanLabelValue, MAX_LABEL_VALUE_BYTES, truncateToBytes } from './labels';

export interface ThreadLabelRequest {
  key: string;
  /** The profile's index in its file, used to name unnamed profiles. */
  index: number;
  /** What the user typed, or the thread's clean name derived from the file. */
  desired: string;
  /**
   * The rest of the label set of each series the thread becomes (service, profile type, its own labels), as keys.
   * Two threads only collide when they want the same value within one scope; without scopes, every value collides.
   */
  scopes?: string[];
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

const NO_SCOPES = [''];

/**
 * Gives every thread of an upload a label value that keeps its label sets apart from every other thread's: the
 * first keeps its name, later ones that would collide (same value in one of the same scopes) get ` (2)`, ` (3)`, … in
 * upload order, which makes the suffixes stable between runs. Threads told apart by their ids or services keep
 * their names.
 */
export function assignThreadLabelValues(requests: ThreadLabelRequest[]): Map<string, ThreadLabelValue> {
  const wanted = new Map<string, number>();
  const bases = requests.map((r) => baseThreadLabelValue(r.desired, r.index));
  requests.forEach((request, i) => {
    for (const scope of new Set(request.scopes ?? NO_SCOPES)) {
      const key = scopedKey(scope, bases[i]);
      wanted.set(key, (wanted.get(key) ?? 0) + 1);
    }
  });
  const taken = new Set<string>();
  const result = new Map<string, ThreadLabelValue>();
  requests.forEach((request, i) => {
    const base = bases[i];
    const scopes = request.scopes ?? NO_SCOPES;
    const isTaken = (value: string) => scopes.some((scope) => taken.has(scopedKey(scope, value)));
    let value = base;
    for (let n = 2; isTaken(value); n++) {
      const suffix = ` (${n})`;
      value = truncateToBytes(base, MAX_LABEL_VALUE_BYTES - suffix.length) + suffix;
    }
    for (const scope of scopes) {
      taken.add(scopedKey(scope, value));
    }
    result.set(request.key, {
      value,
      changed: value !== request.desired,
      duplicate: scopes.some((scope) => (wanted.get(scopedKey(scope, base)) ?? 0) > 1),
    });
  });
  return result;
}

/** Scopes are JSON (`labelSetKey`), which never holds a raw NUL: no scope and value pair can spell another. */
function scopedKey(scope: string, value: string): string {
  return `${scope}\u0000${value}`;
}
