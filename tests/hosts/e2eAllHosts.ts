/**
 * `npm run e2e:local`: the browser suite once per Grafana host of the compatibility matrix (hostBundle.ts), or only
 * the host `GRAFANA_HOST` names. Arguments pass through to Playwright (`npm run e2e:local -- -g "light theme"`).
 * Every host runs even when an earlier one fails; the exit code is 1 if any failed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GRAFANA_HOSTS, grafanaHost } from './hostBundle';

const hosts = process.env.GRAFANA_HOST ? [grafanaHost()] : GRAFANA_HOSTS;
const config = join(__dirname, '../e2e-local/playwright.config.ts');
const failed = hosts.filter((host) => {
  process.stdout.write(`\n== browser suite against the Grafana ${host} host (tests/hosts/grafana-${host})\n`);
  const run = spawnSync('npx', ['playwright', 'test', '-c', config, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, GRAFANA_HOST: host },
  });
  return run.status !== 0;
});
process.stdout.write(
  failed.length
    ? `\n== failed against the Grafana ${failed.join(' and ')} host${failed.length > 1 ? 's' : ''}\n`
    : `\n== passed against the Grafana ${hosts.join(' and ')} host${hosts.length > 1 ? 's' : ''}\n`
);
process.exit(failed.length ? 1 : 0);
