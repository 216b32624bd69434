import { expect, Locator, Page, test } from '@playwright/test';
import { source as axeSource } from 'axe-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATASOURCE_UID, GrafanaStandIn } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';
import { UploadPage } from './uploadPage';

/**
 * Exploration in place: after a push, Profiles Drilldown's exposed component when this Grafana's extension registry
 * offers it (the stand-in host renders a component that prints the props it was given), the links otherwise.
 */
const EMBEDDED = 'grafana-pyroscope-app/embedded-profiles-exploration/v1';
const SERVICE = 'explored';

let pyroscope: PyroscopeStandIn;
let grafana: GrafanaStandIn;

test.beforeAll(() => {
  expect(
    existsSync(join(__dirname, '../../dist/module.js')),
    'run `npm run build` first: the tests load the production bundle'
  ).toBe(true);
});

test.afterEach(async () => {
  await grafana?.stop();
  await pyroscope?.stop();
});

async function pushTwoThreads(page: Page, exposedComponents: string[]): Promise<UploadPage> {
  pyroscope = new PyroscopeStandIn();
  const pyroscopeUrl = await pyroscope.start();
  grafana = new GrafanaStandIn({ pyroscopeUrl, exposedComponents });
  const upload = new UploadPage(page, await grafana.start());
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
  await upload.setService(SERVICE);
  await upload.push(/^Push 2 profiles of 2 threads$/);
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible();
  return upload;
}

/** The range every link of the push covers, read from an Explore link. */
async function linkRange(page: Page): Promise<{ from: number; to: number }> {
  const explore = await page
    .getByRole('link', { name: /Explore/ })
    .first()
    .getAttribute('href');
  const { from, to } = JSON.parse(decodeURIComponent(explore!.split('panes=')[1])).upload.range;
  return { from: Number(from), to: Number(to) };
}

/** The props the stand-in's exposed component printed. */
async function shownProps(page: Page) {
  const component = page.getByTestId('exposed-component');
  await expect(component).toHaveAttribute('data-component-id', EMBEDDED);
  return JSON.parse(await component.locator('pre').innerText());
}

/** axe-core's violations inside one part of the page (rule and target of each); the whole page is a11y.spec's. */
async function axeViolations(page: Page, part: Locator): Promise<string[]> {
  await page.mouse.move(0, 0);
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: axeSource });
  }
  return part.evaluate(async (element) => {
    const axe = (window as unknown as { axe: { run: (context: Element) => Promise<import('axe-core').AxeResults> } })
      .axe;
    const { violations } = await axe.run(element);
    return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

test('with Profiles Drilldown’s exposed component, the pushed upload is explored in the page', async ({ page }) => {
  await pushTwoThreads(page, [EMBEDDED]);
  await expect(page.getByRole('heading', { name: 'Explore what arrived' })).toBeVisible();
  const { from, to } = await linkRange(page);

  // By default the service with all its pushed threads, on the push's datasource and range.
  expect(await shownProps(page)).toEqual({
    initialDS: DATASOURCE_UID,
    initialFilters: [{ key: 'service_name', operator: '=', value: SERVICE }],
    // A DateTime prints as its ISO time; the raw text is the same instant.
    initialTimeRange: {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      raw: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    },
  });

  // One thread: its own labels as filters, in a new exploration (it reads its props once).
  await page.getByRole('combobox', { name: 'Explore' }).click();
  await page.getByRole('option', { name: /thread MainThread$/ }).click();
  await expect(page.getByTestId('exposed-component')).toContainText('MainThread');
  expect((await shownProps(page)).initialFilters).toEqual([
    { key: 'service_name', operator: '=', value: SERVICE },
    { key: 'thread_name', operator: '=', value: 'MainThread' },
    { key: 'thread_id', operator: '=', value: '680254' },
  ]);

  // The links stay beside it.
  await expect(page.getByRole('link', { name: /Drilldown/ })).toHaveCount(2);
  const section = page.getByRole('region', { name: 'Explore what arrived' });
  expect(await axeViolations(page, section)).toEqual([]);
});

test('without it, the push results link to Profiles Drilldown and nothing is embedded', async ({ page }) => {
  await pushTwoThreads(page, []);
  await expect(page.getByRole('link', { name: /Drilldown/ })).toHaveCount(2);
  await expect(page.getByRole('heading', { name: 'Explore what arrived' })).toHaveCount(0);
  await expect(page.getByTestId('exposed-component')).toHaveCount(0);
});

test('before a second push: the data already there is named, and the upload is placed after it', async ({ page }) => {
  const upload = await pushTwoThreads(page, []);
  await expect(upload.arrivals().getByText('arrived exactly', { exact: true })).toHaveCount(2);
  const first = pyroscope.series().map((s) => ({ thread: s.labels.thread_name, total: s.total, times: s.timeNanos }));

  // Checked again after the push, through the same datasource proxy: the same totals are there now.
  await expect(page.getByText('This upload seems to be stored already')).toBeVisible();
  await expect(
    page.getByText(/^All 2 threads already have profiles between \d\d:\d\d:\d\d and \d\d:\d\d:\d\d, with exactly/)
  ).toBeVisible();
  expect(await axeViolations(page, page.getByTestId('existing-data'))).toEqual([]);
  await page.getByRole('button', { name: 'Place after the existing data' }).click();
  await expect(page.getByTestId('existing-data')).toBeFocused();
  await expect(page.getByText('No profiles are stored under these labels in the range yet.')).toBeVisible();

  await upload.push(/^Push 2 profiles of 2 threads$/);
  await expect(upload.arrivals().getByText('arrived exactly', { exact: true })).toHaveCount(2);
  // A second copy, each profile after every profile of the first: twice the totals, nothing merged at compaction.
  const second = pyroscope.series().map((s) => ({ thread: s.labels.thread_name, total: s.total, times: s.timeNanos }));
  expect(second.map((s) => [s.thread, s.total])).toEqual(first.map((s) => [s.thread, 2 * s.total]));
  const lastOfFirst = Math.max(...first.flatMap((s) => s.times.map(Number)));
  for (const s of second) {
    const added = s.times.map(Number).filter((t) => !first.some((f) => f.times.map(Number).includes(t)));
    expect(added).toHaveLength(s.times.length / 2);
    expect(Math.min(...added)).toBeGreaterThan(lastOfFirst);
  }
  expect(pyroscope.compact()).toBe(0);
});
