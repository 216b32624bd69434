/**
 * Part of `npm run e2e:local`, once per host of the compatibility matrix (hostBundle.ts): the stand-in's page runs
 * the React and @grafana/ui of the chosen host's package folder, and the plugin loads and renders in it without a
 * single error or React warning on the console (a bundled React 18 jsx-runtime inside a React 19 host, removed
 * React APIs, or a second copy of React all show up there first).
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_ID, UploadPage } from '../e2e-local/uploadPage';
import { grafanaHost, hostPackagesDir } from './hostBundle';
import { standInsForSpec } from '../e2e-local/standIns';

const installedVersion = (name: string) =>
  (
    JSON.parse(readFileSync(join(hostPackagesDir(), 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const HOST_ASSETS = /^\/public\/(fonts|img|build\/img)\//;

const standIns = standInsForSpec();

test(`Grafana ${grafanaHost()} host: one React, the host's, and the plugin renders with a clean console`, async ({
  page,
}) => {
  const react = installedVersion('react');
  const ui = installedVersion('@grafana/ui');
  expect(react.split('.')[0]).toBe(grafanaHost() === '13' ? '19' : '18');
  expect(ui.split('.')[0]).toBe(grafanaHost());
  // React DOM announces itself to the devtools hook when it loads: record every renderer in the page.
  await page.addInitScript(() => {
    const renderers: Array<{ version: string; rendererPackageName: string }> = [];
    (window as unknown as { __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown }).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      renderers: new Map(),
      supportsFiber: true,
      inject: (renderer: { version: string; rendererPackageName: string }) => renderers.push(renderer),
      onCommitFiberRoot: () => {},
      onCommitFiberUnmount: () => {},
      onPostCommitFiberRoot: () => {},
      checkDCE: () => {},
    };
    (window as unknown as { __renderers: typeof renderers }).__renderers = renderers;
  });

  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // Failed requests are judged below by their URL.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console.error: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    // Grafana core's own fonts and images, which the stand-in does not have, are not the plugin's concern.
    if (r.status() >= 400 && !HOST_ASSETS.test(new URL(r.url()).pathname)) {
      problems.push(`${r.status()} ${r.url()}`);
    }
  });

  const upload = new UploadPage(page, standIns.grafanaUrl);
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-3threads-large.speedscope.json');
  await expect(upload.threadButton('Thread 725838 ""')).toBeVisible();
  expect(await upload.flameGraphInkedPixels()).toBeGreaterThan(1000);
  await upload.threadButton('Thread 726008 "GetTelemetryConfig"').click();
  await expect(upload.pushButton()).toBeEnabled();

  await page.goto(`${standIns.grafanaUrl}/plugins/${PLUGIN_ID}`);
  await expect(page.getByRole('button', { name: /save/i }).first()).toBeVisible();

  const renderers = await page.evaluate(() =>
    (window as unknown as { __renderers: Array<{ version: string; rendererPackageName: string }> }).__renderers.map(
      (r) => `${r.rendererPackageName}@${r.version}`
    )
  );
  expect(renderers).toEqual([`react-dom@${installedVersion('react-dom')}`]);
  expect(problems).toEqual([]);
});
