import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { EXPECTED, ExpectedFile } from '../../../../tests/helpers/expectedThreads';
import { describeShared, parseFixture, readFixture, SHARED_FIXTURES } from '../../../../tests/helpers/fixtures';
import { ParsedFile } from '../../threads/threadModel';
import { formatProfileIssue } from '../../threads/profileIssue';
import { parseSpeedscope } from '../parseSpeedscope';

function checkAgainstExpected(parsed: ParsedFile, expected: ExpectedFile) {
  const threads = parsed.profiles.flatMap((p) =>
    p.ok
      ? [
          {
            index: p.index,
            name: p.name,
            type: p.type,
            unit: p.unit,
            total: p.stats.total,
            duration: p.stats.duration,
            samplesOrEvents: p.stats.samplesOrEvents,
            uniqueStacks: p.stats.uniqueStacks,
            maxDepth: p.stats.maxDepth,
            emptyStackSamples: p.stats.emptyStackSamples,
          },
        ]
      : []
  );
  const errors = parsed.profiles.flatMap((p) => (p.ok ? [] : [formatProfileIssue(p.error)]));
  expect(threads).toEqual(expected.threads);
  expect(errors).toEqual(expected.errors);
}

describe('committed fixtures (MIT)', () => {
  const committed = Object.entries(EXPECTED).filter(([, e]) => !e.sharedOnly);
  it.each(committed)('%s parses to the hand-derived totals', (name, expected) => {
    checkAgainstExpected(parseFixture(name), expected);
  });

  it('parses gzip input (detected by magic bytes, not by name) to the same result', () => {
    const name = 'py-spy-0.4.1-2threads-small.speedscope.json';
    const gzipped = parseSpeedscope(name, gzipSync(readFixture(name)));
    checkAgainstExpected(gzipped, EXPECTED[name]);
  });

  it('keeps file and line of frames and treats null col as missing', () => {
    const parsed = parseFixture('py-spy-0.4.1-2threads-small.speedscope.json');
    expect(parsed.frames[0]).toEqual({ name: '_path_join', file: '<frozen importlib._bootstrap_external>', line: 129 });
    expect(parsed.exporter).toBe('py-spy@0.4.1');
  });

  it('warns about a unit that is not in the spec and about weights beyond the duration', () => {
    const claw = parseFixture('odd-clawscript-unit-samples-empty-profile.speedscope.json');
    expect(claw.profiles[0].ok && claw.profiles[0].warnings).toEqual([
      'unit "samples" is not a Speedscope unit; values are counted',
    ]);
    const brook = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    expect(brook.profiles[1].ok && brook.profiles[1].warnings).toEqual([
      "samples add up to 91.9 s, more than the profile's 59.99 s between startValue and endValue: it may count several CPUs or overlap other profiles",
    ]);
  });

  it('places each profile at its startValue relative to the earliest profile of the file', () => {
    const brook = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    const offsets = brook.profiles.filter((p) => p.ok).map((p) => (p.ok ? p.startOffset : -1));
    // startValues are 10, 10, 20, …, 230, 320, 1000 ms; the earliest is 10 ms.
    expect(offsets.slice(0, 3)).toEqual([0, 0, 10_000_000]);
    expect(offsets[12]).toBe(220_000_000);
    expect(offsets[14]).toBe(990_000_000);
  });
});

describeShared('every file in ../shared/fixtures/speedscope', () => {
  const names = [
    ...readdirSync(SHARED_FIXTURES).filter((f) => f.endsWith('.json')),
    ...readdirSync(join(SHARED_FIXTURES, 'pyroscope-testdata')).map((f) => `pyroscope-testdata/${f}`),
  ];

  it('has a hand-derived expectation for each file', () => {
    expect(names.filter((n) => !(n in EXPECTED))).toEqual([]);
  });

  it.each(names)('%s', (name) => {
    checkAgainstExpected(parseFixture(name), EXPECTED[name]);
  });

  it('reads the old dotnet-trace string startValue and says so', () => {
    const parsed = parseFixture('invalid-dotnet-trace-old-string-startvalue-bad-nesting.speedscope.json');
    expect(parsed.warnings).toEqual([
      'startValue/endValue are written as strings (old dotnet-trace); they were read as numbers',
    ]);
  });

  it('keeps pyinstrument frames whose file and line are null, without them', () => {
    const parsed = parseFixture('pyinstrument-evented-null-file-line.speedscope.json');
    expect(parsed.frames.find((f) => f.name === '[self]')).toEqual({ name: '[self]' });
  });
});

const encode = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));
const frames = [{ name: 'main' }, { name: 'work' }];

describe('file-level errors', () => {
  it.each([
    [new TextEncoder().encode('{"profiles": ['), 'bad.json: is not valid JSON: '],
    [encode([1, 2]), 'bad.json: is not a Speedscope file: the top level is not a JSON object'],
    [encode({ traceEvents: [] }), 'bad.json: is not a Speedscope file: it has no "profiles" array'],
    [encode({ profiles: [] }), 'bad.json: is not a Speedscope file: it has no "shared.frames" array'],
    [encode({ profiles: [], shared: { frames } }), 'bad.json: contains no profiles'],
    [
      encode({ profiles: [{}], shared: { frames: [{ file: 'x.py' }] } }),
      'bad.json: shared.frames[0].name: expected a string, got undefined',
    ],
    [new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'bad.json: looks gzip-compressed but could not be decompressed: '],
  ])('%#', (bytes, message) => {
    expect(() => parseSpeedscope('bad.json', bytes)).toThrow(message);
  });
});

describe('per-profile validation (synthetic files)', () => {
  const sampled = (extra: object) => ({
    type: 'sampled',
    name: 'T',
    unit: 'seconds',
    startValue: 0,
    endValue: 1,
    ...extra,
  });
  const errorsOf = (...profiles: object[]) =>
    parseSpeedscope('s.json', encode({ profiles, shared: { frames } })).profiles.map((p) =>
      p.ok ? 'ok' : formatProfileIssue(p.error)
    );

  it('names file, profile, field and index, and keeps the good profiles', () => {
    expect(
      errorsOf(
        sampled({ samples: [[0, 1]], weights: [1] }),
        sampled({ samples: [[0], [0, 7]], weights: [1, 1] }),
        sampled({ samples: [[0]], weights: [-1] }),
        sampled({ samples: [[0], [1]], weights: [1] }),
        sampled({ samples: [[0]], weights: ['1'] }),
        {
          type: 'evented',
          name: 'E',
          unit: 'none',
          startValue: 0,
          endValue: 9,
          events: [
            { type: 'O', frame: 0, at: 5 },
            { type: 'C', frame: 0, at: 4 },
          ],
        },
        { type: 'evented', name: '', unit: 'none', startValue: 0, events: [{ type: 'X', frame: 0, at: 0 }] },
        { type: 'flame', name: 'F' }
      )
    ).toEqual([
      'ok',
      's.json: profile 1 "T": samples[1][1]: frame index 7 is out of range (the file has 2 frames)',
      's.json: profile 2 "T": weights[0]: weights cannot be negative, got -1',
      's.json: profile 3 "T": weights: has 1 entries but samples has 2; they must match one to one',
      's.json: profile 4 "T": weights[0]: expected a number, got "1"',
      `s.json: profile 5 "E": events[1].at: time 4 is earlier than the previous event's; events must be in time order`,
      's.json: profile 6 (unnamed): events[0].type: expected "O" or "C", got "X"',
      's.json: profile 7 "F": type: expected "sampled" or "evented", got "flame"',
    ]);
  });

  it('names the first bad frame index inside a long stack, wherever the stack is read in one run', () => {
    const long = Array.from({ length: 3000 }, (_, i) => i % 2);
    expect(
      errorsOf(
        sampled({ samples: [long, [...long.slice(0, 1500), 4294967296, 1, 1.5]], weights: [1, 1] }),
        sampled({ samples: [long, [0, 1, 0.5, 4294967296]], weights: [2, 3] }),
        sampled({ samples: [[1, 0], long, [0, 2, 1]], weights: [1, 2, 3] })
      )
    ).toEqual([
      's.json: profile 0 "T": samples[1][1500]: frame index 4294967296 is out of range (the file has 2 frames)',
      's.json: profile 1 "T": samples[1][2]: frame index must be an integer, got 0.5',
      's.json: profile 2 "T": samples[2][1]: frame index 2 is out of range (the file has 2 frames)',
    ]);
  });

  it('keeps fractional weights exact to the nanosecond', () => {
    // 0.01 s × 3 + 0.005 s = 35 ms; summing doubles first would give 0.035000000000000003 s.
    const parsed = parseSpeedscope(
      'f.json',
      encode({
        profiles: [sampled({ samples: [[0], [0], [0], [0, 1]], weights: [0.01, 0.01, 0.01, 0.005] })],
        shared: { frames },
      })
    );
    const thread = parsed.profiles[0];
    expect(thread.ok && thread.stats.total).toBe(35_000_000);
    expect(thread.ok && Array.from(thread.samples.offset)).toEqual([0, 10_000_000, 20_000_000, 30_000_000]);
  });

  it('gives evented self time exactly, parent time before and after a child included', () => {
    // main 0–1 ms alone, work 1–1.5 ms, main again 1.5–3 ms: main self = 2.5 ms, work = 0.5 ms.
    const parsed = parseSpeedscope(
      'e.json',
      encode({
        profiles: [
          {
            type: 'evented',
            name: 'E',
            unit: 'milliseconds',
            startValue: 100,
            endValue: 103,
            events: [
              { type: 'O', frame: 0, at: 100 },
              { type: 'O', frame: 1, at: 101 },
              { type: 'C', frame: 1, at: 101.5 },
              { type: 'C', frame: 0, at: 103 },
            ],
          },
        ],
        shared: { frames },
      })
    );
    const thread = parsed.profiles[0];
    if (!thread.ok) {
      throw new Error('expected a thread');
    }
    expect(thread.stats.total).toBe(3_000_000);
    expect(Array.from(thread.tree.self)).toEqual([0, 2_500_000, 500_000]);
  });

  it('works relative to startValue when absolute nanosecond clocks exceed 2^53', () => {
    const start = 1_732_000_000_000_000_000; // about 2024 in epoch nanoseconds
    const parsed = parseSpeedscope(
      'abs.json',
      encode({
        profiles: [
          {
            type: 'evented',
            name: 'E',
            unit: 'nanoseconds',
            startValue: start,
            endValue: start + 4096,
            events: [
              { type: 'O', frame: 0, at: start },
              { type: 'C', frame: 0, at: start + 4096 },
            ],
          },
        ],
        shared: { frames },
      })
    );
    const thread = parsed.profiles[0];
    expect(thread.ok && thread.stats.total).toBe(4096);
    // 1.732e18 lies between 2^60 and 2^61, where doubles are 256 apart: times round by up to 128 ns.
    expect(parsed.warnings[0]).toBe(
      'startValue 1732000000000000000 looks like an absolute clock reading: numbers this large cannot be stored ' +
        'exactly, so times are rounded to within 128 ns'
    );
  });

  it('says in plain words how much times round in a profile longer than doubles count exactly', () => {
    // 2^53 + 2^21 nanoseconds (about 104 days): doubles there are 2 apart, so values round by up to 1 ns.
    const weight = 2 ** 53 + 2 ** 21;
    const parsed = parseSpeedscope(
      'long.json',
      encode({
        profiles: [
          { type: 'sampled', name: 'L', unit: 'nanoseconds', startValue: 0, samples: [[0]], weights: [weight] },
        ],
        shared: { frames },
      })
    );
    const thread = parsed.profiles[0];
    expect(thread.ok && thread.warnings).toEqual([
      'the profile spans 9010000 s, too long for every nanosecond to be told apart: times that far from its start ' +
        'are rounded to within 1 ns',
    ]);
  });

  it('reports stacks deeper than Pyroscope keeps (1000 frames)', () => {
    const deep = Array.from({ length: 1001 }, (_, i) => i % 2);
    const parsed = parseSpeedscope(
      'deep.json',
      encode({
        profiles: [sampled({ samples: [deep, deep.slice(0, 1000)], weights: [1, 1], endValue: 2 })],
        shared: { frames },
      })
    );
    const thread = parsed.profiles[0];
    expect(thread.ok && [thread.stats.deepStacks, thread.stats.maxDepth, thread.warnings]).toEqual([
      1,
      1001,
      ['1 stacks are deeper than 1000 frames; Pyroscope keeps only the 1000 frames nearest the leaf'],
    ]);
  });

  it('keeps non-ASCII names (synthetic: no real file has them)', () => {
    const parsed = parseSpeedscope(
      'ü.json',
      encode({
        profiles: [sampled({ name: 'Поток «главный» 🧵', samples: [[0]], weights: [1] })],
        shared: { frames: [{ name: '関数' }] },
      })
    );
    expect(parsed.profiles[0].name).toBe('Поток «главный» 🧵');
    expect(parsed.frames[0].name).toBe('関数');
  });
});
