import { expect, Locator, test } from '@playwright/test';
import { join } from 'node:path';
import { UploadPage } from './uploadPage';
import { standInsForSpec } from './standIns';

/**
 * The thread preview's flame graph: @grafana/flamegraph's graph and header, with the plugin's own top table in the
 * library's place (src/pages/Upload/ui/FlameGraphTopTable.tsx). The table must behave as the library's did: the same
 * rows and totals, sorting, and the same ties to the graph's search and sandwich view.
 */

const standIns = standInsForSpec();
const SHOTS = join(__dirname, '../../test-results');

test.beforeEach(() => {
  standIns.grafana.role = 'Editor';
  standIns.grafana.theme = 'dark';
});

/** Each mounted body row's cells after the actions: symbol, self, total. */
const tableRows = (table: Locator) =>
  table
    .getByRole('row')
    .filter({ has: table.page().getByRole('cell') })
    .evaluateAll((rows) =>
      rows
        .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
        .map((row) => Array.from(row.querySelectorAll('[role=cell]'), (cell) => cell.textContent ?? '').slice(1))
    );

test('the top table lists every function with its self and total, sorts, and drives the graph’s search and sandwich view', async ({
  page,
}) => {
  const upload = new UploadPage(page, standIns.grafanaUrl);
  await upload.goto();
  // One evented thread: a [0, 14) > b [0, 14) > c [0, 2), d [2, 6), c [6, 9), in a unitless count.
  await upload.dropFiles('speedscope-0.0.1-simple-evented.speedscope.json');
  const table = page.getByTestId('thread-flame-graph').getByTestId('topTable');
  const functions = table.getByRole('table', { name: 'Functions by self and total' });
  await expect(functions).toHaveAttribute('aria-rowcount', '6');

  // By self, largest first, as the library's table starts; ties in the graph's order (heaviest first).
  await expect
    .poll(() => tableRows(table))
    .toEqual([
      ['b', '5', '14'],
      ['c', '5', '5'],
      ['d', '4', '4'],
      ['total', '0', '14'],
      ['a', '0', '14'],
    ]);
  await expect(table.getByRole('columnheader', { name: 'Self' })).toHaveAttribute('aria-sort', 'descending');

  await table.getByRole('button', { name: 'Total', exact: true }).click();
  await expect(table.getByRole('columnheader', { name: 'Total' })).toHaveAttribute('aria-sort', 'descending');
  await expect
    .poll(() => tableRows(table))
    .toEqual([
      ['total', '0', '14'],
      ['a', '0', '14'],
      ['b', '5', '14'],
      ['c', '5', '5'],
      ['d', '4', '4'],
    ]);
  await table.getByRole('button', { name: 'Symbol', exact: true }).click();
  await expect
    .poll(() => tableRows(table))
    .toEqual([
      ['a', '0', '14'],
      ['b', '5', '14'],
      ['c', '5', '5'],
      ['d', '4', '4'],
      ['total', '0', '14'],
    ]);

  // The search button sets the graph's search (its header shows it) and the table keeps the matching function.
  const rowOf = (symbol: string) =>
    table.getByRole('row').filter({ has: page.getByRole('button', { name: symbol, exact: true }) });
  await rowOf('c').getByRole('button', { name: 'Search for symbol' }).click();
  await expect(page.getByTestId('thread-flame-graph').getByPlaceholder('Search...')).toHaveValue('^c$');
  await expect.poll(() => tableRows(table)).toEqual([['c', '5', '5']]);
  await rowOf('c').getByRole('button', { name: 'Clear from search' }).click();
  await expect.poll(() => tableRows(table)).toHaveLength(5);

  // The sandwich button opens the graph's sandwich view on that function, and its pill closes it.
  await rowOf('d').getByRole('button', { name: 'Show in sandwich view' }).click();
  const closeSandwich = page.getByTestId('thread-flame-graph').getByRole('button', { name: 'Remove sandwich view' });
  await expect(closeSandwich).toBeVisible();
  await expect(rowOf('d').getByRole('button', { name: 'Remove from sandwich view' })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'flame-graph-sandwich.png'), fullPage: true });
  await closeSandwich.click();
  await expect(rowOf('d').getByRole('button', { name: 'Show in sandwich view' })).toBeVisible();

  // The header's "Top Table" view gives the table the whole width and the library's fixed height: still every row.
  await page.getByTestId('thread-flame-graph').getByRole('radio', { name: 'Top Table' }).check();
  await expect(page.getByTestId('thread-flame-graph').getByTestId('flameGraph')).toHaveCount(0);
  await expect.poll(() => tableRows(table)).toHaveLength(5);
  expect((await table.boundingBox())?.height).toBeGreaterThan(400);
});

test('a thread with hundreds of functions mounts only the rows in view, and scrolling reaches the last', async ({
  page,
}) => {
  const upload = new UploadPage(page, standIns.grafanaUrl);
  await upload.goto();
  await upload.dropFiles('py-spy-0.4.1-3threads-large.speedscope.json');
  await expect(page.getByRole('heading', { name: /^Flame graph: / })).toHaveText('Flame graph: Thread 725838 ""');
  const table = page.getByTestId('thread-flame-graph').getByTestId('topTable');
  const functions = table.getByRole('table', { name: 'Functions by self and total' });
  // Once the whole graph is drawn: 386 function names in its drawn nodes, and the total (a header row besides).
  await expect(functions).toHaveAttribute('aria-rowcount', '388');
  const mounted = (await tableRows(table)).length;
  console.log(`Top table of the large py-spy thread: 387 rows, ${mounted} of them mounted`);
  expect(mounted).toBeGreaterThan(10);
  expect(mounted).toBeLessThan(60);
  await page.screenshot({ path: join(SHOTS, 'flame-graph-top-table.png'), fullPage: true });

  // Scrolled to its end, the table shows its last row.
  await table
    .getByRole('rowgroup')
    .nth(1)
    .evaluate((body) => body.scrollTo({ top: body.scrollHeight }));
  await expect(table.locator('[role=row][aria-rowindex="388"]')).toBeVisible();
  expect((await tableRows(table)).length).toBeLessThan(60);
});
