import fc from 'fast-check';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { PlannedProfile } from '../../plan/planUpload';
import { PROFILE_TYPES, profileTypeId, ProfileTypeChoice } from '../../plan/profileTypes';
import { Frame, ThreadProfile } from '../../threads/threadModel';
import { encodePprof } from '../encodePprof';
import { randomStackTree } from '../../../../tests/helpers/randomStackTree';

/** The encoder this project used before its own writer, built on pprof-format: the reference to compare against. */
function referenceEncode(planned: PlannedProfile): Uint8Array {
  const { thread, profileType } = planned;
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
    const frame = thread.frames[frameIndex];
    // Structural key here too (JSON of the pair), so the reference itself has no NUL collision.
    const functionKey = JSON.stringify([frame.name, frame.file ?? '']);
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
    const locationId: number[] = [];
    for (let node = planned.nodes[i]; node > 0; node = thread.tree.parent[node]) {
      locationId.push(locationFor(thread.tree.frame[node]));
    }
    samples.push(new Sample({ locationId, value: [planned.values[i]] }));
  }
  return new Profile({
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
  }).encode();
}

/** What a profile means, independent of ids and string order: everything Pyroscope reads from it. */
function meaning(bytes: Uint8Array) {
  const profile = Profile.decode(bytes);
  const s = (i: unknown) => profile.stringTable.strings[Number(i)];
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const frameOf = (locationId: unknown) => {
    const location = locations.get(Number(locationId))!;
    expect(location.line).toHaveLength(1);
    const fn = functions.get(Number(location.line[0].functionId))!;
    return [s(fn.name), s(fn.systemName), s(fn.filename), Number(location.line[0].line)];
  };
  return {
    sampleType: profile.sampleType.map((t) => [s(t.type), s(t.unit)]),
    periodType: [s(profile.periodType!.type), s(profile.periodType!.unit)],
    period: Number(profile.period),
    timeNanos: BigInt(profile.timeNanos),
    durationNanos: BigInt(profile.durationNanos),
    firstString: profile.stringTable.strings[0],
    samples: profile.sample.map((sample) => ({
      stack: sample.locationId.map(frameOf),
      value: sample.value.map(Number),
    })),
    // Only what the samples use, each function once per (name, file).
    locations: profile.location.length,
    functions:
      new Set(profile.function.map((f) => JSON.stringify([s(f.name), s(f.filename)]))).size === profile.function.length,
  };
}

const names = fc.oneof(
  fc.constantFrom('a', 'b', 'a\u0000b', 'b\u0000', '', 'ü', '🧵', '\ud800', 'cpu', 'nanoseconds', 'x'.repeat(300)),
  fc.string({ unit: 'binary', maxLength: 12 })
);
const frameArb = fc.record(
  {
    name: names,
    file: fc.option(names, { nil: undefined }),
    line: fc.option(fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(2 ** 40)), { nil: undefined }),
  },
  { requiredKeys: ['name'] }
);

/** A random stack tree over random frames, some samples on it, a profile type and times. */
const plannedArb = fc
  .record({
    frames: fc.array(frameArb, { minLength: 1, maxLength: 40 }),
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
    frameChoices: fc.array(fc.nat(), { minLength: 300, maxLength: 300 }),
    sampleNodes: fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
    values: fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(2 ** 53 - 1), fc.constant(1e15)), {
      minLength: 200,
      maxLength: 200,
    }),
    choice: fc.constantFrom<ProfileTypeChoice>('cpu', 'wall', 'memory', 'samples'),
    timeNanos: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    durationNanos: fc.bigInt({ min: 0n, max: 10n ** 13n }),
    period: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e9 })),
  })
  .map(({ frames, parents, frameChoices, sampleNodes, values, choice, timeNanos, durationNanos, period }) => {
    const tree = randomStackTree(parents, frameChoices, frames.length);
    const nodes = tree.parent.length;
    const chosen = [...new Set(sampleNodes.map((n) => 1 + (n % (nodes - 1))))].sort((a, b) => a - b);
    const thread = { frames: frames as Frame[], tree };
    const spec = PROFILE_TYPES[choice];
    const planned: Partial<PlannedProfile> = {
      thread: thread as unknown as ThreadProfile,
      profileType: spec,
      profileTypeId: profileTypeId(spec),
      timeNanos,
      durationNanos,
      periodNanos: period,
      nodes: Int32Array.from(chosen),
      values: Float64Array.from(chosen, (_, i) => values[i % values.length]),
    };
    return planned as PlannedProfile;
  });

describe('purpose-built pprof encoder', () => {
  it('decodes (with pprof-format) to exactly what the pprof-format-based encoder meant, for random trees', () => {
    fc.assert(
      fc.property(plannedArb, (planned) => {
        const ours = encodePprof(planned);
        expect(meaning(ours)).toEqual(meaning(referenceEncode(planned)));
      }),
      { numRuns: 300 }
    );
  });

  it('keeps two functions apart when NUL in their names would join them into one key', () => {
    const frames: Frame[] = [
      { name: 'a\u0000b', file: 'c' },
      { name: 'a', file: 'b\u0000c' },
    ];
    const parent = Int32Array.from([-1, 0, 1]);
    const planned = {
      thread: { frames, tree: { parent, frame: Int32Array.from([-1, 0, 1]), depth: Int32Array.from([0, 1, 2]) } },
      profileType: PROFILE_TYPES.cpu,
      timeNanos: 1n,
      durationNanos: 1n,
      periodNanos: 0,
      nodes: Int32Array.from([2]),
      values: Float64Array.from([7]),
    } as unknown as PlannedProfile;
    const decoded = meaning(encodePprof(planned));
    expect(decoded.samples).toEqual([
      {
        stack: [
          ['a', 'a', 'b\u0000c', 0],
          ['a\u0000b', 'a\u0000b', 'c', 0],
        ],
        value: [7],
      },
    ]);
    expect(Profile.decode(encodePprof(planned)).function).toHaveLength(2);
  });
});
