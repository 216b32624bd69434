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

export function assertUniqueProfiles(profiles: ProfileIdentity[]): void {
  const seen = new Set<string>();
  for (const profile of profiles) {
    const key = `${labelSetKey(profile.labels)}@${profile.timeNanos}`;
    if (seen.has(key)) {
      throw new DuplicateProfileError(profile.labels, profile.timeNanos);
    }
    seen.add(key);
  }
}
