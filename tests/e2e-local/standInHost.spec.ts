import { expect, test } from '@playwright/test';
import { GrafanaStandIn } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';

/** The Grafana stand-in's own host behaviours that no page of the plugin exercises yet. */
let pyroscope: PyroscopeStandIn;
let grafana: GrafanaStandIn;
let grafanaUrl: string;

test.afterEach(async () => {
  await grafana?.stop();
  await pyroscope?.stop();
});

test.describe("the stand-in host's extension registry", () => {
  const EMBEDDED = 'grafana-pyroscope-app/embedded-profiles-exploration/v1';

  test('usePluginComponent gives the exposed component when a plugin exposes it, and null otherwise', async ({
    page,
  }) => {
    pyroscope = new PyroscopeStandIn();
    const pyroscopeUrl = await pyroscope.start();
    grafana = new GrafanaStandIn({ pyroscopeUrl, exposedComponents: [EMBEDDED] });
    grafanaUrl = await grafana.start();
    await page.goto(`${grafanaUrl}/standin/extensions?id=${encodeURIComponent(EMBEDDED)}`);
    await expect(page.getByTestId('exposed-component')).toContainText('"initialDS": "pyroscope-local"');
    await page.goto(`${grafanaUrl}/standin/extensions?id=${encodeURIComponent('other-app/component/v1')}`);
    await expect(page.getByTestId('extension-probe')).toHaveText('no component');
  });
});
