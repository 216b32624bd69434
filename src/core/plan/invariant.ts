import { LabelPair, labelSetKey } from './labels';

export interface ProfileIdentity {
  labels: LabelPair[];
  timeNanos: bigint;
}

/** Pyroscope keeps one profile per (label set, time); two such profiles in one upload would lose data. */
export class DuplicateProfileError extends Error {
  constructor(
    readonly labels: LabelPair[],
    readonly timeNanos: bigint
  ) {
    super(
      `Two profiles would share labels ${labelSetKey(labels)} and time ${timeNanos} ns; Pyroscope would keep only one.`
    );
    this.name = 'DuplicateProfileError';
  }
}

/** The invariant checked one profile at a time, for profiles that arrive as a stream (the push's batches). */
export class UniqueProfiles {
  private readonly seen = new Set<string>();

  /** Throws DuplicateProfileError when a profile with the same labels and time was added before. */
  add(profile: ProfileIdentity): void {
    const key = `${labelSetKey(profile.labels)}@${profile.timeNanos}`;
    if (this.seen.has(key)) {
      throw new DuplicateProfileError(profile.labels, profile.timeNanos);
    }
    this.seen.add(key);
  }
}

export function assertUniqueProfiles(profiles: ProfileIdentity[]): void {
  const unique = new UniqueProfiles();
  for (const profile of profiles) {
    unique.add(profile);
  }
}
