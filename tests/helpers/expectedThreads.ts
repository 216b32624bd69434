/**
 * What each fixture must parse to, derived by hand from the files, not by running this code.
 *
 * How: for sampled profiles, total = Σ weight × unit factor over samples whose stack is not `[]`; unique stacks =
 * distinct non-empty stack arrays; max depth = the longest stack array; these were counted with a few lines of
 * Python (`json.load`, `len`, `sum`, `set(tuple(s))`) reading each file. For the py-spy files every weight is the
 * same (0.01 s or 0.001 s), so total = (samples − empty samples) × weight, which can be checked with `grep -c`.
 * For evented profiles, each `at` is turned into integer nanoseconds first, then the time between two events is
 * given to the stack open between them; pyinstrument's stack is never empty between its first event (at 0) and
 * its last, so its total is simply round(last at × 1e9).
 */
export interface ExpectedThread {
  index: number;
  name: string;
  type: 'sampled' | 'evented';
  unit: string;
  total: number;
  duration: number;
  samplesOrEvents: number;
  uniqueStacks: number;
  maxDepth: number;
  emptyStackSamples: number;
}

export interface ExpectedFile {
  threads: ExpectedThread[];
  /** Formatted errors of broken profiles, in order. */
  errors: string[];
  /** True when the file lives only in ../shared (not MIT-licensed). */
  sharedOnly?: boolean;
}

const sampledSimple = (index: number, name: string, unit = 'seconds', factor = 1e9): ExpectedThread => ({
  // weights 1, 1, 4, 3, 5 → 14 units; stacks a;b;c (1+1+3), a;b;d (4), a;b (5).
  index,
  name,
  type: 'sampled',
  unit,
  total: 14 * factor,
  duration: 14 * factor,
  samplesOrEvents: 5,
  uniqueStacks: 3,
  maxDepth: 3,
  emptyStackSamples: 0,
});

// c runs 0–2 and 6–9, d 2–6, b alone 9–14: stacks a;b;c = 5, a;b;d = 4, a;b = 5, total 14 (unit none).
const eventedSimple: ExpectedThread = {
  index: 0,
  name: 'simple.txt',
  type: 'evented',
  unit: 'none',
  total: 14,
  duration: 14,
  samplesOrEvents: 10,
  uniqueStacks: 3,
  maxDepth: 3,
  emptyStackSamples: 0,
};

const brookCpu = (index: number, samples: number, uniqueStacks: number, startMs: number): ExpectedThread => ({
  // Every weight is 10 ms and no stack is empty: total = samples × 10 ms.
  index,
  name: `CPU ${index}`,
  type: 'sampled',
  unit: 'milliseconds',
  total: samples * 10 * 1e6,
  duration: (60000 - startMs) * 1e6,
  samplesOrEvents: samples,
  uniqueStacks,
  maxDepth: 1,
  emptyStackSamples: 0,
});

const brookPid = (
  index: number,
  name: string,
  samples: number,
  uniqueStacks: number,
  startMs: number,
  endMs: number
): ExpectedThread => ({
  ...brookCpu(index, samples, uniqueStacks, startMs),
  name,
  duration: (endMs - startMs) * 1e6,
});

const brookSchedulerError = (index: number, cpu: number, frame: number) =>
  `brook-profiler-24-overlapping-profiles.speedscope.json: profile ${index} "Scheduler CPU ${cpu} (context switches)": samples[0][0]: frame index must be an integer, got [${frame}]`;

export const EXPECTED: Record<string, ExpectedFile> = {
  'speedscope-0.0.1-simple-evented.speedscope.json': { threads: [eventedSimple], errors: [] },
  'speedscope-0.1.2-simple-sampled.speedscope.json': {
    threads: [sampledSimple(0, 'simple.speedscope.json')],
    errors: [],
  },
  'speedscope-0.6.0-two-sampled.speedscope.json': {
    threads: [sampledSimple(0, 'one'), sampledSimple(1, 'two')],
    errors: [],
  },
  'invalid-speedscope-out-of-order-events.json': {
    threads: [],
    // Stack after events 0–5 is B, A (A opened twice, closed once); event 6 closes B while A is on top.
    errors: [
      'invalid-speedscope-out-of-order-events.json: profile 0 "p1": events[6]: closes frame 1 "B" but frame 0 "A" is on top of the stack',
    ],
  },
  'invalid-speedscope-incomplete-trace.json': {
    threads: [],
    errors: [
      'invalid-speedscope-incomplete-trace.json: profile 0 "p1": events: frame 0 "A" opened at events[0] is never closed (1 frames left open)',
    ],
  },
  'py-spy-0.4.1-2threads-small.speedscope.json': {
    threads: [
      // 260 samples of 0.01 s, 12 of them `[]`: (260 − 12) × 10 ms = 2.48 s.
      {
        index: 0,
        name: 'Thread 680254 "MainThread"',
        type: 'sampled',
        unit: 'seconds',
        total: 2_480_000_000,
        duration: 2_600_000_000,
        samplesOrEvents: 260,
        uniqueStacks: 139,
        maxDepth: 147,
        emptyStackSamples: 12,
      },
      // 5 samples × 10 ms, all the same stack of 16 frames.
      {
        index: 1,
        name: 'Thread 680344 "GetTelemetryConfig"',
        type: 'sampled',
        unit: 'seconds',
        total: 50_000_000,
        duration: 50_000_000,
        samplesOrEvents: 5,
        uniqueStacks: 1,
        maxDepth: 16,
        emptyStackSamples: 0,
      },
    ],
    errors: [],
  },
  'py-spy-0.4.1-3threads-large.speedscope.json': {
    threads: [
      // 5060 samples of 0.001 s, 336 empty: (5060 − 336) × 1 ms = 4.724 s.
      {
        index: 0,
        name: 'Thread 725838 ""',
        type: 'sampled',
        unit: 'seconds',
        total: 4_724_000_000,
        duration: 5_060_000_000,
        samplesOrEvents: 5060,
        uniqueStacks: 2318,
        maxDepth: 181,
        emptyStackSamples: 336,
      },
      {
        index: 1,
        name: 'Thread 726007 "MLflowTelemetryConsumer-0"',
        type: 'sampled',
        unit: 'seconds',
        total: 1_000_000,
        duration: 1_000_000,
        samplesOrEvents: 1,
        uniqueStacks: 1,
        maxDepth: 4,
        emptyStackSamples: 0,
      },
      {
        index: 2,
        name: 'Thread 726008 "GetTelemetryConfig"',
        type: 'sampled',
        unit: 'seconds',
        total: 30_000_000,
        duration: 30_000_000,
        samplesOrEvents: 30,
        uniqueStacks: 5,
        maxDepth: 20,
        emptyStackSamples: 0,
      },
    ],
    errors: [],
  },
  'brook-profiler-24-overlapping-profiles.speedscope.json': {
    threads: [
      brookCpu(0, 5994, 9, 10),
      brookCpu(1, 9190, 10, 10),
      brookCpu(2, 9160, 6, 20),
      brookCpu(3, 9196, 3, 20),
      brookCpu(4, 9176, 19, 20),
      brookCpu(5, 9182, 2, 20),
      brookCpu(6, 9182, 4, 10),
      brookCpu(7, 9195, 5, 20),
      brookPid(8, 'PID 0', 69640, 3, 20, 60000),
      brookPid(9, 'PID 3', 445, 4, 20, 59950),
      brookPid(10, 'PID 4', 29, 8, 20, 210),
      brookPid(11, 'PID 5', 8, 5, 20, 35970),
      brookPid(12, 'PID 7', 14, 5, 230, 19260),
      brookPid(13, 'PID 8', 117, 16, 320, 990),
      brookPid(14, 'PID 9', 12, 5, 1000, 6170),
      brookPid(15, 'idle', 6, 2, 10, 20),
    ],
    // The eight scheduler views write each stack entry as a nested array ([[32]]), which is not a frame index.
    errors: [
      brookSchedulerError(16, 0, 32),
      brookSchedulerError(17, 1, 36),
      brookSchedulerError(18, 2, 34),
      brookSchedulerError(19, 3, 34),
      brookSchedulerError(20, 4, 34),
      brookSchedulerError(21, 5, 34),
      brookSchedulerError(22, 6, 35),
      brookSchedulerError(23, 7, 34),
    ],
  },
  'odd-clawscript-unit-samples-empty-profile.speedscope.json': {
    threads: [
      // Unit "samples" is not in the spec: counted; no samples at all.
      {
        index: 0,
        name: 'CPU samples',
        type: 'sampled',
        unit: 'samples',
        total: 0,
        duration: 0,
        samplesOrEvents: 0,
        uniqueStacks: 0,
        maxDepth: 0,
        emptyStackSamples: 0,
      },
      // One sample [0, 1] of 144 bytes.
      {
        index: 1,
        name: 'Heap allocations',
        type: 'sampled',
        unit: 'bytes',
        total: 144,
        duration: 144,
        samplesOrEvents: 1,
        uniqueStacks: 1,
        maxDepth: 2,
        emptyStackSamples: 0,
      },
    ],
    errors: [],
  },
  'pyinstrument-evented-seconds.speedscope.json': {
    sharedOnly: true,
    // Last event at 20.982066298000063 s; stack never empty before it.
    threads: [
      {
        index: 0,
        name: 'CPU profile for fishery at 2022-09-21T02-14-43',
        type: 'evented',
        unit: 'seconds',
        total: 20_982_066_298,
        duration: 20_982_761_860,
        samplesOrEvents: 60,
        uniqueStacks: 12,
        maxDepth: 17,
        emptyStackSamples: 0,
      },
    ],
    errors: [],
  },
  'pyinstrument-evented-null-file-line.speedscope.json': {
    sharedOnly: true,
    // Last event at 4.619754290999481 s; stack never empty before it.
    threads: [
      {
        index: 0,
        name: "CPU profile for 'Program: molehill resources/grid' at 2025-01-29T15-33-45",
        type: 'evented',
        unit: 'seconds',
        total: 4_619_754_291,
        duration: 4_620_257_139,
        samplesOrEvents: 84,
        uniqueStacks: 16,
        maxDepth: 8,
        emptyStackSamples: 0,
      },
    ],
    errors: [],
  },
  'invalid-dotnet-trace-old-string-startvalue-bad-nesting.speedscope.json': {
    sharedOnly: true,
    threads: [],
    errors: [
      'invalid-dotnet-trace-old-string-startvalue-bad-nesting.speedscope.json: profile 0 "Thread (40349031)": events[6601]: closes frame 21 "RobotCleaner!RobotCleaner.Region.AddUniqueLocation(class System.Collections.Generic.HashSet`1<int64>,int32,int32)" but frame 23 "System.Collections!System.Collections.Generic.HashSet`1[System.Int64].AddIfNotPresent(!0)" is on top of the stack',
    ],
  },
  // Pyroscope's own test files: the totals their data means, not what Pyroscope's parser stores.
  'pyroscope-testdata/simple.speedscope.json': { sharedOnly: true, threads: [eventedSimple], errors: [] },
  'pyroscope-testdata/two-sampled.speedscope.json': {
    sharedOnly: true,
    threads: [sampledSimple(0, 'one'), sampledSimple(1, 'two')],
    errors: [],
  },
  'pyroscope-testdata/two-sampled-bytes.speedscope.json': {
    sharedOnly: true,
    threads: [sampledSimple(0, 'one', 'bytes', 1), sampledSimple(1, 'two', 'bytes', 1)],
    errors: [],
  },
  'pyroscope-testdata/duplicates.speedscope.json': {
    sharedOnly: true,
    // Three profiles named "one"; the third has endValue 52. Each is its own thread of 14 s.
    threads: [sampledSimple(0, 'one'), sampledSimple(1, 'one'), { ...sampledSimple(2, 'one'), duration: 52e9 }],
    errors: [],
  },
};
