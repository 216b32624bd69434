import { expect, Locator, Page } from '@playwright/test';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../fixtures/speedscope');
export const PLUGIN_ID = 'flamedrop-speedscope-app';

/** Page object for the Upload page, in the style of @grafana/plugin-e2e page objects. */
export class UploadPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string
  ) {}

  async goto() {
    await this.page.goto(`${this.baseUrl}/a/${PLUGIN_ID}/upload`);
    await expect(this.page.getByText('Drop Speedscope files here, or click to choose them')).toBeVisible();
  }

  /** Like dropping files: the dropzone's file input receives them. */
  async dropFiles(...names: string[]) {
    await this.page.setInputFiles(
      'input[type=file]',
      names.map((n) => join(FIXTURES, n))
    );
  }

  threadButton(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** A thread's label value field, by file and profile index (the thread label, `thread_name` by default). */
  threadLabelValue(fileName: string, index: number): Locator {
    return this.page.getByRole('textbox', { name: `Thread label value for ${fileName} profile ${index}`, exact: true });
  }

  /** The value field of one of a thread's own labels (`thread_id`, `pid`). */
  ownLabelValue(fileName: string, index: number, label: string): Locator {
    return this.page.getByRole('textbox', {
      name: `Value of label ${label} of ${fileName} profile ${index}`,
      exact: true,
    });
  }

  /** The row of a thread in the thread table, found by its file and the profile's name in the file. */
  threadRow(fileName: string, name: string): Locator {
    return this.page
      .getByRole('region', { name: `Threads of ${fileName}` })
      .getByRole('row')
      .filter({ has: this.threadButton(name) });
  }

  /** Picks a thread's profile type ("CPU time", "Wall time", …) in its radio group. */
  async setThreadProfileType(fileName: string, index: number, label: string) {
    await this.page
      .getByRole('radiogroup', { name: `Profile type of ${fileName} profile ${index}` })
      .getByRole('radio', { name: label, exact: true })
      .check({ force: true });
  }

  /** Sets the service of one file (committed when the field loses focus). */
  async setFileService(fileName: string, name: string) {
    const field = this.page.getByRole('textbox', { name: `Service of ${fileName}`, exact: true });
    await field.fill(name);
    await field.press('Enter');
  }

  /**
   * Types the service name once a dropped file is listed: the field's default (the first file's name) renders with
   * the list, and a fill racing that render would type after the default instead of over it.
   */
  async setService(name: string) {
    await expect(this.page.getByTestId('upload-file').first()).toBeVisible();
    await this.page.getByRole('textbox', { name: /Service name/ }).fill(name);
  }

  /** Types a range into Grafana's time picker (its own e2e selectors), in the browser's local time. */
  async setTimeRange(from: Date, to: Date) {
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = (d: Date) =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    await this.page.getByTestId('data-testid TimePicker Open Button').click();
    await this.page.getByTestId('data-testid Time Range from field').fill(local(from));
    await this.page.getByTestId('data-testid Time Range to field').fill(local(to));
    await this.page.getByRole('button', { name: 'Apply time range' }).click();
  }

  pushButton(): Locator {
    return this.page.getByRole('button', { name: /^Push \d+ profiles? of \d+ threads?$/ });
  }

  /** Waits for the plan to settle (it follows edits after a short debounce) and pushes. */
  async push(expectedLabel: RegExp) {
    await expect(this.pushButton()).toHaveText(expectedLabel);
    await this.pushButton().click();
  }

  results(): Locator {
    return this.page.getByTestId('push-result');
  }

  /** Each result row's read-back cell: a badge ("arrived exactly", "missing N", "not queryable yet") and details. */
  arrivals(): Locator {
    return this.page.getByTestId('arrival');
  }

  /** Pixels of the flame graph canvas that differ from its first pixel: 0 means a blank canvas. */
  async flameGraphInkedPixels(): Promise<number> {
    const canvas = this.page.getByTestId('thread-flame-graph').locator('canvas').first();
    await expect(canvas).toBeVisible();
    return canvas.evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) {
          inked++;
        }
      }
      return inked;
    });
  }
}
