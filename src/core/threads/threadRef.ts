/** Which profile of which dropped file: the one identity that the plan, the push report and the page refer to. */
export interface ThreadRef {
  /** `fileIndex:profileIndex`; stable while the list of files does not change. */
  threadKey: string;
  fileName: string;
  /** Index of the profile in its file's `profiles` array. */
  threadIndex: number;
  /** The profile's name as written in the file ('' when missing). */
  threadName: string;
}

/** A thread that is not pushed, and why: excluded, unreadable, or nothing to push. */
export interface SkippedThread extends ThreadRef {
  reason: string;
}

export function threadKey(fileIndex: number, profileIndex: number): string {
  return `${fileIndex}:${profileIndex}`;
}

export function threadRefOf(key: string, profile: { fileName: string; index: number; name: string }): ThreadRef {
  return { threadKey: key, fileName: profile.fileName, threadIndex: profile.index, threadName: profile.name };
}
