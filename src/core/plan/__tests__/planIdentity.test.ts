import { describeShared, parseFixture } from '../../../../tests/helpers/fixtures';
import { parseSpeedscope } from '../../speedscope/parseSpeedscope';
import { encodePprof } from '../../pprof/encodePprof';
import { ParsedFile } from '../../threads/threadModel';
import { PlanError, planUpload, UploadPlan } from '../planUpload';
import { threadInsights } from '../threadInsights';
import { UploadOptions } from '../uploadOptions';
import { syntheticDotnetDocument } from '../../../../tests/helpers/syntheticDotnet';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const base: UploadOptions = { serviceName: 'checkout', fromMs: NOW - 10 * 60_000, nowMs: NOW };

function parseJson(fileName: string, document: unknown): ParsedFile {
  return parseSpeedscope(fileName, new TextEncoder().encode(JSON.stringify(document)));
}

/** Per planned thread: key, labels as `name=value` and type; easier to read than label objects. */
function seriesOf(plan: UploadPlan) {
  return plan.threads.map((t) => [t.threadKey, t.labels.map((l) => `${l.name}=${l.value}`).join(' '), t.total]);
}

function totalOf(plan: UploadPlan, key: string): number {
  return plan.profiles.filter((p) => p.threadKey === key).reduce((sum, p) => sum + p.total, 0);
}

/** Two dotnet-trace threads: 2 of 10 ms and 3 of 8 ms on the CPU. */
function syntheticDotnet(): ParsedFile {
  return parseJson(
    'synthetic-dotnet.speedscope.json',
    syntheticDotnetDocument([
      { id: 17, cpuMs: 2, endMs: 10 },
      { id: 18, cpuMs: 3, endMs: 8 },
    ])
  );
}

/** Synthetic Austin full-mode export: a CPU and a Wall profile of one thread, in microseconds. */
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
    exporter: 'Austin2Speedscope Converter 0.3.1',
    name: 'austin_full_metrics',
    shared: {
      frames: [
        { name: '<module>', file: 'app.py' },
        { name: 'work', file: 'app.py' },
      ],
    },
    profiles: [profile('CPU time', [100, 200]), profile('Wall time', [1000, 2000])],
  });
}

/** Synthetic py-spy export from macOS (pthread ids in hex), recorded without --idle. */
function syntheticPySpyMac(): ParsedFile {
  const profile = (name: string) => ({
    type: 'sampled',
    name,
    unit: 'seconds',
    startValue: 0,
    endValue: 0.02,
    samples: [[0, 1], [0]],
    weights: [0.01, 0.01],
  });
  return parseJson('synthetic-py-spy-mac.speedscope.json', {
    exporter: 'py-spy@0.4.1',
    name: 'py-spy profile',
    shared: {
      frames: [
        { name: '<module>', file: '/srv/app.py' },
        { name: 'compute', file: '/srv/app.py' },
      ],
    },
    profiles: [profile('Thread 0x1FA08F100 "MainThread"'), profile('Thread 0x16B2F3000 "MainThread"')],
  });
}

describe('thread identity in the plan', () => {
  it('labels py-spy threads with their clean name and thread_id; same names stay apart by their ids', () => {
    const plan = planUpload([syntheticPySpyMac()], base);
    expect(seriesOf(plan)).toEqual([
      ['0:0', '__name__=process_cpu service_name=checkout thread_name=MainThread thread_id=0x1FA08F100', 20_000_000],
      ['0:1', '__name__=process_cpu service_name=checkout thread_name=MainThread thread_id=0x16B2F3000', 20_000_000],
    ]);
    expect(plan.threads.map((t) => t.profileTypeReason)).toEqual([
      'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.',
      'py-spy records a thread only while it runs (unless started with --idle), and no idle stacks are here.',
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('suffixes a duplicate name only when the whole label set would collide', () => {
    const plan = planUpload([syntheticPySpyMac()], { ...base, threads: { '0:1': { labels: [] } } });
    // Without its thread_id the second thread differs from the first by nothing else: it gets " (2)".
    expect(plan.threads.map((t) => t.labelValue)).toEqual(['MainThread', 'MainThread']);
    const same = planUpload([syntheticPySpyMac()], {
      ...base,
      threads: { '0:0': { labels: [] }, '0:1': { labels: [] } },
    });
    expect(same.threads.map((t) => t.labelValue)).toEqual(['MainThread', 'MainThread (2)']);
    expect(same.warnings.map((w) => w.message)).toEqual([
      'synthetic-py-spy-mac.speedscope.json: profile 1 "Thread 0x16B2F3000 \\"MainThread\\"": thread label value is "MainThread (2)"',
    ]);
  });

  it('lets the user edit, remove and replace the derived labels, and refuses conflicts clearly', () => {
    const file = syntheticPySpyMac();
    const edited = planUpload([file], {
      ...base,
      extraLabels: [{ name: 'env', value: 'ci' }],
      threads: { '0:0': { labelValue: 'main', labels: [{ name: 'thread_id', value: ' 42\n' }] } },
    });
    expect(seriesOf(edited)[0][1]).toBe(
      '__name__=process_cpu service_name=checkout thread_name=main thread_id=42 env=ci'
    );
    // An extra label or thread label of the same name wins over a derived one.
    const extra = planUpload([file], { ...base, extraLabels: [{ name: 'thread_id', value: 'all' }] });
    expect(seriesOf(extra).map((s) => s[1])).toEqual([
      '__name__=process_cpu service_name=checkout thread_name=MainThread thread_id=all',
      '__name__=process_cpu service_name=checkout thread_name=MainThread (2) thread_id=all',
    ]);
    const byId = planUpload([file], { ...base, threadLabelName: 'thread_id' });
    expect(seriesOf(byId).map((s) => s[1])).toEqual([
      '__name__=process_cpu service_name=checkout thread_id=MainThread',
      '__name__=process_cpu service_name=checkout thread_id=MainThread (2)',
    ]);
    // What the user sets per thread is checked like an extra label.
    const refused = () =>
      planUpload([file], {
        ...base,
        extraLabels: [{ name: 'env', value: 'ci' }],
        threads: {
          '0:0': {
            labels: [
              { name: 'thread_name', value: 'x' },
              { name: 'env', value: 'dev' },
              { name: 'service_name', value: 'y' },
              { name: 'pid', value: '1' },
              { name: 'pid', value: '2' },
              { name: 'bad-name', value: '1' },
            ],
          },
          '0:1': { include: false, labels: [{ name: 'thread_name', value: 'ignored: not uploaded' }] },
        },
      });
    expect(refused).toThrow(PlanError);
    const where = 'synthetic-py-spy-mac.speedscope.json: profile 0 "Thread 0x1FA08F100 \\"MainThread\\""';
    expect(() => refused()).toThrow(
      [
        `${where}: label "thread_name": this is the thread label; set its value instead.`,
        `${where}: label "env": an extra label of the upload has this name already.`,
        `${where}: label "service_name": this name is set by the upload.`,
        `${where}: label "pid" is given twice.`,
        `${where}: label "bad-name": label name "bad-name" must start with a letter or _ and contain only letters, digits and _.`,
      ].join('\n')
    );
  });

  it("counts a thread's own labels in Pyroscope's 30", () => {
    const extraLabels = Array.from({ length: 26 }, (_, i) => ({ name: `l${i}`, value: 'v' }));
    expect(() =>
      planUpload([syntheticPySpyMac()], { ...base, extraLabels, threads: { '0:1': { labels: [] } } })
    ).toThrow(
      'synthetic-py-spy-mac.speedscope.json: profile 0 "Thread 0x1FA08F100 \\"MainThread\\"": 26 extra labels and 1 thread label make 31 labels'
    );
  });
});

describe('profile types in the plan', () => {
  it("gives Austin's wall profile a wall type and its CPU profile a CPU type, both under one clean thread name", () => {
    const plan = planUpload([syntheticAustin()], base);
    expect(seriesOf(plan)).toEqual([
      ['0:0', '__name__=process_cpu service_name=checkout thread_name=Thread 82858 thread_id=82858 pid=82848', 300_000],
      ['0:1', '__name__=wall service_name=checkout thread_name=Thread 82858 thread_id=82858 pid=82848', 3_000_000],
    ]);
    expect(plan.threads.map((t) => [t.profileType, t.profileTypeId, t.profileTypeReason])).toEqual([
      [
        'cpu',
        'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
        'Austin calls it a "CPU time" profile: time on the CPU only.',
      ],
      [
        'wall',
        'wall:wall:nanoseconds:cpu:nanoseconds',
        'Austin calls it a "Wall time" profile: time on and off the CPU.',
      ],
    ]);
  });

  it('is overridden for the upload and per thread, saying so; a clash of types then suffixes the value', () => {
    const plan = planUpload([syntheticAustin()], {
      ...base,
      profileType: 'wall',
      threads: { '0:1': { profileType: 'cpu' } },
    });
    expect(plan.threads.map((t) => [t.labelValue, t.profileType, t.profileTypeReason])).toEqual([
      ['Thread 82858', 'wall', 'Chosen for the whole upload.'],
      ['Thread 82858', 'cpu', 'Chosen for this thread.'],
    ]);
    const clash = planUpload([syntheticAustin()], { ...base, profileType: 'wall' });
    expect(clash.threads.map((t) => [t.labelValue, t.profileType])).toEqual([
      ['Thread 82858', 'wall'],
      ['Thread 82858 (2)', 'wall'],
    ]);
  });

  it("pushes dotnet-trace's thread time as wall, and with alsoCpu its CPU part as CPU with the exact subtree total", () => {
    const file = syntheticDotnet();
    const plan = planUpload([file], { ...base, threads: { '0:0': { alsoCpu: true }, '0:1': { alsoCpu: true } } });
    const labels = (name: string, id: string) =>
      `__name__=${name} service_name=checkout thread_name=.NET ThreadPool Worker thread_id=${id} pid=4242`;
    expect(seriesOf(plan)).toEqual([
      ['0:0', labels('wall', '17'), 10_000_000],
      ['0:0#cpu', labels('process_cpu', '17'), 2_000_000],
      ['0:1', labels('wall', '18'), 8_000_000],
      ['0:1#cpu', labels('process_cpu', '18'), 3_000_000],
    ]);
    expect(plan.threads.map((t) => [t.threadKey, t.cpuPartOf, t.profileTypeReason])).toEqual([
      [
        '0:0',
        undefined,
        "dotnet-trace's thread time covers the thread's whole life: 2 ms of 10 ms is under CPU_TIME, the rest is " +
          'waiting or unmanaged code (UNMANAGED_CODE_TIME, BLOCKED_TIME).',
      ],
      ['0:0#cpu', '0:0', "The thread's CPU part: the stacks under CPU_TIME (2 ms of 10 ms)."],
      [
        '0:1',
        undefined,
        "dotnet-trace's thread time covers the thread's whole life: 3 ms of 8 ms is under CPU_TIME, the rest is " +
          'waiting or unmanaged code (UNMANAGED_CODE_TIME, BLOCKED_TIME).',
      ],
      ['0:1#cpu', '0:1', "The thread's CPU part: the stacks under CPU_TIME (3 ms of 8 ms)."],
    ]);
    // The profiles carry exactly the totals, and every CPU stack ends under CPU_TIME.
    expect([totalOf(plan, '0:0'), totalOf(plan, '0:0#cpu'), totalOf(plan, '0:1#cpu')]).toEqual([10e6, 2e6, 3e6]);
    for (const profile of plan.profiles.filter((p) => p.threadKey.endsWith('#cpu'))) {
      const { parent, frame } = profile.thread.tree;
      for (const node of profile.nodes) {
        let n = node;
        while (n > 0 && profile.thread.frames[frame[n]].name !== 'CPU_TIME') {
          n = parent[n];
        }
        expect(n).toBeGreaterThan(0);
      }
    }
    // Planned sizes stay exact for filtered series: the encoder writes exactly what was planned.
    for (const profile of plan.profiles) {
      expect(encodePprof(profile).length).toBe(profile.uncompressedBytes);
    }
    expect(plan.services).toEqual([
      {
        serviceName: 'checkout',
        fileNames: ['synthetic-dotnet.speedscope.json'],
        threadKeys: ['0:0', '0:0#cpu', '0:1', '0:1#cpu'],
        reason: 'One file: one service.',
      },
    ]);
  });

  it('says why no CPU series is added where it cannot be', () => {
    const plan = planUpload([syntheticDotnet(), syntheticAustin()], {
      ...base,
      fileServices: ['a', 'b'],
      threads: { '0:0': { alsoCpu: true, profileType: 'cpu' }, '1:1': { alsoCpu: true } },
    });
    expect(plan.threads.map((t) => t.threadKey)).toEqual(['0:0', '0:1', '1:0', '1:1']);
    expect(plan.warnings.map((w) => [w.code, w.message])).toEqual([
      [
        'also-cpu-unavailable',
        'synthetic-dotnet.speedscope.json: profile 0 "Thread (17) (.NET ThreadPool Worker)": no separate CPU series: the thread itself is pushed as CPU time.',
      ],
      [
        'also-cpu-unavailable',
        'synthetic-austin.speedscope.json: profile 1 "Wall time profile for 82848:82858": no separate CPU series: its stacks do not mark on-CPU time (no CPU_TIME leaves).',
      ],
    ]);
  });
});

describe('services per file', () => {
  it('puts files from different programs under their own services by default, and says so', () => {
    const files = [parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'), syntheticDotnet()];
    const plan = planUpload(files, base);
    expect(plan.services).toEqual([
      {
        serviceName: 'checkout-py-spy-0.4.1-2threads-small',
        fileNames: ['py-spy-0.4.1-2threads-small.speedscope.json'],
        threadKeys: ['0:0', '0:1'],
        reason: 'The files differ in producers and program names and process ids: one service per file.',
      },
      {
        serviceName: 'checkout-myapp',
        fileNames: ['synthetic-dotnet.speedscope.json'],
        threadKeys: ['1:0', '1:1'],
        reason: 'The files differ in producers and program names and process ids: one service per file.',
      },
    ]);
    expect(plan.threads.map((t) => t.labels.find((l) => l.name === 'service_name')?.value)).toEqual([
      'checkout-py-spy-0.4.1-2threads-small',
      'checkout-py-spy-0.4.1-2threads-small',
      'checkout-myapp',
      'checkout-myapp',
    ]);
    expect(plan.warnings.filter((w) => w.code === 'services-split').map((w) => w.message)).toEqual([
      'The files differ in producers and program names and process ids: one service per file. ' +
        'py-spy-0.4.1-2threads-small.speedscope.json → checkout-py-spy-0.4.1-2threads-small, ' +
        'synthetic-dotnet.speedscope.json → checkout-myapp. Set the service per file to change this.',
    ]);
  });

  it('follows the services given per file, cleaned, and refuses an empty one', () => {
    const files = [parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'), syntheticDotnet()];
    const plan = planUpload(files, { ...base, fileServices: ['web\n', 'web'] });
    expect(plan.services).toEqual([
      {
        serviceName: 'web',
        fileNames: ['py-spy-0.4.1-2threads-small.speedscope.json', 'synthetic-dotnet.speedscope.json'],
        threadKeys: ['0:0', '0:1', '1:0', '1:1'],
        reason: 'Set for py-spy-0.4.1-2threads-small.speedscope.json. Set for synthetic-dotnet.speedscope.json.',
      },
    ]);
    expect(plan.warnings.map((w) => w.code)).not.toContain('services-split');
    expect(() => planUpload(files, { ...base, fileServices: [' ', 'web'] })).toThrow(
      'The service of py-spy-0.4.1-2threads-small.speedscope.json is empty.'
    );
  });

  it('leaves a file without readable profiles out: it neither splits the services nor gets one', () => {
    const files = [
      parseFixture('py-spy-0.4.1-2threads-small.speedscope.json'),
      parseFixture('invalid-speedscope-incomplete-trace.json'),
    ];
    const plan = planUpload(files, base);
    expect(plan.services.map((s) => [s.serviceName, s.threadKeys, s.reason])).toEqual([
      ['checkout', ['0:0', '0:1'], 'Only one file has readable profiles: one service.'],
    ]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['empty-stacks']);
  });

  it('keeps one service for files of one program', () => {
    const a = parseFixture('py-spy-0.4.1-2threads-small.speedscope.json');
    const b = parseFixture('py-spy-0.4.1-3threads-large.speedscope.json');
    const plan = planUpload([a, b], base);
    expect(plan.services.map((s) => [s.serviceName, s.threadKeys.length, s.reason])).toEqual([
      ['checkout', 5, 'The files come from the same producer with the same program and process ids: one service.'],
    ]);
    expect(plan.threads.map((t) => t.labelValue)).toEqual([
      'MainThread',
      'GetTelemetryConfig',
      'Thread 725838',
      'MLflowTelemetryConsumer-0',
      'GetTelemetryConfig',
    ]);
  });
});

describe('threadInsights', () => {
  it('tells the page each thread’s clean name, labels, suggested type, reason and CPU part before planning', () => {
    const insights = threadInsights([
      syntheticDotnet(),
      parseFixture('speedscope-0.0.1-simple-evented.speedscope.json'),
    ]);
    expect(insights).toEqual([
      {
        threadKey: '0:0',
        producer: 'dotnet-trace',
        threadName: '.NET ThreadPool Worker',
        labels: [
          { name: 'thread_id', value: '17' },
          { name: 'pid', value: '4242' },
        ],
        profileType: 'wall',
        profileTypeReason: expect.stringMatching(/^dotnet-trace's thread time covers/),
        allowedProfileTypes: ['cpu', 'wall'],
        cpuPart: { leafFrames: ['CPU_TIME'], cpuTotal: 2e6, otherTotal: 8e6 },
      },
      expect.objectContaining({ threadKey: '0:1', threadName: '.NET ThreadPool Worker' }),
      {
        threadKey: '1:0',
        producer: 'unknown',
        threadName: 'simple.txt',
        labels: [],
        profileType: 'samples',
        profileTypeReason: 'Its unit "none" is not a time: pushed as sample counts unless you give a sampling rate.',
        allowedProfileTypes: ['samples'],
      },
    ]);
    // Structured-clone safe: it crosses the worker boundary.
    expect(structuredClone(insights)).toEqual(insights);
  });
});

describeShared('producers in the shared fixtures', () => {
  it('pushes pyinstrument as wall time under the target name', () => {
    const plan = planUpload([parseFixture('pyinstrument-evented-seconds.speedscope.json')], base);
    expect(plan.threads.map((t) => [t.labelValue, t.profileType, t.profileTypeReason])).toEqual([
      [
        'fishery',
        'wall',
        'pyinstrument measures wall-clock time, waiting included, although it titles the profile "CPU profile".',
      ],
    ]);
  });
});
