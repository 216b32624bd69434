import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the LOCAL STAND-INS for Grafana and Pyroscope (tests/standins/), with Debian's Chromium
 * (`apt-get install chromium`). The suite starts and stops the stand-ins itself. `npm run e2e:local`.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  workers: 1,
  timeout: 90_000,
  reporter: [['list']],
  outputDir: '../../test-results/e2e-local',
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
