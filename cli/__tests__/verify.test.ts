import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_FIXTURES } from '../../tests/helpers/fixtures';
import { DATASOURCE_UID, GrafanaStandIn } from '../../tests/standins/grafanaStandIn';
import { PyroscopeStandIn } from '../../tests/standins/pyroscopeStandIn';
import { runCli } from '../main';

const PYSPY = join(PROJECT_FIXTURES, 'py-spy-0.4.1-2threads-small.speedscope.json');
const TWO = join(PROJECT_FIXTURES, 'speedscope-0.6.0-two-sampled.speedscope.json');

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

/** Rows of the read-back table: [file, #, thread, type, read back, profiles]. */
const readBackRows = (out: string) => {
  const lines = out.split('\n');
  const header = lines.findIndex((l) => l.startsWith('file') && l.includes('read back'));
  return lines
    .slice(header + 2)
    .filter((l) => l.includes('.json  '))
    .map((l) => l.split(/\s{2,}/).slice(0, 6));
};

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

let pyroscope: PyroscopeStandIn;
let pyroscopeUrl: string;
beforeAll(async () => {
  pyroscope = new PyroscopeStandIn();
  pyroscopeUrl = await pyroscope.start();
});
afterAll(() => pyroscope.stop());
beforeEach(() => pyroscope.reset());

describe('cli push --verify', () => {
  it('reads every pushed series back and finds it exactly', async () => {
    const from = String(Date.now() - 60_000);
    const { code, out } = await run([
      'push',
      PYSPY,
      '--service',
      'cli',
      '--from',
      from,
      '--slice-seconds',
      '2',
      '--pyroscope',
      pyroscopeUrl,
      '--verify',
    ]);
    expect(code).toBe(0);
    const file = 'py-spy-0.4.1-2threads-small.speedscope.json';
    expect(readBackRows(out)).toEqual([
      [file, '0', 'Thread 680254 "MainThread"', CPU, 'arrived exactly', '2/2'],
      [file, '1', 'Thread 680344 "GetTelemetryConfig"', CPU, 'arrived exactly', '1/1'],
    ]);
    expect(out).toContain('arrived exactly: 2 profiles, total 2.48 s');
    expect(out).toContain(`verified 2 series at ${pyroscopeUrl}: 2 arrived in full (1 round of queries)`);
  });
});

describe('cli verify <plan.json>', () => {
  async function convertAndPush(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    const from = String(Date.now() - 60_000);
    const common = ['--service', 'cli', '--from', from, '--slice-seconds', '2'];
    expect((await run(['convert', PYSPY, TWO, ...common, '--out', dir])).code).toBe(0);
    expect((await run(['push', PYSPY, TWO, ...common, '--pyroscope', pyroscopeUrl])).code).toBe(0);
    return join(dir, 'plan.json');
  }

  it('finds what convert planned and push sent, through the Grafana datasource proxy too', async () => {
    const plan = await convertAndPush();
    const json = JSON.parse(await readFile(plan, 'utf8'));
    expect(typeof json.fromMs).toBe('number');
    const direct = await run(['verify', plan, '--pyroscope', pyroscopeUrl]);
    expect(direct.code).toBe(0);
    expect(readBackRows(direct.out).map((r) => [r[2], r[4], r[5]])).toEqual([
      ['Thread 680254 "MainThread"', 'arrived exactly', '2/2'],
      ['Thread 680344 "GetTelemetryConfig"', 'arrived exactly', '1/1'],
      ['one', 'arrived exactly', expect.stringMatching(/^(\d+)\/\1$/)],
      ['two', 'arrived exactly', expect.stringMatching(/^(\d+)\/\1$/)],
    ]);

    const grafana = new GrafanaStandIn({ pyroscopeUrl, buildHost: false });
    const grafanaUrl = await grafana.start();
    try {
      const proxied = await run(['verify', plan, '--grafana', grafanaUrl, '--datasource', DATASOURCE_UID], {
        GRAFANA_TOKEN: 'glsa_test',
      });
      expect(proxied.code).toBe(0);
      expect(readBackRows(proxied.out).map((r) => r[4])).toEqual(Array(4).fill('arrived exactly'));
    } finally {
      await grafana.stop();
    }
  });

  it('says "missing 1" and exits 3 when a stored profile is gone', async () => {
    const plan = await convertAndPush();
    const removed = pyroscope.removeProfile({ thread_name: 'MainThread' });
    expect(removed?.total).toBe(2_000_000_000);
    const { code, out, err } = await run(['verify', plan, '--pyroscope', pyroscopeUrl, '--verify-rounds', '1']);
    expect(code).toBe(3);
    expect(readBackRows(out)[0].slice(4)).toEqual(['missing 1', '1/2']);
    expect(out).toContain('missing 1: 1 of 2 profiles not found; total 480 ms of 2.48 s (2 s short)');
    expect(out).toContain('3 arrived in full, 1 not (1 round of queries)');
    expect(err).toBe('');
  });

  it('exits 1 when nothing of the plan is there, and refuses a file that is not a plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-'));
    const from = String(Date.now() - 60_000);
    expect((await run(['convert', PYSPY, '--service', 'cli', '--from', from, '--out', dir])).code).toBe(0);
    const nothing = await run(['verify', join(dir, 'plan.json'), '--pyroscope', pyroscopeUrl, '--verify-rounds', '1']);
    expect(nothing.code).toBe(1);
    expect(readBackRows(nothing.out).map((r) => r[4])).toEqual(['not queryable yet', 'not queryable yet']);

    const bogus = join(dir, 'other.json');
    await writeFile(bogus, '{"hello": 1}');
    const refused = await run(['verify', bogus, '--pyroscope', pyroscopeUrl]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('error: plan.json has no profiles');
  });
});
