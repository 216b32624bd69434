import { expect, test } from '@grafana/plugin-e2e';
import { join } from 'node:path';

const PLUGIN_ID = 'flamedrop-speedscope-app';
const FIXTURES = join(__dirname, '../fixtures/speedscope');

test.skip(
  !process.env.GRAFANA_URL,
  'needs a real Grafana and Pyroscope: run `npm run server`, then set GRAFANA_URL=http://localhost:3000'
);

test('uploads every thread of a py-spy file as its own series through the datasource proxy', async ({
  gotoAppPage,
  page,
  request,
}) => {
  const service = `e2e-${Date.now()}`;
  await gotoAppPage({ pluginId: PLUGIN_ID, path: '/upload' });
  await page.setInputFiles('input[type=file]', [join(FIXTURES, 'py-spy-0.4.1-3threads-large.speedscope.json')]);
  await expect(page.getByRole('button', { name: 'Thread 725838 ""', exact: true })).toBeVisible();
  await page.getByRole('textbox', { name: /Service name/ }).fill(service);
  const push = page.getByRole('button', { name: /^Push \d+ profiles of 3 threads$/ });
  await expect(push).toBeEnabled();
  await push.click();
  await expect(page.getByText('Pushed', { exact: true })).toBeVisible({ timeout: 60_000 });

  // Read back from the real Pyroscope through Grafana: one series per thread.
  const now = Date.now();
  const response = await request.post('/api/datasources/proxy/uid/pyroscope-local/querier.v1.QuerierService/Series', {
    data: {
      matchers: [`{service_name="${service}"}`],
      labelNames: ['thread_name'],
      start: now - 3_600_000,
      end: now + 600_000,
    },
  });
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { labelsSet: Array<{ labels: Array<{ name: string; value: string }> }> };
  const threads = body.labelsSet.map((s) => s.labels.find((l) => l.name === 'thread_name')?.value).sort();
  expect(threads).toEqual([
    'Thread 725838 ""',
    'Thread 726007 "MLflowTelemetryConsumer-0"',
    'Thread 726008 "GetTelemetryConfig"',
  ]);
});

test('the configuration page shows the provisioned defaults', async ({ gotoAppConfigPage, page }) => {
  await gotoAppConfigPage({ pluginId: PLUGIN_ID });
  await expect(page.getByRole('textbox', { name: /Thread label name/ })).toHaveValue('thread_name');
});
