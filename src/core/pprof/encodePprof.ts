import { gzipSync } from 'fflate';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { PlannedProfile } from '../plan/planUpload';

/**
 * Encodes one planned profile as an uncompressed pprof protobuf. Each Speedscope frame becomes a location whose line
 * points at a function keyed by (name, file), so file names and line numbers survive into Pyroscope.
 */
export function encodePprof(planned: PlannedProfile): Uint8Array {
  const { thread, profileType } = planned;
  const { tree, frames } = thread;
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const functionIds = new Map<string, number>();
  const locations: Location[] = [];
  const locationIds = new Map<number, number>();

  const locationFor = (frameIndex: number): number => {
    const known = locationIds.get(frameIndex);
    if (known !== undefined) {
      return known;
    }
    const frame = frames[frameIndex];
    const functionKey = `${frame.name}\u0000${frame.file ?? ''}`;
    let functionId = functionIds.get(functionKey);
    if (functionId === undefined) {
      functionId = functions.length + 1;
      const name = strings.dedup(frame.name);
      functions.push(
        new PprofFunction({ id: functionId, name, systemName: name, filename: strings.dedup(frame.file ?? '') })
      );
      functionIds.set(functionKey, functionId);
    }
    const id = locations.length + 1;
    locations.push(new Location({ id, line: [new Line({ functionId, line: frame.line ?? 0 })] }));
    locationIds.set(frameIndex, id);
    return id;
  };

  const samples: Sample[] = [];
  for (let i = 0; i < planned.nodes.length; i++) {
    // pprof lists a stack leaf first.
    const locationId: number[] = [];
    for (let node = planned.nodes[i]; node > 0; node = tree.parent[node]) {
      locationId.push(locationFor(tree.frame[node]));
    }
    samples.push(new Sample({ locationId, value: [planned.values[i]] }));
  }

  const profile = new Profile({
    sampleType: [
      new ValueType({
        type: strings.dedup(profileType.sampleType.type),
        unit: strings.dedup(profileType.sampleType.unit),
      }),
    ],
    periodType: new ValueType({
      type: strings.dedup(profileType.periodType.type),
      unit: strings.dedup(profileType.periodType.unit),
    }),
    period: planned.periodNanos,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: planned.timeNanos,
    durationNanos: planned.durationNanos,
  });
  return profile.encode();
}

/**
 * mtime 0 keeps the gzip bytes identical between runs, so the same plan always produces the same requests.
 * Level 3: on pprof output it is about 35 % faster than level 6 for about 1 % more bytes (measured on the bench file).
 */
export function gzipPprof(pprof: Uint8Array): Uint8Array {
  return gzipSync(pprof, { level: 3, mtime: 0 });
}
