import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { dirname } from 'node:path';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;

/**
 * Read environment variables from file.
 * https://github.com/motdotla/dotenv
 */
// require('dotenv').config();

/**
 * Specs for a REAL Grafana + Pyroscope (`npm run server`, then `GRAFANA_URL=http://localhost:3000 npm run e2e`).
 * Without GRAFANA_URL they are skipped. The suite that runs everywhere is tests/e2e-local (stand-ins).
 */
export default defineConfig<PluginOptions>({
  testDir: './tests/e2e',
  /* Run tests in files in parallel */
  fullyParallel: true,
  /* Fail the build on CI if you accidentally left test.only in the source code. */
  forbidOnly: !!process.env.CI,
  /* Retry on CI only */
  retries: process.env.CI ? 2 : 0,
  /* Reporter to use. See https://playwright.dev/docs/test-reporters */
  reporter: 'html',
  /* Shared settings for all the projects below. See https://playwright.dev/docs/api/class-testoptions. */
  use: {
    /* Base URL to use in actions like `await page.goto('/')`. */
    baseURL: process.env.GRAFANA_URL || 'http://localhost:3000',

    /* Collect trace when retrying the failed test. See https://playwright.dev/docs/trace-viewer */
    trace: 'on-first-retry',
  },

  /* Configure projects for major browsers */
  projects: process.env.GRAFANA_URL
    ? [
        // 1. Login to Grafana and store the cookie on disk for use in other tests.
        { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
        // 2. Run tests in Chromium. Every test will start authenticated as admin user.
        {
          name: 'chromium',
          use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/admin.json' },
          dependencies: ['auth'],
        },
      ]
    : // Without a Grafana there is nothing to log in to: the specs skip themselves, saying why.
      [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
});
