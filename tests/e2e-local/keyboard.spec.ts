import { expect, FileChooser, Locator, Page, test } from '@playwright/test';
import { join } from 'node:path';
import { FIXTURES, UploadPage } from './uploadPage';
import { standInsForSpec } from './standIns';

/**
 * The Upload page with the keyboard only: no click, no fill, no setInputFiles. Files come through the browser's file
 * chooser (Playwright's `filechooser` event answers it, as the user's OS dialog would), opened with Enter and Space.
 * Tab presses are counted: each bound below is what the issue allows a keyboard user to spend getting somewhere.
 */

const standIns = standInsForSpec();

test.beforeEach(() => {
  standIns.pyroscope.reset();
  standIns.grafana.role = 'Editor';
  standIns.grafana.theme = 'dark';
});

const isFocused = (target: Locator) => target.evaluate((element) => element === document.activeElement);

/** What has focus, for failure messages: tag, role and accessible name or text. */
const describeFocus = (page: Page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) {
      return '<body>';
    }
    const name = e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 60) ?? '';
    return `<${e.tagName.toLowerCase()}${e.getAttribute('role') ? ` role=${e.getAttribute('role')}` : ''}> ${name}`;
  });

/**
 * Presses Tab until `target` has focus and returns how many presses that took; fails after `max` presses, listing
 * every stop on the way.
 */
async function tabTo(page: Page, target: Locator, max: number): Promise<number> {
  const stops: string[] = [];
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) {
      return presses;
    }
    stops.push(await describeFocus(page));
  }
  throw new Error(`not reached in ${max} Tab presses; focus went through:\n${stops.join('\n')}`);
}

/** Opens the file chooser from the focused dropzone with `key` and answers it with fixtures. */
async function chooseWithKey(page: Page, key: 'Enter' | ' ', names: string[]) {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press(key)]);
  expect((chooser as FileChooser).isMultiple()).toBe(true);
  await chooser.setFiles(names.map((n) => join(FIXTURES, n)));
}

// Six threads: three of a py-spy file, two of one sampled file, one evented.
const FILES = [
  'py-spy-0.4.1-3threads-large.speedscope.json',
  'speedscope-0.6.0-two-sampled.speedscope.json',
  'speedscope-0.0.1-simple-evented.speedscope.json',
];

test('keyboard only: choose files with Enter and Space, exclude a thread, show one, name the service, push, open a result', async ({
  page,
}) => {
  const upload = new UploadPage(page, standIns.grafanaUrl);
  await upload.goto();
  const dropzone = page.getByRole('button', { name: 'Drop Speedscope files here, or click to choose them' });
  // The host's chrome has nothing to focus before the page: the dropzone is the first stop, with a focus ring.
  const zone = page.getByTestId('dropzone');
  await expect(zone).toHaveCSS('box-shadow', 'none');
  expect(await tabTo(page, dropzone, 1)).toBe(1);
  await expect(zone).not.toHaveCSS('box-shadow', 'none');
  await page.screenshot({ path: join(__dirname, '../../test-results/keyboard-dropzone-focus.png') });
  await chooseWithKey(page, 'Enter', FILES.slice(0, 2));
  await expect(upload.threadButton('two')).toBeVisible();
  await expect(dropzone).toBeFocused();
  await chooseWithKey(page, ' ', FILES.slice(2));
  await expect(upload.threadButton('simple.txt')).toBeVisible();
  await expect(upload.pushButton()).toHaveText('Push 6 profiles of 6 threads');

  // Space on a thread's checkbox excludes it from the push.
  const include = page.getByRole('checkbox', {
    name: /^Include speedscope-0\.6\.0-two-sampled\.speedscope\.json profile 0/,
  });
  const toInclude = await tabTo(page, include, 40);
  await page.keyboard.press(' ');
  await expect(include).not.toBeChecked();
  await expect(upload.pushButton()).toHaveText('Push 5 profiles of 5 threads');

  // Enter on a thread's name shows its flame graph, and focus stays on that button.
  const two = upload.threadButton('two');
  const toThread = await tabTo(page, two, 10);
  await page.keyboard.press('Enter');
  await expect(two).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('heading', { name: 'Flame graph: two' })).toBeVisible();
  expect(await describeFocus(page), 'focus after Enter on a thread').not.toBe('<body>');
  await expect(two).toBeFocused();

  // The service name, typed.
  const service = page.getByRole('textbox', { name: /Service name/ });
  const toService = await tabTo(page, service, 300);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('keyboard-only');
  await expect(service).toHaveValue('keyboard-only');

  // From the service name to Push: a handful of presses, not a page's worth.
  const toPush = await tabTo(page, upload.pushButton(), 15);
  await expect(upload.pushButton()).toHaveText('Push 5 profiles of 5 threads');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible({ timeout: 30_000 });
  // Three producers, so one service per file, each named after the service typed.
  expect(standIns.pyroscope.series().map((s) => s.labels.service_name)).toEqual([
    ...Array(3).fill('keyboard-only-py-spy-0.4.1-3threads-large'),
    'keyboard-only-speedscope-0.6.0-two-sampled',
    'keyboard-only-speedscope-0.0.1-simple-evented',
  ]);

  // To the first pushed thread's Explore link, and Enter follows it.
  const explore = upload
    .results()
    .first()
    .getByRole('link', { name: /Explore/ });
  const toExplore = await tabTo(page, explore, 15);
  const href = await explore.getAttribute('href');
  expect(href).toMatch(/^\/explore\?schemaVersion=1&panes=/);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.href === new URL(href!, standIns.grafanaUrl).href);

  console.log(
    `Tab presses: dropzone → include checkbox ${toInclude}, → thread button ${toThread}, → service name ${toService}, ` +
      `→ Push ${toPush}, Push → Explore link ${toExplore}`
  );
});

/**
 * Presses Tab from the focused element towards `target`, taking a skip link when one has focus (Enter, as a keyboard
 * user would), counting the stops inside the flame graph; gives up once more than `maxInFlameGraph` of them were
 * needed (the symbol table of a large thread holds hundreds, scrolled in as focus moves) or after `max` presses.
 */
async function walkTo(page: Page, target: Locator, max: number, maxInFlameGraph: number) {
  const element = await target.elementHandle();
  let presses = 0;
  let inFlameGraph = 0;
  for (;;) {
    const focus = await page.evaluate(
      (t) => ({
        reached: document.activeElement === t,
        skip: /^skip\b/i.test(document.activeElement?.textContent?.trim() ?? ''),
        inFlameGraph: Boolean(document.activeElement?.closest('[data-testid="thread-flame-graph"]')),
      }),
      element
    );
    inFlameGraph += focus.inFlameGraph ? 1 : 0;
    if (focus.reached || inFlameGraph > maxInFlameGraph || presses >= max) {
      return { reached: focus.reached, presses, inFlameGraph };
    }
    await page.keyboard.press(focus.skip ? 'Enter' : 'Tab');
    presses++;
  }
}

test('the flame graph can be passed over with the keyboard: from the dropzone to Push with at most 3 of its stops', async ({
  page,
}) => {
  const upload = new UploadPage(page, standIns.grafanaUrl);
  await upload.goto();
  const dropzone = page.getByRole('button', { name: 'Drop Speedscope files here, or click to choose them' });
  await tabTo(page, dropzone, 1);
  await chooseWithKey(page, 'Enter', FILES);
  await expect(upload.pushButton()).toHaveText('Push 6 profiles of 6 threads');
  // The first thread's flame graph, the large py-spy thread's (its symbol table alone holds hundreds of stops).
  await expect(page.getByRole('heading', { name: /^Flame graph: / })).toHaveText('Flame graph: Thread 725838 ""');
  await expect(page.getByTestId('thread-flame-graph').getByTestId('flameGraph')).toBeVisible();
  const toPush = await walkTo(page, upload.pushButton(), 100, 3);
  console.log(
    `Key presses with 6 threads, dropzone → Push: ${toPush.reached ? toPush.presses : `not reached after ${toPush.presses}`}, ` +
      `${toPush.inFlameGraph} of them in the flame graph`
  );
  expect(toPush.inFlameGraph, 'stops inside the flame graph between the dropzone and Push').toBeLessThanOrEqual(3);
  expect(toPush.reached, 'Push reached').toBe(true);
});
