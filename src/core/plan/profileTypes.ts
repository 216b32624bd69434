import { ValueKind } from '../threads/units';

export type ProfileTypeChoice = 'cpu' | 'wall' | 'memory' | 'samples';

export interface ProfileTypeSpec {
  choice: ProfileTypeChoice;
  /** `__name__` label: the first field of Pyroscope's profile type id. */
  metricName: string;
  sampleType: { type: string; unit: string };
  periodType: { type: string; unit: string };
  /** Memory profiles from Speedscope are not cumulative: Pyroscope must not diff them (`__delta__=false`). */
  notDelta: boolean;
}

export const PROFILE_TYPES: Record<ProfileTypeChoice, ProfileTypeSpec> = {
  cpu: {
    choice: 'cpu',
    metricName: 'process_cpu',
    sampleType: { type: 'cpu', unit: 'nanoseconds' },
    periodType: { type: 'cpu', unit: 'nanoseconds' },
    notDelta: false,
  },
  wall: {
    choice: 'wall',
    metricName: 'wall',
    sampleType: { type: 'wall', unit: 'nanoseconds' },
    periodType: { type: 'cpu', unit: 'nanoseconds' },
    notDelta: false,
  },
  memory: {
    choice: 'memory',
    metricName: 'memory',
    sampleType: { type: 'alloc_space', unit: 'bytes' },
    periodType: { type: 'space', unit: 'bytes' },
    notDelta: true,
  },
  samples: {
    choice: 'samples',
    metricName: 'process_cpu',
    sampleType: { type: 'samples', unit: 'count' },
    periodType: { type: 'cpu', unit: 'nanoseconds' },
    notDelta: false,
  },
};

export const PROFILE_TYPE_CHOICES = Object.keys(PROFILE_TYPES) as ProfileTypeChoice[];

export function profileTypeId(spec: ProfileTypeSpec): string {
  return `${spec.metricName}:${spec.sampleType.type}:${spec.sampleType.unit}:${spec.periodType.type}:${spec.periodType.unit}`;
}

/** Which profile types a thread's unit can honestly become. Counts become CPU or wall time only with a sampling rate. */
export function allowedProfileTypes(kind: ValueKind, sampleRateHz?: number): ProfileTypeChoice[] {
  switch (kind) {
    case 'time':
      return ['cpu', 'wall'];
    case 'bytes':
      return ['memory'];
    case 'count':
      return sampleRateHz ? ['samples', 'cpu', 'wall'] : ['samples'];
  }
}

export function defaultProfileType(kind: ValueKind, sampleRateHz?: number): ProfileTypeChoice {
  if (kind === 'count') {
    return sampleRateHz ? 'cpu' : 'samples';
  }
  return allowedProfileTypes(kind)[0];
}
