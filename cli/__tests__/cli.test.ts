import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXPECTED } from '../../tests/helpers/expectedThreads';
import { PROJECT_FIXTURES } from '../../tests/helpers/fixtures';
import { PyroscopeStandIn } from '../../tests/standins/pyroscopeStandIn';
import { runCli } from '../main';

const fixture = (name: string) => join(PROJECT_FIXTURES, name);
const PYSPY = fixture('py-spy-0.4.1-2threads-small.speedscope.json');
const INVALID = fixture('invalid-speedscope-incomplete-trace.json');
const CLAW = fixture('odd-clawscript-unit-samples-empty-profile.speedscope.json');

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

describe('cli inspect', () => {
  it('lists threads with stats and prints per-thread errors on stderr', async () => {
    const { code, out, err } = await run(['inspect', PYSPY, INVALID]);
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual([
      'file',
      '#',
      'thread',
      'type',
      'unit',
      'duration',
      'total',
      'samples/events',
      'stacks',
      'depth',
      'notes',
    ]);
    expect(rows.slice(2)).toEqual([
      [
        'py-spy-0.4.1-2threads-small.speedscope.json',
        '0',
        'Thread 680254 "MainThread"',
        'sampled',
        'seconds',
        '2.6 s',
        '2.48 s',
        '260',
        '139',
        '147',
        '12 empty',
      ],
      [
        'py-spy-0.4.1-2threads-small.speedscope.json',
        '1',
        'Thread 680344 "GetTelemetryConfig"',
        'sampled',
        'seconds',
        '50 ms',
        '50 ms',
        '5',
        '1',
        '16',
      ],
      ['invalid-speedscope-incomplete-trace.json', '0', 'p1', 'evented', 'none', 'error'],
    ]);
    expect(err).toBe(EXPECTED['invalid-speedscope-incomplete-trace.json'].errors[0] + '\n');
  });

  it('fails with exit 1 when no file can be read', async () => {
    const { code, err } = await run(['inspect', '/nonexistent/x.json']);
    expect(code).toBe(1);
    expect(err).toBe(
      "/nonexistent/x.json: cannot read: ENOENT: no such file or directory, open '/nonexistent/x.json'\n"
    );
  });
});

describe('cli convert', () => {
  it('writes plan.json and the exact request bodies a push would send', async () => {
    const out = await mkdtemp(join(tmpdir(), 'convert-'));
    const from = '2026-11-25T11:00:00Z';
    const { code, err } = await run([
      'convert',
      PYSPY,
      CLAW,
      '--service',
      'ci-job',
      '--from',
      from,
      '--label',
      'env=ci',
      '--slice-seconds',
      '2',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    const fromNs = BigInt(Date.parse(from)) * 1_000_000n;
    expect(
      plan.profiles.map((p: Record<string, unknown>) => [
        p.threadName,
        String(BigInt(p.timeNanos as string) - fromNs),
        p.durationNanos,
        p.sampleCount,
        p.total,
        p.unit,
        p.request,
      ])
    ).toEqual([
      // MainThread: 260 samples of 10 ms in 2 s slices: samples 0–199 in the first; of 200–259 the last 12
      // (248–259) are empty stacks, so the second slice holds 48 × 10 ms. GetTelemetryConfig: 5 × 10 ms.
      [
        'Thread 680254 "MainThread"',
        '0',
        '2000000000',
        expect.any(Number),
        2_000_000_000,
        'nanoseconds',
        'requests/0001.json',
      ],
      [
        'Thread 680254 "MainThread"',
        '2000000000',
        '600000000',
        expect.any(Number),
        480_000_000,
        'nanoseconds',
        'requests/0001.json',
      ],
      ['Thread 680344 "GetTelemetryConfig"', '0', '50000000', 1, 50_000_000, 'nanoseconds', 'requests/0001.json'],
      // No time axis: one profile over the whole range, which defaults to the longest thread (2.6 s).
      ['Heap allocations', '0', '2600000000', 1, 144, 'bytes', 'requests/0001.json'],
    ]);
    expect(plan.profiles[0].total + plan.profiles[1].total).toBe(2_480_000_000);
    expect(plan.profiles[3].labels).toEqual({
      __name__: 'memory',
      service_name: 'ci-job',
      thread_name: 'Heap allocations',
      env: 'ci',
      __delta__: 'false',
    });
    expect(plan.profiles[3].profileTypeId).toBe('memory:alloc_space:bytes:space:bytes');
    expect(plan.skipped).toEqual([
      {
        file: 'odd-clawscript-unit-samples-empty-profile.speedscope.json',
        threadIndex: 0,
        threadName: 'CPU samples',
        reason: 'no samples with a stack and a non-zero weight',
      },
    ]);
    expect(await readdir(join(out, 'requests'))).toEqual(['0001.json']);
    const request = JSON.parse(await readFile(join(out, 'requests/0001.json'), 'utf8'));
    expect(request.series.map((s: { samples: unknown[] }) => s.samples.length)).toEqual([2, 1, 1]);
    expect(err).toContain(
      'warning: py-spy-0.4.1-2threads-small.speedscope.json: profile 0 "Thread 680254 \\"MainThread\\"": 12 samples have an empty stack and are not pushed\n'
    );
  });

  it('exits non-zero with the errors on stderr when nothing can be converted', async () => {
    const out = await mkdtemp(join(tmpdir(), 'convert-'));
    const { code, err } = await run(['convert', INVALID, '--service', 's', '--from', String(Date.now()), '--out', out]);
    expect(code).toBe(1);
    expect(err).toBe(
      `skipped: ${EXPECTED['invalid-speedscope-incomplete-trace.json'].errors[0]}\nerror: nothing to upload: no thread could be converted\n`
    );
  });

  it('explains wrong options', async () => {
    expect((await run(['convert', PYSPY, '--from', 'yesterday', '--service', 's', '--out', '/tmp/x'])).err).toMatch(
      /^error: --from: expected an RFC 3339 time such as 2026-11-25T10:00:00Z, or epoch milliseconds; got "yesterday"\n/
    );
    const bad = await run([
      'convert',
      PYSPY,
      '--from',
      '1764068400000',
      '--service',
      's',
      '--label',
      '__x=1',
      '--out',
      '/tmp/x',
    ]);
    expect(bad).toMatchObject({
      code: 1,
      err: 'error: Label "__x": this name is set by the upload and cannot be used as an extra label.\n',
    });
  });
});

describe('cli push', () => {
  let standIn: PyroscopeStandIn;
  let pyroscopeUrl: string;
  beforeAll(async () => {
    standIn = new PyroscopeStandIn();
    pyroscopeUrl = await standIn.start();
  });
  afterAll(() => standIn.stop());

  it('pushes straight to Pyroscope and prints the per-thread report', async () => {
    const from = String(Date.now() - 60_000);
    const { code, out } = await run(['push', PYSPY, '--service', 'cli', '--from', from, '--pyroscope', pyroscopeUrl]);
    expect(code).toBe(0);
    expect(out).toContain(`pushed 2 profiles of 2 threads to ${pyroscopeUrl} in 1 requests (0 retries)`);
    expect(standIn.series().map((s) => [s.labels.thread_name, s.total])).toEqual([
      ['Thread 680254 "MainThread"', 2_480_000_000],
      ['Thread 680344 "GetTelemetryConfig"', 50_000_000],
    ]);
  });

  it("goes through Grafana's datasource proxy with the token from GRAFANA_TOKEN", async () => {
    const seen: Array<{ url?: string; auth?: string }> = [];
    const grafana = createServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => grafana.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`;
    const { code } = await run(
      ['push', PYSPY, '--service', 'cli', '--from', String(Date.now()), '--grafana', url, '--datasource', 'pyro uid'],
      { GRAFANA_TOKEN: 'glsa_test' }
    );
    grafana.close();
    expect(code).toBe(0);
    expect(seen).toEqual([
      { url: '/api/datasources/proxy/uid/pyro%20uid/push.v1.PusherService/Push', auth: 'Bearer glsa_test' },
    ]);
  });
});

describe('npm run cli', () => {
  it('runs the real entry point', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'inspect', CLAW], {
      cwd: resolve(__dirname, '../..'),
    });
    expect(stdout.split('\n')[2]).toMatch(
      /^odd-clawscript-unit-samples-empty-profile\.speedscope\.json\s+0\s+CPU samples\s+sampled\s+samples\s+0\s+0\s+0\s+0$/
    );
  }, 30_000);
});
