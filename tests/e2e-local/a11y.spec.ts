import { expect, Page, test } from '@playwright/test';
import { source as axeSource } from 'axe-core';
import type { AxeResults } from 'axe-core';
import { readdirSync } from 'node:fs';
import { FIXTURES, PLUGIN_ID, UploadPage } from './uploadPage';
import { standInsForSpec } from './standIns';

/**
 * axe-core over the Upload and configuration pages, in both themes, at each state a user reaches: empty, files
 * dropped (thread tables, errors, flame graph), pushed (results with links), configuration. Every rule axe runs by
 * default (WCAG 2.0–2.2 A and AA, and best practices).
 *
 * The whole document is checked: the stand-in host adds only what Grafana's PluginPage adds (a <main> with the page
 * title), which the plugin relies on in Grafana too, so nothing is excluded. Violations inside @grafana/flamegraph
 * are printed, not failed: that library is Grafana's, and the plugin cannot change its DOM.
 */

/** The plugin's wrapper around <FlameGraph>; everything below it is the library's DOM. */
const FLAME_GRAPH = '[data-testid="thread-flame-graph"]';

interface Finding {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** Per node: its selector, the start of its HTML and what axe found wrong (a contrast ratio, say). */
  targets: string[];
  inFlameGraph: boolean[];
}

async function axeFindings(page: Page): Promise<Finding[]> {
  // The resting state is judged: after a click the pointer still hovers the button, whose hover colour is Grafana's
  // (white on the dark theme's hovered primary is 3.55:1).
  await page.mouse.move(0, 0);
  // ...once the button's colour transition back has ended (axe reads the colours being drawn).
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running')
  );
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: axeSource });
  }
  return page.evaluate(async (flameGraph) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } })
      .axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => {
        const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ');
        return `${n.target.join(' ')} ${n.html.slice(0, 160)}: ${why}`;
      }),
      // Below the wrapper, not the wrapper itself (its size and scrolling are the plugin's), nor the top table the
      // plugin puts in the library's place (src/pages/Upload/ui/FlameGraphTopTable.tsx).
      inFlameGraph: v.nodes.map((n) => {
        const element = document.querySelector(String(n.target[0]));
        return Boolean(element?.parentElement?.closest(flameGraph)) && !element?.closest('[data-testid="topTable"]');
      }),
    }));
  }, FLAME_GRAPH);
}

/** Fails on every violation in the plugin's DOM (each with its rule, impact, nodes and help); prints the flame graph's. */
async function expectNoViolations(page: Page, state: string) {
  const findings = await axeFindings(page);
  const own = findings
    .map((f) => ({ ...f, targets: f.targets.filter((_, i) => !f.inFlameGraph[i]) }))
    .filter((f) => f.targets.length > 0);
  const library = findings
    .map((f) => ({ id: f.id, nodes: f.inFlameGraph.filter(Boolean).length }))
    .filter((f) => f.nodes > 0);
  if (library.length > 0) {
    const nodes = library.reduce((sum, f) => sum + f.nodes, 0);
    console.log(
      `${state}: ${nodes} axe violation node(s) inside @grafana/flamegraph (reported, not failed): ` +
        library.map((f) => `${f.id} ×${f.nodes}`).join(', ')
    );
  }
  const described = own.map(
    (f) => `${f.id} [${f.impact}] ${f.help} (${f.helpUrl})\n${f.targets.map((t) => `    at ${t}`).join('\n')}`
  );
  expect(described, `${state}: axe violations in the plugin's DOM`).toEqual([]);
}

// Every committed fixture: several threads per file, invalid files (their errors), an empty profile (a thread that
// cannot be pushed), evented and sampled profiles.
const ALL_FIXTURES = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort();

const standIns = standInsForSpec();

for (const theme of ['light', 'dark'] as const) {
  test(`${theme} theme: the Upload page has no axe violations when empty, with files and after a push`, async ({
    page,
  }) => {
    standIns.pyroscope.reset();
    standIns.grafana.role = 'Editor';
    standIns.grafana.theme = theme;
    const upload = new UploadPage(page, standIns.grafanaUrl);
    await upload.goto();
    await expectNoViolations(page, `${theme}, empty page`);

    await upload.dropFiles(...ALL_FIXTURES);
    await expect(upload.threadButton('Thread 680254 "MainThread"')).toBeVisible();
    await expect(page.getByTestId('upload-file')).toHaveCount(ALL_FIXTURES.length);
    await expect(page.getByRole('progressbar', { name: /^Parsing / })).toHaveCount(0, { timeout: 30_000 });
    // The broken profiles' errors are shown, in the thread tables.
    await expect(page.getByText(/is never closed/).first()).toBeVisible();
    await expect(page.locator(FLAME_GRAPH).getByTestId('flameGraph')).toBeVisible();
    // The top table's rows too, with their buttons (they mount once its body has a height).
    await expect(page.locator(FLAME_GRAPH).getByTestId('topTable').getByRole('cell').first()).toBeVisible();
    await expect(upload.pushButton()).toBeEnabled();
    await expectNoViolations(page, `${theme}, files dropped`);
    // The skip link past the flame graph is seen only while focused: check it then (its colours, its name).
    const skip = page.getByRole('link', { name: /^Skip / });
    await skip.focus();
    await expect(skip).toBeInViewport();
    await expectNoViolations(page, `${theme}, files dropped, skip link focused`);

    await upload.setService('a11y');
    await upload.push(/^Push \d+ profiles of \d+ threads$/);
    await expect(page.getByText('Pushed', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(
      upload
        .results()
        .first()
        .getByRole('link', { name: /Explore/ })
    ).toBeVisible();
    // The read-back's badges are part of what is checked.
    await expect(upload.arrivals().getByText('arrived exactly', { exact: true }).first()).toBeVisible({
      timeout: 30_000,
    });
    await expect(page.getByText(/Reading back what arrived/)).toHaveCount(0, { timeout: 30_000 });
    await expectNoViolations(page, `${theme}, after a push`);
  });

  test(`${theme} theme: the configuration page has no axe violations`, async ({ page }) => {
    standIns.grafana.role = 'Admin';
    standIns.grafana.theme = theme;
    await page.goto(`${standIns.grafanaUrl}/plugins/${PLUGIN_ID}`);
    await expect(page.getByRole('button', { name: 'Save settings' })).toBeVisible();
    await expectNoViolations(page, `${theme}, configuration page`);
  });
}
