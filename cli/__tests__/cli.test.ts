import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EXPECTED } from '../../tests/helpers/expectedThreads';
import { PROJECT_FIXTURES } from '../../tests/helpers/fixtures';
import { PyroscopeStandIn } from '../../tests/standins/pyroscopeStandIn';
import { OUTPUT_MARKER } from '../commands/convert';
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
      // The files come from different programs: each gets its own service by default.
      service_name: 'ci-job-odd-clawscript-unit-samples-empty-profile',
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
    const out = join(await mkdtemp(join(tmpdir(), 'convert-')), 'new');
    expect((await run(['convert', PYSPY, '--from', 'yesterday', '--service', 's', '--out', out])).err).toMatch(
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
      out,
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
      ['MainThread', 2_480_000_000],
      ['GetTelemetryConfig', 50_000_000],
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

/** A small valid Speedscope file whose one profile has the given name. */
async function speedscopeFile(dir: string, fileName: string, profileName: string): Promise<string> {
  const path = join(dir, fileName);
  await writeFile(
    path,
    JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'main' }, { name: 'work' }] },
      profiles: [
        {
          type: 'sampled',
          name: profileName,
          unit: 'milliseconds',
          startValue: 0,
          endValue: 30,
          samples: [[0, 1], [0], [0, 1]],
          weights: [10, 10, 10],
        },
      ],
    })
  );
  return path;
}

const tableRows = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('-'))
    .map((l) => l.split(/\s{2,}/));

describe('cli: every input and every thread in the report, and exit codes that tell the truth', () => {
  let standIn: PyroscopeStandIn;
  let pyroscopeUrl: string;
  let dir: string;
  beforeAll(async () => {
    standIn = new PyroscopeStandIn({ rateBytesPerSecond: Infinity });
    pyroscopeUrl = await standIn.start();
    dir = await mkdtemp(join(tmpdir(), 'cli-truth-'));
    await writeFile(join(dir, 'not-json.json'), 'this is not JSON');
  });
  afterAll(() => standIn.stop());
  beforeEach(() => standIn.reset());

  it('push of a good, a missing and an unparsable file pushes the good one, reports all three and exits 3', async () => {
    const from = String(Date.now() - 60_000);
    const missing = join(dir, 'missing.json');
    const notJson = join(dir, 'not-json.json');
    const { code, out, err } = await run([
      'push',
      PYSPY,
      missing,
      notJson,
      '--service',
      'cli',
      '--from',
      from,
      '--pyroscope',
      pyroscopeUrl,
    ]);
    expect(code).toBe(3);
    const rows = tableRows(out);
    expect(rows[0]).toEqual(['file', '#', 'thread', 'status', 'profiles', 'detail']);
    expect(rows.slice(1, 5).map((r) => r.slice(0, 5))).toEqual([
      ['py-spy-0.4.1-2threads-small.speedscope.json', '0', 'Thread 680254 "MainThread"', 'pushed', '1/1'],
      ['py-spy-0.4.1-2threads-small.speedscope.json', '1', 'Thread 680344 "GetTelemetryConfig"', 'pushed', '1/1'],
      [missing, 'unreadable', expect.stringMatching(/^cannot read: ENOENT/)],
      // Parsed on a worker thread: the parser's own words come back, without the file name the table shows already.
      [notJson, 'unreadable', 'is not valid JSON: unexpected "h" at byte 1'],
    ]);
    expect(err).toContain(`error: ${missing}: cannot read: ENOENT`);
    expect(standIn.series()).toHaveLength(2);
  });

  it('convert with an unreadable file among good ones exits 3; with none readable, 1', async () => {
    const missing = join(dir, 'missing.json');
    const base = ['--service', 's', '--from', String(Date.now()), '--out'];
    expect((await run(['convert', PYSPY, missing, ...base, join(dir, 'c1')])).code).toBe(3);
    expect((await run(['convert', missing, ...base, join(dir, 'c2')])).code).toBe(1);
    expect((await run(['convert', PYSPY, ...base, join(dir, 'c3')])).code).toBe(0);
  });

  it('push answered by a redirect stores nothing, says where it pointed, and exits 1', async () => {
    standIn.setFaults({ redirect: 1, redirectStatus: 301, redirectLocation: 'https://grafana.example/login' });
    const from = String(Date.now() - 60_000);
    const { code, out } = await run(['push', PYSPY, '--service', 'cli', '--from', from, '--pyroscope', pyroscopeUrl]);
    expect(code).toBe(1);
    expect(out).toContain(
      'NOT complete: HTTP 301 redirect to https://grafana.example/login: pushes never follow redirects; point the tool at the final URL. 0 of 2 profiles confirmed stored.'
    );
    expect(standIn.requests.map((r) => r.status)).toEqual([301]);
  });

  it('a 6 MiB error body is read only in part and quoted in a few hundred characters; the profiles then land', async () => {
    standIn.setFaults({ hugeError: 1, hugeErrorBytes: 6 * 1024 * 1024 });
    const from = String(Date.now() - 60_000);
    const { code, out, err } = await run([
      'push',
      PYSPY,
      '--service',
      'cli',
      '--from',
      from,
      '--pyroscope',
      pyroscopeUrl,
    ]);
    // The 400 named no profile: each was sent alone and stored.
    expect(code).toBe(0);
    expect(out.length + err.length).toBeLessThan(5_000);
    expect(standIn.series().map((s) => s.labels.thread_name)).toEqual(['MainThread', 'GetTelemetryConfig']);
  });

  it('push answered by an HTML login page with 200 is not a success', async () => {
    standIn.setFaults({ html200: 1 });
    const from = String(Date.now() - 60_000);
    const { code, out } = await run(['push', PYSPY, '--service', 'cli', '--from', from, '--pyroscope', pyroscopeUrl]);
    expect(code).toBe(1);
    expect(out).toMatch(/NOT complete: HTTP 200 with text\/html; charset=utf-8: "<!doctype html>/);
    expect(standIn.stored).toHaveLength(0);
  });

  it('refuses impossible dates, times beyond int64 nanoseconds, out-of-range sample rates and control characters in values', async () => {
    const out = join(dir, 'never');
    const convert = (...extra: string[]) => run(['convert', PYSPY, '--service', 's', '--out', out, ...extra]);
    expect(await convert('--from', '2026-02-30T10:00:00Z')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^error: --from: "2026-02-30T10:00:00Z" is not a valid date and time\n/),
    });
    expect((await convert('--from', '2025-02-29T10:00:00Z')).code).toBe(2);
    expect((await convert('--from', '2026-11-25T24:00:00Z')).code).toBe(2);
    expect(await convert('--from', '2262-04-12T00:00:00Z')).toMatchObject({
      code: 2,
      err: expect.stringMatching(
        /is outside what Pyroscope's timestamps hold \(after 1970, up to 2262-04-11T23:47:16\.854Z\)/
      ),
    });
    expect((await convert('--from', '9999999999999999')).code).toBe(2);
    expect((await convert('--from', '1764068400000', '--to', '1764068300000')).err).toMatch(
      /^error: --to must be after --from/
    );
    expect((await convert('--from', '1764068400000', '--sample-rate', '1e300')).err).toMatch(
      /^error: --sample-rate: 1e300 is outside 0…1000000\n/
    );
    expect((await convert('--from', '1764068400000', '--sample-rate', '0')).code).toBe(2);
    expect((await convert('--from', '1764068400000', '--service', 'a\nb')).err).toMatch(
      /^error: --service: "a\\nb" would be stored as "a b" \(label values hold no control characters, runs of spaces, broken UTF-16, nor more than 2048 bytes\); give the value as it should be stored\n/
    );
    expect((await convert('--from', '1764068400000', '--label', 'env=x\u001b[31m')).err).toMatch(
      /^error: --label: "x\\u001b\[31m" would be stored as "x \[31m"/
    );
    expect(await readdir(dir)).not.toContain('never');
  });

  it('accepts a leap day, fractions of seconds and offsets', async () => {
    const out = join(dir, 'leap');
    const { code } = await run([
      'convert',
      PYSPY,
      '--service',
      's',
      '--out',
      out,
      '--from',
      '2028-02-29T10:00:00.5+02:00',
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(plan.profiles[0].timeNanos).toBe(String(BigInt(Date.parse('2028-02-29T08:00:00.500Z')) * 1_000_000n));
  });

  it('convert --out refuses a non-empty folder it did not write, and replaces only its own files', async () => {
    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const args = ['convert', PYSPY, '--service', 's', '--from', '1764068400000', '--out'];
    expect(await run([...args, foreign])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^error: --out: .*foreign is not empty and was not written by convert/),
    });
    expect(await readdir(foreign)).toEqual(['notes.txt']);

    const own = join(dir, 'own');
    expect((await run([...args, own])).code).toBe(0);
    // As if an earlier run had written two requests: the stale one must not survive the next run.
    await writeFile(join(own, 'requests/0002.json'), '{"series":[]}');
    await writeFile(join(own, 'extra.txt'), 'not convert-made');
    const marker = JSON.parse(await readFile(join(own, OUTPUT_MARKER), 'utf8'));
    await writeFile(
      join(own, OUTPUT_MARKER),
      JSON.stringify({ ...marker, files: [...marker.files, 'requests/0002.json'] })
    );
    expect((await run([...args, own])).code).toBe(0);
    expect(await readdir(join(own, 'requests'))).toEqual(['0001.json']);
    expect((await readdir(own)).sort()).toEqual([OUTPUT_MARKER, 'extra.txt', 'plan.json', 'requests']);
  });

  it('escapes control characters of names in terminal output', async () => {
    const path = await speedscopeFile(dir, 'escape.json', 'red\u001b[31m\nnext\u202eline');
    const { code, out } = await run(['inspect', path]);
    expect(code).toBe(0);
    expect(out).not.toMatch(/[\u001b\u202e]/);
    expect(out).toContain('red\\x1b[31m\\nnext\\u202eline');
  });
});

describe('npm run cli', () => {
  // A child process (npm, then tsx compiling the tool) can take long on a loaded machine; only the outcome counts.
  it('runs the real entry point, with the exit code of a partial run', async () => {
    const child = promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'inspect', CLAW, '/nonexistent/x.json'], {
      cwd: resolve(__dirname, '../..'),
    });
    const failure = await child.then(
      () => undefined,
      (e: { code: number; stdout: string }) => e
    );
    expect(failure?.code).toBe(3);
    expect(failure?.stdout.split('\n')[2]).toMatch(
      /^odd-clawscript-unit-samples-empty-profile\.speedscope\.json\s+0\s+CPU samples\s+sampled\s+samples\s+0\s+0\s+0\s+0$/
    );
  }, 180_000);
});
