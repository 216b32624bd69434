import { describeShared, parseFixture } from '../../../../tests/helpers/fixtures';
import { ParsedFile, ThreadProfile } from '../../threads/threadModel';
import { formatNanos } from '../../threads/units';
import { parseSpeedscope } from '../parseSpeedscope';
import {
  describeThread,
  detectProducer,
  onCpuNodeMask,
  suggestProfileType,
  suggestServices,
  threadIdentity,
} from '../producers';
import { syntheticDotnetDocument } from '../../../../tests/helpers/syntheticDotnet';

function threads(file: ParsedFile): ThreadProfile[] {
  return file.profiles.filter((p): p is ThreadProfile => p.ok);
}

function parseJson(fileName: string, document: unknown): ParsedFile {
  return parseSpeedscope(fileName, new TextEncoder().encode(JSON.stringify(document)));
}

const SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

/** The hand-written dotnet-trace thread-time export: 2 ms on the CPU, then 8 ms waiting in unmanaged code. */
function syntheticDotnet(): ParsedFile {
  return parseJson('synthetic-dotnet.speedscope.json', syntheticDotnetDocument());
}

/** Synthetic Austin full-mode export (austin-python's Speedscope converter): a CPU and a Wall profile of one thread. */
function syntheticAustin(): ParsedFile {
  const profile = (kind: string, weights: number[]) => ({
    type: 'sampled',
    name: `${kind} profile for 82848:82858`,
    unit: 'microseconds',
    startValue: 0,
    endValue: weights.reduce((a, b) => a + b, 0),
    samples: weights.map(() => [0, 1]),
    weights,
  });
  return parseJson('synthetic-austin.speedscope.json', {
    $schema: SCHEMA,
    exporter: 'Austin2Speedscope Converter 0.3.1',
    name: 'austin_full_metrics',
    shared: {
      frames: [
        { name: '<module>', file: 'app.py', line: 1 },
        { name: 'work', file: 'app.py', line: 5 },
      ],
    },
    profiles: [profile('CPU time', [100, 200]), profile('Wall time', [1000, 2000])],
  });
}

/** Synthetic py-spy `--idle` export: one sample running, three in threading's wait (py-spy's idle heuristic). */
function syntheticPySpyIdle(): ParsedFile {
  return parseJson('synthetic-py-spy-idle.speedscope.json', {
    $schema: SCHEMA,
    exporter: 'py-spy@0.4.1',
    name: 'py-spy profile',
    shared: {
      frames: [
        { name: '<module>', file: '/srv/app.py', line: 3 },
        { name: 'compute', file: '/srv/app.py', line: 9 },
        { name: 'wait', file: '/usr/lib/python3.12/threading.py', line: 355 },
      ],
    },
    profiles: [
      {
        type: 'sampled',
        name: 'Thread 0x1FA08F100 "MainThread"',
        unit: 'seconds',
        startValue: 0,
        endValue: 0.04,
        samples: [
          [0, 1],
          [0, 2],
          [0, 2],
          [0, 2],
        ],
        weights: [0.01, 0.01, 0.01, 0.01],
      },
    ],
  });
}

describe('producers: which tool wrote a file', () => {
  it('read the exporter strings real producers write', () => {
    expect(detectProducer('py-spy@0.4.1')).toEqual({ producer: 'py-spy', version: '0.4.1' });
    expect(detectProducer('rbspy@0.34.0')).toEqual({ producer: 'rbspy', version: '0.34.0' });
    expect(detectProducer('Microsoft.Diagnostics.Tracing.TraceEvent@3.1.8.0')).toEqual({
      producer: 'dotnet-trace',
      version: '3.1.8.0',
    });
    expect(detectProducer('Austin2Speedscope Converter 0.3.1')).toEqual({ producer: 'austin', version: '0.3.1' });
    expect(detectProducer('pyinstrument')).toEqual({ producer: 'pyinstrument' });
    expect(detectProducer('speedscope@0.6.0', ['one', 'two'])).toEqual({ producer: 'speedscope', version: '0.6.0' });
    expect(detectProducer('brook-profiler')).toEqual({ producer: 'unknown' });
    expect(detectProducer(undefined)).toEqual({ producer: 'unknown' });
  });

  it('recognise old TraceEvent builds, which called themselves speedscope@1.3.2, by their thread names', () => {
    expect(detectProducer('speedscope@1.3.2', ['Thread (40349031)'])).toEqual({ producer: 'dotnet-trace' });
  });
});

describe('producers: thread names and ids', () => {
  it('py-spy: Thread <tid> "<name>", with --subprocesses Process <pid> Thread <tid> "<name>"', () => {
    expect(threadIdentity('py-spy', 'Thread 680254 "MainThread"')).toEqual({
      producer: 'py-spy',
      threadName: 'MainThread',
      threadId: '680254',
      labels: [{ name: 'thread_id', value: '680254' }],
    });
    expect(threadIdentity('py-spy', 'Thread 0x1FA08F100 "MainThread"').labels).toEqual([
      { name: 'thread_id', value: '0x1FA08F100' },
    ]);
    expect(threadIdentity('py-spy', 'Process 4711 Thread 4713 "asyncio_0"')).toEqual({
      producer: 'py-spy',
      threadName: 'asyncio_0',
      threadId: '4713',
      pid: '4711',
      labels: [
        { name: 'thread_id', value: '4713' },
        { name: 'pid', value: '4711' },
      ],
    });
    expect(threadIdentity('py-spy', 'Thread 725838 ""').threadName).toBe('Thread 725838');
    expect(threadIdentity('py-spy', 'Thread 1 "say "hi""').threadName).toBe('say "hi"');
  });

  it('dotnet-trace: Thread (<tid>), Thread (<tid>) (<name>), Thread (<tid>) CPU=<n>ms (<name>)', () => {
    expect(threadIdentity('dotnet-trace', 'Thread (40349031)')).toEqual({
      producer: 'dotnet-trace',
      threadName: 'Thread 40349031',
      threadId: '40349031',
      labels: [{ name: 'thread_id', value: '40349031' }],
    });
    expect(threadIdentity('dotnet-trace', 'Thread (5120) (.NET ThreadPool Worker)').threadName).toBe(
      '.NET ThreadPool Worker'
    );
    expect(threadIdentity('dotnet-trace', 'Thread (5120) CPU=37ms (.NET Finalizer)').threadName).toBe('.NET Finalizer');
  });

  it('dotnet-trace: the process frame at the root of every stack gives pid and program', () => {
    const file = syntheticDotnet();
    const [thread] = threads(file);
    expect(describeThread(file, thread)).toMatchObject({
      producer: 'dotnet-trace',
      threadName: '.NET ThreadPool Worker',
      threadId: '17',
      pid: '4242',
      programName: 'MyApp',
      labels: [
        { name: 'thread_id', value: '17' },
        { name: 'pid', value: '4242' },
      ],
    });
  });

  it('Austin: <kind> profile for <pid>:<tid> and <pid>:<iid>:<tid>', () => {
    expect(threadIdentity('austin', 'Wall time profile for 82848:82858')).toEqual({
      producer: 'austin',
      threadName: 'Thread 82858',
      threadId: '82858',
      pid: '82848',
      labels: [
        { name: 'thread_id', value: '82858' },
        { name: 'pid', value: '82848' },
      ],
    });
    expect(threadIdentity('austin', 'CPU time profile for 42:0:123')).toMatchObject({ threadId: '123', pid: '42' });
  });

  it('rbspy and pyinstrument: one profile per process or program', () => {
    expect(threadIdentity('rbspy', 'rbspy profile - pid 999')).toEqual({
      producer: 'rbspy',
      threadName: 'Process 999',
      pid: '999',
      labels: [{ name: 'pid', value: '999' }],
    });
    expect(threadIdentity('pyinstrument', 'CPU profile for fishery at 2022-09-21T02-14-43')).toEqual({
      producer: 'pyinstrument',
      threadName: 'fishery',
      programName: 'fishery',
      labels: [],
    });
  });

  it('keep names it does not recognise as they are', () => {
    expect(threadIdentity('unknown', 'Scheduler CPU 0 (context switches)')).toEqual({
      producer: 'unknown',
      threadName: 'Scheduler CPU 0 (context switches)',
      labels: [],
    });
    expect(threadIdentity('py-spy', 'py-spy')).toEqual({ producer: 'py-spy', threadName: 'py-spy', labels: [] });
  });

  it('py-spy fixtures: clean names and decimal Linux thread ids', () => {
    const file = parseFixture('py-spy-0.4.1-2threads-small.speedscope.json');
    expect(
      threads(file)
        .map((t) => describeThread(file, t))
        .map(({ threadName, labels }) => ({ threadName, labels }))
    ).toEqual([
      { threadName: 'MainThread', labels: [{ name: 'thread_id', value: '680254' }] },
      { threadName: 'GetTelemetryConfig', labels: [{ name: 'thread_id', value: '680344' }] },
    ]);
    const large = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    expect(threads(large).map((t) => describeThread(large, t).threadName)).toEqual([
      'Thread 725838',
      'MLflowTelemetryConsumer-0',
      'GetTelemetryConfig',
    ]);
  });
});

describe('producers: profile type from evidence', () => {
  it('py-spy without idle stacks: CPU', () => {
    const file = parseFixture('py-spy-0.4.1-2threads-small.speedscope.json');
    expect(describeThread(file, threads(file)[0]).profileType).toEqual({
      type: 'cpu',
      reason: 'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.',
    });
  });

  it('py-spy with --idle: wall, with the share of waiting', () => {
    const file = syntheticPySpyIdle();
    expect(describeThread(file, threads(file)[0])).toMatchObject({
      threadName: 'MainThread',
      labels: [{ name: 'thread_id', value: '0x1FA08F100' }],
      profileType: {
        type: 'wall',
        reason: 'py-spy ran with --idle: 75 % of the time is in waiting functions (threading wait, select, poll).',
      },
    });
  });

  it('dotnet-trace thread time: wall, with the CPU_TIME part offered as a CPU series', () => {
    const file = syntheticDotnet();
    const [thread] = threads(file);
    expect(thread.stats.total).toBe(10_000_000);
    expect(describeThread(file, thread).profileType).toEqual({
      type: 'wall',
      reason:
        "dotnet-trace's thread time covers the thread's whole life: 2 ms of 10 ms is under CPU_TIME, the rest is " +
        'waiting or unmanaged code (UNMANAGED_CODE_TIME, BLOCKED_TIME).',
      cpuPart: { leafFrames: ['CPU_TIME'], cpuTotal: 2_000_000, otherTotal: 8_000_000 },
    });
    const mask = onCpuNodeMask(thread);
    let cpuSelf = 0;
    mask.forEach((on, node) => (cpuSelf += on ? thread.tree.self[node] : 0));
    expect(cpuSelf).toBe(2_000_000);
    expect(Array.from(mask).filter((on) => on === 1)).toHaveLength(1);
  });

  it('Austin: its own "Wall time" and "CPU time" words decide', () => {
    const file = syntheticAustin();
    expect(threads(file).map((t) => describeThread(file, t).profileType)).toEqual([
      { type: 'cpu', reason: 'Austin calls it a "CPU time" profile: time on the CPU only.' },
      { type: 'wall', reason: 'Austin calls it a "Wall time" profile: time on and off the CPU.' },
    ]);
  });

  it('a total far above the duration adds up several threads or CPUs: CPU', () => {
    const file = parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json');
    const pid0 = threads(file).find((t) => t.name === 'PID 0')!;
    expect(describeThread(file, pid0)).toMatchObject({
      producer: 'unknown',
      threadName: 'PID 0',
      labels: [],
      profileType: {
        type: 'cpu',
        reason:
          'Its total (696 s) is more than its duration (60 s): it adds up several threads or CPUs, which wall-clock ' +
          'time of one thread cannot.',
      },
    });
    const cpu0 = threads(file).find((t) => t.name === 'CPU 0')!;
    expect(suggestProfileType('unknown', cpu0)).toEqual({
      type: 'cpu',
      reason: 'Nothing in the file says whether waiting time is included; CPU time is the default.',
    });
  });

  it('units decide first: bytes are memory, counts are samples, evented time is wall', () => {
    const odd = parseFixture('odd-clawscript-unit-samples-empty-profile.speedscope.json');
    expect(threads(odd).map((t) => suggestProfileType('unknown', t).type)).toEqual(['samples', 'memory']);
    const evented = parseFixture('speedscope-0.0.1-simple-evented.speedscope.json');
    expect(suggestProfileType('unknown', threads(evented)[0])).toEqual({
      type: 'samples',
      reason: 'Its unit "none" is not a time: pushed as sample counts unless you give a sampling rate.',
    });
    expect(suggestProfileType('unknown', threads(evented)[0], 100)).toEqual({
      type: 'cpu',
      reason: 'Its values are sample counts; at 100 samples per second they become CPU time.',
    });
    const austin = syntheticAustin();
    const dotnet = syntheticDotnet();
    const eventedTime = { ...threads(dotnet)[0], name: 'x', frames: threads(austin)[0].frames };
    expect(suggestProfileType('unknown', eventedTime)).toEqual({
      type: 'wall',
      reason: 'Evented profiles time each call from entry to exit: wall-clock time, waiting included.',
    });
  });

  it('rbspy and pyinstrument measure wall-clock time', () => {
    const file = parseFixture('speedscope-0.1.2-simple-sampled.speedscope.json');
    const [thread] = threads(file);
    expect(suggestProfileType('rbspy', thread).type).toBe('wall');
    expect(suggestProfileType('pyinstrument', thread).type).toBe('wall');
  });

  it('formats durations with three significant digits', () => {
    expect(formatNanos(13_560_000_000)).toBe('13.6 s');
    expect(formatNanos(1_880_000)).toBe('1.88 ms');
    expect(formatNanos(1_500)).toBe('1.5 µs');
    expect(formatNanos(12)).toBe('12 ns');
  });
});

describe('producers: services per file', () => {
  it('files of one producer without process ids share the service', () => {
    const files = [
      parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
      parseFixture('py-spy-0.4.1-3threads-large.speedscope.json'),
    ];
    expect(suggestServices(files, 'checkout')).toEqual({
      services: [
        { fileName: 'py-spy-0.4.1-2threads-small.speedscope.json', serviceName: 'checkout' },
        { fileName: 'py-spy-0.4.1-3threads-large.speedscope.json', serviceName: 'checkout' },
      ],
      shared: true,
      reason: 'The files come from the same producer with the same program and process ids: one service.',
    });
  });

  it('files from different programs get one service each, named after the program or the file', () => {
    const files = [
      parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
      syntheticDotnet(),
      syntheticAustin(),
      parseFixture('brook-profiler-24-overlapping-profiles.speedscope.json'),
    ];
    expect(suggestServices(files, 'upload')).toEqual({
      services: [
        { fileName: 'py-spy-0.4.1-2threads-small.speedscope.json', serviceName: 'upload-py-spy-0.4.1-2threads-small' },
        { fileName: 'synthetic-dotnet.speedscope.json', serviceName: 'upload-myapp' },
        { fileName: 'synthetic-austin.speedscope.json', serviceName: 'upload-synthetic-austin' },
        {
          fileName: 'brook-profiler-24-overlapping-profiles.speedscope.json',
          serviceName: 'upload-brook-profiler-24-overlapping-profiles',
        },
      ],
      shared: false,
      reason: 'The files differ in producers and program names and process ids: one service per file.',
    });
  });

  it('one file keeps the base service', () => {
    expect(suggestServices([syntheticAustin()], 'svc')).toEqual({
      services: [{ fileName: 'synthetic-austin.speedscope.json', serviceName: 'svc' }],
      shared: true,
      reason: 'One file: one service.',
    });
  });
});

describeShared('producers: files in the shared fixture folder', () => {
  it('pyinstrument: the program is the thread name, and the time is wall-clock', () => {
    const file = parseFixture('pyinstrument-evented-null-file-line.speedscope.json');
    expect(describeThread(file, threads(file)[0])).toEqual({
      producer: 'pyinstrument',
      threadName: 'Program: molehill resources/grid',
      programName: 'Program: molehill resources/grid',
      labels: [],
      profileType: {
        type: 'wall',
        reason:
          'pyinstrument measures wall-clock time, waiting included, although it titles the profile "CPU profile".',
      },
    });
  });

  it('an old dotnet-trace file is recognised by its thread names', () => {
    const file = parseFixture('invalid-dotnet-trace-old-string-startvalue-bad-nesting.speedscope.json');
    const names = file.profiles.map((p) => p.name);
    expect(detectProducer(file.exporter, names)).toEqual({ producer: 'dotnet-trace' });
    expect(threadIdentity('dotnet-trace', names[0]).labels).toEqual([{ name: 'thread_id', value: '40349031' }]);
  });
});
