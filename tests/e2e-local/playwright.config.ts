import { defineConfig } from '@playwright/test';
import { grafanaHost } from '../hosts/hostBundle';

/**
 * Browser tests against the LOCAL STAND-INS for Grafana and Pyroscope (tests/standins/), with Debian's Chromium
 * (`apt-get install chromium`). The suite starts and stops the stand-ins itself. `npm run e2e:local` runs it once
 * per Grafana host of the compatibility matrix (tests/hosts/hostBundle.ts); `GRAFANA_HOST=13` picks one.
 */
const host = grafanaHost();

export default defineConfig({
  testDir: '..',
  testMatch: ['e2e-local/*.spec.ts', 'hosts/*.spec.ts'],
  workers: 1,
  timeout: 90_000,
  reporter: [['list']],
  outputDir: `../../test-results/e2e-local/grafana-${host}`,
  projects: [{ name: `grafana-${host}` }],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
  },
});
