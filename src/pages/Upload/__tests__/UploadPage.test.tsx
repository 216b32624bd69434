import { act, configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { gunzipSync } from 'fflate';
import { Profile } from 'pprof-format';
import React from 'react';
import { Observable, of, tap, throwError } from 'rxjs';
import { AppPluginMeta, PluginContextProvider, PluginType } from '@grafana/data';
import { config, setBackendSrv, setDataSourceSrv, setPluginComponentHook } from '@grafana/runtime';
import { FakeBackendSrv } from '../../../../tests/helpers/fakeBackendSrv';
import { readFixture } from '../../../../tests/helpers/fixtures';
import { AppSettings } from '../../../settings';
import { EMBEDDED_EXPLORATION_ID, EmbeddedExplorationProps } from '../infrastructure/grafanaExtensions';
import UploadPage from '../ui/UploadPage';

// Every step waits for an outcome, not for a time: the bounds below only end a test that would never pass, and are
// generous because the pipeline's messages, the plan's debounce and the flame graph all take turns on a shared machine.
configure({ asyncUtilTimeout: 30_000 });
jest.setTimeout(180_000);

const PYRO = {
  uid: 'pyro-uid',
  name: 'Pyroscope',
  type: 'grafana-pyroscope-datasource',
  meta: { id: 'grafana-pyroscope-datasource', name: 'Pyroscope', info: { logos: { small: '', large: '' } } },
  jsonData: {},
  access: 'proxy',
  readOnly: false,
};

let backend: FakeBackendSrv;
let datasources: Array<typeof PYRO>;

const PUSH_PATH = '/push.v1.PusherService/Push';
const SELECT_SERIES_PATH = '/querier.v1.QuerierService/SelectSeries';

interface StoredProfile {
  labels: Record<string, string>;
  timeMs: number;
  value: number;
}

/** What the fake Pyroscope behind the fake backendSrv holds: the profiles of every push it answered 2xx. */
let stored: StoredProfile[];
/** Set by a test: the fake loses the nth profile (0-based) pushed for this thread label value. */
let lose: { threadName: string; nth: number } | undefined;

function storeAccepted(body: string) {
  for (const series of JSON.parse(body).series) {
    const labels = Object.fromEntries(
      series.labels.map((l: { name: string; value: string }) => [l.name, l.value])
    ) as Record<string, string>;
    for (const sample of series.samples) {
      const profile = Profile.decode(gunzipSync(new Uint8Array(Buffer.from(sample.rawProfile, 'base64'))));
      const seen = stored.filter((p) => p.labels.thread_name === labels.thread_name).length;
      if (lose && lose.threadName === labels.thread_name && lose.nth === seen) {
        lose = undefined;
        continue;
      }
      stored.push({
        labels,
        // Pyroscope keeps milliseconds.
        timeMs: Number(BigInt(profile.timeNanos) / 1_000_000n),
        value: profile.sample.reduce((t, x) => t + Number(x.value[0]), 0),
      });
    }
  }
}

/**
 * SelectSeries as Pyroscope answers it (`pkg/querier/querier.go` `rangeSeries`): the selected profiles summed per
 * step, a point at start + k·step holding the profiles in (point - step, point]; points without data left out.
 */
function selectSeries(body: string) {
  const query = JSON.parse(body);
  const matchers = [...String(query.labelSelector).matchAll(/([\w.]+)=("(?:[^"\\]|\\.)*")/g)].map((m) => [
    m[1],
    JSON.parse(m[2]) as string,
  ]);
  const name = String(query.profileTypeID).split(':')[0];
  const selected = stored.filter(
    (p) => p.labels.__name__ === name && matchers.every(([label, value]) => p.labels[label] === value)
  );
  const stepMs = Math.round(query.step * 1000);
  const points: Array<{ value: number; timestamp: string }> = [];
  for (let at = Number(query.start); at <= Number(query.end); at += stepMs) {
    const inStep = selected.filter((p) => p.timeMs > at - stepMs && p.timeMs <= at);
    if (inStep.length > 0) {
      points.push({ value: inStep.reduce((sum, p) => sum + p.value, 0), timestamp: String(at) });
    }
  }
  return { series: points.length > 0 ? [{ labels: [], points }] : [] };
}

/** Set by a test: every query is answered with this error. */
let queriesFail: { status: number; data: unknown } | undefined;

/** Answers SelectSeries from what was stored, and stores what the scripted backend accepted. */
function actAsPyroscope(fake: FakeBackendSrv) {
  const scripted = fake.fetch.getMockImplementation()!;
  fake.fetch.mockImplementation((options) => {
    if (options.url.endsWith(SELECT_SERIES_PATH) && queriesFail) {
      return throwError(() => ({ ...queriesFail, statusText: 'error' }));
    }
    if (options.url.endsWith(SELECT_SERIES_PATH)) {
      const data = JSON.stringify(selectSeries(String(options.data)));
      return of({ status: 200, ok: true, data, headers: { get: () => 'application/json' } });
    }
    const answer = scripted(options) as Observable<unknown>;
    return options.url.endsWith(PUSH_PATH) ? answer.pipe(tap(() => storeAccepted(String(options.data)))) : answer;
  });
}

function setUser(orgRole: string) {
  (config as unknown as { bootData: { user: object } }).bootData = {
    ...config.bootData,
    user: { ...config.bootData?.user, orgRole, isGrafanaAdmin: false },
  };
}

/** The components this Grafana's extension registry offers (`usePluginComponent`), by id. */
let offered: Record<string, React.ComponentType<never>>;
setPluginComponentHook(((id: string) => ({ component: offered[id] ?? null, isLoading: false })) as never);

beforeEach(() => {
  backend = new FakeBackendSrv();
  stored = [];
  lose = undefined;
  queriesFail = undefined;
  offered = {};
  window.sessionStorage.clear();
  actAsPyroscope(backend);
  datasources = [PYRO];
  setBackendSrv(backend as never);
  setDataSourceSrv({
    getList: () => datasources,
    getInstanceSettings: (ref: unknown) =>
      datasources.find((d) => d.uid === (typeof ref === 'string' ? ref : (ref as { uid?: string })?.uid)),
    get: async () => ({}),
    reload: async () => {},
  } as never);
  setUser('Editor');
});

function renderPage(jsonData: AppSettings = { defaultDatasourceUid: 'pyro-uid' }) {
  const meta = {
    id: 'flamedrop-speedscope-app',
    type: PluginType.app,
    name: 'Speedscope Upload',
    jsonData,
    info: {},
  } as unknown as AppPluginMeta<AppSettings>;
  return render(
    <PluginContextProvider meta={meta}>
      <UploadPage />
    </PluginContextProvider>
  );
}

function fixtureFile(name: string): File {
  return new File([new Uint8Array(readFixture(name))], name, { type: 'application/json' });
}

async function dropFiles(...names: string[]) {
  const input = document.querySelector('input[type="file"]') as HTMLInputElement;
  await userEvent.upload(input, names.map(fixtureFile));
}

function decodedPushes() {
  return backend.requests
    .filter((r) => r.url.endsWith('/push.v1.PusherService/Push'))
    .flatMap((r) =>
      JSON.parse(r.body).series.map(
        (s: { labels: Array<{ name: string; value: string }>; samples: Array<{ rawProfile: string }> }) => ({
          url: r.url,
          labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
          total: s.samples.reduce((sum, sample) => {
            const profile = Profile.decode(gunzipSync(new Uint8Array(Buffer.from(sample.rawProfile, 'base64'))));
            return sum + profile.sample.reduce((t, x) => t + Number(x.value[0]), 0);
          }, 0),
          profiles: s.samples.length,
        })
      )
    );
}

/** The profile ids a push request carries, in order. */
const sampleIds = (request: { body: string }): string[] =>
  JSON.parse(request.body).series.flatMap((s: { samples: Array<{ ID: string }> }) => s.samples.map((x) => x.ID));

const PUSH = { name: /^Push \d+ profiles? of \d+ threads?$/ };
const pushButton = () => screen.findByRole('button', PUSH);
/** The push button once the plan of the latest edits is ready (it is disabled while the plan is being updated). */
async function readyPushButton() {
  await waitFor(() => expect(screen.getByRole('button', PUSH)).not.toHaveAttribute('aria-disabled', 'true'));
  return screen.getByRole('button', PUSH);
}

/** Grafana's Button keeps a disabled button hoverable for its tooltip: aria-disabled instead of disabled. */
const expectDisabled = (button: HTMLElement) => expect(button).toHaveAttribute('aria-disabled', 'true');

describe('Upload page', () => {
  it('drops files, shows threads and errors, toggles and renames, pushes through the datasource proxy and links the results', async () => {
    renderPage();
    await dropFiles(
      'py-spy-0.4.1-2threads-small.speedscope.json',
      'speedscope-0.6.0-two-sampled.speedscope.json',
      'invalid-speedscope-incomplete-trace.json'
    );

    expect(await screen.findByRole('button', { name: 'Thread 680254 "MainThread"' })).toBeInTheDocument();
    expect(
      await screen.findByText('events: frame 0 "A" opened at events[0] is never closed (1 frames left open)')
    ).toBeInTheDocument();
    expect(screen.getByText('12 empty-stack samples (not pushed)')).toBeInTheDocument();
    // The broken profile cannot be included.
    expect(
      screen.getByRole('checkbox', { name: 'Include invalid-speedscope-incomplete-trace.json profile 0' })
    ).toBeDisabled();

    // Leave out "two", rename "one".
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Include speedscope-0.6.0-two-sampled.speedscope.json profile 1' })
    );
    const label = screen.getByRole('textbox', {
      name: 'Thread label value for speedscope-0.6.0-two-sampled.speedscope.json profile 0',
    });
    await userEvent.clear(label);
    await userEvent.type(label, 'renamed-one{Enter}');

    // Service name defaults from the first file; set our own.
    const service = screen.getByRole('textbox', { name: /Service name/ });
    expect(service).toHaveValue('py-spy-0.4.1-2threads-small');
    await userEvent.clear(service);
    await userEvent.type(service, 'checkout');

    // The plan follows edits after a short debounce: wait for the one with every edit in it.
    expect(
      // Two programs: each file gets its own service, named after the one given.
      await screen.findByText(
        '{__name__="process_cpu", service_name="checkout-speedscope-0.6.0-two-sampled", thread_name="renamed-one"}'
      )
    ).toBeInTheDocument();
    expect(screen.getByText(/^3 series, 3 profiles, from /)).toBeInTheDocument();

    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Pushed')).toBeInTheDocument();

    expect(decodedPushes()).toEqual([
      {
        url: '/api/datasources/proxy/uid/pyro-uid/push.v1.PusherService/Push',
        labels: {
          __name__: 'process_cpu',
          service_name: 'checkout-py-spy-0.4.1-2threads-small',
          thread_name: 'MainThread',
          thread_id: '680254',
        },
        total: 2_480_000_000,
        profiles: 1,
      },
      {
        url: '/api/datasources/proxy/uid/pyro-uid/push.v1.PusherService/Push',
        labels: {
          __name__: 'process_cpu',
          service_name: 'checkout-py-spy-0.4.1-2threads-small',
          thread_name: 'GetTelemetryConfig',
          thread_id: '680344',
        },
        total: 50_000_000,
        profiles: 1,
      },
      {
        url: '/api/datasources/proxy/uid/pyro-uid/push.v1.PusherService/Push',
        labels: {
          __name__: 'process_cpu',
          service_name: 'checkout-speedscope-0.6.0-two-sampled',
          thread_name: 'renamed-one',
        },
        total: 14_000_000_000,
        profiles: 1,
      },
    ]);
    expect(backend.requests).toHaveLength(1);

    // Read back through the same datasource proxy: every pushed thread is there, with its total.
    await waitFor(() =>
      expect(screen.getAllByTestId('arrival').map((cell) => cell.textContent)).toEqual([
        'arrived exactlyarrived exactly: 1 profile, total 2.48 s',
        'arrived exactlyarrived exactly: 1 profile, total 50.00 ms',
        'arrived exactlyarrived exactly: 1 profile, total 14.00 s',
        '',
        '',
      ])
    );

    const results = screen.getAllByTestId('push-result');
    expect(results.map((r) => within(r).getAllByRole('cell')[1].textContent)).toEqual([
      'pushed',
      'pushed',
      'pushed',
      'skipped',
      'skipped',
    ]);
    const explore = within(results[2])
      .getByRole('link', { name: /Explore/ })
      .getAttribute('href')!;
    const panes = JSON.parse(decodeURIComponent(explore.split('panes=')[1]));
    expect(panes.upload.queries[0]).toMatchObject({
      datasource: { type: 'grafana-pyroscope-datasource', uid: 'pyro-uid' },
      profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      labelSelector: '{service_name="checkout-speedscope-0.6.0-two-sampled", thread_name="renamed-one"}',
    });
    // Every link covers the plan's range, the one the Explore link carries.
    const { from, to } = panes.upload.range;
    const cpu = 'var-profileMetricId=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds';
    expect(
      within(results[0])
        .getByRole('link', { name: /Drilldown/ })
        .getAttribute('href')
    ).toBe(
      `/a/grafana-pyroscope-app/explore?var-dataSource=pyro-uid&var-serviceName=checkout-py-spy-0.4.1-2threads-small&${cpu}` +
        `&explorationType=flame-graph&var-filters=thread_name%7C%3D%7CMainThread&var-filters=thread_id%7C%3D%7C680254` +
        `&from=${from}&to=${to}`
    );
    expect(
      screen.getAllByRole('link', { name: /^checkout-.* · process_cpu:cpu$/ }).map((l) => l.getAttribute('href'))
    ).toEqual([
      `/a/grafana-pyroscope-app/explore?var-dataSource=pyro-uid&var-serviceName=checkout-py-spy-0.4.1-2threads-small&${cpu}` +
        `&explorationType=labels&var-groupBy=thread_name&from=${from}&to=${to}`,
      `/a/grafana-pyroscope-app/explore?var-dataSource=pyro-uid&var-serviceName=checkout-speedscope-0.6.0-two-sampled&${cpu}` +
        `&explorationType=labels&var-groupBy=thread_name&from=${from}&to=${to}`,
    ]);
  });

  it('reads back each pushed thread and says when a profile is missing', async () => {
    renderPage();
    // The fake Pyroscope loses the third of "one"'s profiles.
    lose = { threadName: 'one', nth: 2 };
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    const slice = await screen.findByRole('spinbutton', { name: /Slice width/ });
    await userEvent.clear(slice);
    await userEvent.type(slice, '1{Enter}');
    await waitFor(() => expect(screen.getByText(/^2 series, \d+ profiles, from /)).toBeInTheDocument());
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Pushed')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('arrival')[1].textContent).not.toBe(''));
    const arrivals = screen.getAllByTestId('arrival').map((cell) => cell.textContent);
    expect(arrivals[0]).toMatch(/^missing 1missing 1: 1 of \d+ profiles not found; total /);
    expect(arrivals[1]).toMatch(/^arrived exactlyarrived exactly: \d+ profiles, total /);
  });

  it('places the profiles at a range picked in the time range input', async () => {
    renderPage();
    await dropFiles('speedscope-0.1.2-simple-sampled.speedscope.json');
    await screen.findByRole('button', { name: 'simple.speedscope.json' });
    const pad = (n: number) => String(n).padStart(2, '0');
    // Whole minutes, 30 and 10 minutes ago, written the way the picker shows local times.
    const from = new Date(Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000);
    const to = new Date(from.getTime() + 20 * 60_000);
    const local = (d: Date) =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:00`;
    // Grafana's own e2e selectors for the time picker.
    await userEvent.click(screen.getByTestId('data-testid TimePicker Open Button'));
    const fromInput = screen.getByTestId('data-testid Time Range from field');
    await userEvent.clear(fromInput);
    await userEvent.type(fromInput, local(from));
    const toInput = screen.getByTestId('data-testid Time Range to field');
    await userEvent.clear(toInput);
    await userEvent.type(toInput, local(to));
    await userEvent.click(screen.getByRole('button', { name: 'Apply time range' }));
    const button = await readyPushButton();
    expect(button).toHaveTextContent(/^Push 1 profile of 1 thread$/);
    await userEvent.click(button);
    await screen.findByText('Pushed');
    expect(screen.getByText('The profile was accepted by datasource Pyroscope.')).toBeInTheDocument();
    const body = JSON.parse(backend.requests[0].body);
    const profile = Profile.decode(
      gunzipSync(new Uint8Array(Buffer.from(body.series[0].samples[0].rawProfile, 'base64')))
    );
    expect(BigInt(profile.timeNanos)).toBe(BigInt(from.getTime()) * 1_000_000n);
  });

  it('replaces a file dropped again under the same name, and removes files', async () => {
    renderPage();
    const input = () => document.querySelector('input[type="file"]') as HTMLInputElement;
    const asProfile = (fixture: string) =>
      new File([new Uint8Array(readFixture(fixture))], 'profile.json', { type: 'application/json' });
    await userEvent.upload(input(), [asProfile('speedscope-0.6.0-two-sampled.speedscope.json')]);
    expect(await screen.findByRole('button', { name: 'two' })).toBeInTheDocument();
    await userEvent.upload(input(), [asProfile('speedscope-0.1.2-simple-sampled.speedscope.json')]);
    expect(await screen.findByRole('button', { name: 'simple.speedscope.json' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'two' })).not.toBeInTheDocument();
    expect(screen.getAllByTestId('upload-file')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: 'Remove profile.json' }));
    expect(screen.queryByTestId('upload-file')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'simple.speedscope.json' })).not.toBeInTheDocument();
  });

  it('shows a file-level error for a file that is not Speedscope', async () => {
    renderPage();
    const input = document.querySelector('input[type="file"]') as HTMLInputElement;
    await userEvent.upload(input, [new File(['{"traceEvents": []}'], 'trace.json', { type: 'application/json' })]);
    expect(
      await screen.findByText('trace.json: is not a Speedscope file: it has no "profiles" array')
    ).toBeInTheDocument();
  });

  it('shows a 400 from the server verbatim, with a hint, and pushes nothing more', async () => {
    renderPage();
    const outsideWindow = {
      status: 400,
      body: { code: 'invalid_argument', message: "profile with labels '{…}' is outside of ingestion window" },
    };
    // The request and then each of its two profiles alone (the answer does not name which profiles failed).
    backend.answer(outsideWindow, outsideWindow, outsideWindow);
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Not every profile was stored')).toBeInTheDocument();
    expect(screen.getByText("HTTP 400: profile with labels '{…}' is outside of ingestion window")).toBeInTheDocument();
    expect(
      screen.getAllByText(
        "0 of 1 profiles stored; 1 rejected: HTTP 400: profile with labels '{…}' is outside of ingestion window"
      )
    ).toHaveLength(2);
    expect(screen.getByText(/Use “Place at now” and push again\./)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry 2 failed threads' })).toBeInTheDocument();
    expect(backend.requests.map(sampleIds)).toEqual([
      sampleIds(backend.requests[0]),
      ...sampleIds(backend.requests[0]).map((id) => [id]),
    ]);
  });

  it('explains a failed login to the datasource, then retries only the failed threads', async () => {
    renderPage();
    backend.answer({ status: 400, body: { message: 'Authentication to data source failed' } });
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('HTTP 400: Authentication to data source failed')).toBeInTheDocument();
    expect(screen.getByText(/Check the datasource settings\./)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry 2 failed threads' }));
    expect(await screen.findByText('Pushed')).toBeInTheDocument();
    expect(backend.requests).toHaveLength(2);
    expect(backend.requests[1].body).toBe(backend.requests[0].body);
  });

  it('retries after a 429 and then succeeds', async () => {
    renderPage();
    backend.answer(
      { status: 429, body: { code: 'resource_exhausted', message: 'push rate limit (4.0 MiB) exceeded' } },
      { status: 200, body: {} }
    );
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Pushed')).toBeInTheDocument();
    // After a 429 the request is sent again in halves: every profile arrives, none twice.
    expect(backend.requests).toHaveLength(3);
    expect([...sampleIds(backend.requests[1]), ...sampleIds(backend.requests[2])]).toEqual(
      sampleIds(backend.requests[0])
    );
  });

  it('cancels a push in flight and says what was not pushed', async () => {
    renderPage();
    backend.answer('hang');
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Push cancelled')).toBeInTheDocument();
    // A warning, not an error, saying what was stored.
    expect(
      screen.getByText(
        '0 of 2 profiles stored before the cancel, 0 threads of 2 complete; 2 maybe stored (their request was under way). The rest was not sent.'
      )
    ).toBeInTheDocument();
    const results = screen.getAllByTestId('push-result');
    expect(results.map((r) => within(r).getAllByRole('cell')[3].textContent)).toEqual([
      // The 14 s file fits in one 10 s slice: its samples start at 0, 1, 2, 6 and 9 s.
      // The request was under way: Pyroscope may have stored it, and the report says exactly that.
      '0 of 1 profiles stored; 1 uncertain, maybe stored (a read-back tells): cancelled while the request was under way',
      '0 of 1 profiles stored; 1 uncertain, maybe stored (a read-back tells): cancelled while the request was under way',
    ]);
    expect(backend.aborted).toBe(1);
  });

  it('offers to add a datasource when there is none, and cannot push', async () => {
    datasources = [];
    renderPage({});
    expect(screen.getByText('No Pyroscope datasource yet')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Add a Pyroscope datasource/ })).toHaveAttribute(
      'href',
      '/connections/datasources/new'
    );
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    expectDisabled(await pushButton());
    expect(screen.getByText('Choose a Pyroscope datasource to push to.')).toBeInTheDocument();
  });

  it('lets a Viewer inspect but not push', async () => {
    setUser('Viewer');
    renderPage();
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    expectDisabled(await pushButton());
    expect(screen.getByText('Read-only')).toBeInTheDocument();
    expect(screen.getByTestId('thread-flame-graph')).toBeInTheDocument();
  });

  it('rejects a file above the size limit from the settings', async () => {
    renderPage({ defaultDatasourceUid: 'pyro-uid', maxFileSizeMb: 0.1 });
    await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    expect(
      await screen.findByText(
        'py-spy-0.4.1-2threads-small.speedscope.json is 0.1 MB; the limit set in the app settings is 0.1 MB.'
      )
    ).toBeInTheDocument();
  });

  it('pushes through the app write route when one is configured', async () => {
    renderPage({ defaultDatasourceUid: 'pyro-uid', pushUrl: 'https://profiles.example.com' });
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    await screen.findByText('Pushed');
    expect(backend.requests.map((r) => r.url)).toEqual([
      '/api/plugin-proxy/flamedrop-speedscope-app/pyroscope-write/push.v1.PusherService/Push',
    ]);
  });
});

describe('Upload page: where the user looks', () => {
  const MAIN = 'Thread 680254 "MainThread"';
  const TELEMETRY = 'Thread 680344 "GetTelemetryConfig"';
  let scrolled: Array<{ element: Element; options: unknown }>;
  const scrollIntoView = Element.prototype.scrollIntoView;
  beforeEach(() => {
    scrolled = [];
    Element.prototype.scrollIntoView = function (this: Element, options?: unknown) {
      scrolled.push({ element: this, options });
    };
  });
  afterEach(() => {
    Element.prototype.scrollIntoView = scrollIntoView;
  });
  const flameGraphScrolls = () =>
    scrolled.filter((s) => within(s.element as HTMLElement).queryByTestId('thread-flame-graph'));

  it('brings the chosen thread’s flame graph into view and keeps focus on the thread', async () => {
    renderPage();
    await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    await screen.findByRole('heading', { name: `Flame graph: ${MAIN}` });
    // Showing the first thread by default scrolls nothing.
    expect(flameGraphScrolls()).toEqual([]);

    const thread = screen.getByRole('button', { name: TELEMETRY });
    // Focus shows the button's tooltip, a state update of its own.
    act(() => thread.focus());
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(flameGraphScrolls()).toHaveLength(1));
    const [{ element, options }] = flameGraphScrolls();
    expect(options).toEqual({ block: 'nearest', behavior: 'smooth' });
    expect(within(element as HTMLElement).getByRole('heading')).toHaveTextContent(`Flame graph: ${TELEMETRY}`);
    // Drawn when it scrolled: its rows had arrived.
    expect(within(element as HTMLElement).queryByText('Loading the flame graph…')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: TELEMETRY })).toHaveFocus();
  });

  it('scrolls without animation when the user prefers reduced motion', async () => {
    const matchMedia = window.matchMedia;
    window.matchMedia = ((query: string) => ({ ...matchMedia(query), matches: query.includes('reduce') })) as never;
    try {
      renderPage();
      await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
      await userEvent.click(await screen.findByRole('button', { name: TELEMETRY }));
      await waitFor(() => expect(flameGraphScrolls()).toHaveLength(1));
      expect(flameGraphScrolls()[0].options).toEqual({ block: 'nearest', behavior: 'auto' });
    } finally {
      window.matchMedia = matchMedia;
    }
  });

  it('collapses the flame graph for the session, and skips to Push past it', async () => {
    const { unmount } = renderPage();
    await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    const hide = await screen.findByRole('button', { name: 'Hide flame graph' });
    expect(hide).toHaveAttribute('aria-expanded', 'true');

    // The skip link moves focus to the Push section: the next Tab is the Push button.
    await readyPushButton();
    await userEvent.click(screen.getByRole('link', { name: 'Skip to Push' }));
    expect(document.activeElement).toHaveAttribute('id', 'upload-push');
    await userEvent.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', PUSH));

    await userEvent.click(hide);
    const show = screen.getByRole('button', { name: 'Show flame graph' });
    expect(show).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByTestId('thread-flame-graph')).not.toBeVisible();
    expect(screen.queryByRole('link', { name: 'Skip to Push' })).not.toBeInTheDocument();

    // Still collapsed when the page is opened again in this session.
    unmount();
    renderPage();
    await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    expect(await screen.findByRole('button', { name: 'Show flame graph' })).toHaveAttribute('aria-expanded', 'false');
    // Choosing a thread is asking to see its graph.
    await userEvent.click(screen.getByRole('button', { name: TELEMETRY }));
    expect(await screen.findByRole('button', { name: 'Hide flame graph' })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('button', { name: TELEMETRY })).toHaveFocus();
  });
});

/** The flame graph collapsed, as a user can for the session: a smaller page for tests about other parts. */
const collapseFlameGraph = () => window.sessionStorage.setItem('flamedrop-speedscope-app.flameGraphCollapsed', 'true');

describe('Upload page: data already stored', () => {
  beforeEach(collapseFlameGraph);
  /** The profile times (ms) of every push request so far, by request. */
  const pushedTimes = () =>
    backend.requests
      .filter((r) => r.url.endsWith(PUSH_PATH))
      .map((r) =>
        JSON.parse(r.body).series.flatMap((s: { samples: Array<{ rawProfile: string }> }) =>
          s.samples.map((x) =>
            Number(
              BigInt(Profile.decode(gunzipSync(new Uint8Array(Buffer.from(x.rawProfile, 'base64')))).timeNanos) /
                1_000_000n
            )
          )
        )
      );

  it('says a second push would add a copy, and places the upload after the existing data', async () => {
    renderPage();
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    expect(await screen.findByText('No profiles are stored under these labels in the range yet.')).toBeInTheDocument();
    await userEvent.click(await readyPushButton());
    await waitFor(() => expect(screen.getAllByText('arrived exactly', { exact: true })).toHaveLength(2));

    // Checked again after the push: the same data is there now.
    expect(await screen.findByText('This upload seems to be stored already')).toBeInTheDocument();
    expect(
      screen.getByText(
        /^All 2 threads already have profiles between \d\d:\d\d:\d\d and \d\d:\d\d:\d\d, with exactly the totals this upload would write: an earlier push of it\? Pushing it again at the same times adds a second copy/
      )
    ).toBeInTheDocument();
    const firstTimes = pushedTimes()[0];
    await userEvent.click(screen.getByRole('button', { name: 'Place after the existing data' }));
    // Focus stays in the notice, which now says the new range is free.
    expect(screen.getByTestId('existing-data')).toHaveFocus();
    expect(await screen.findByText('No profiles are stored under these labels in the range yet.')).toBeInTheDocument();

    await userEvent.click(await readyPushButton());
    await waitFor(() => expect(pushedTimes()).toHaveLength(2));
    const secondTimes = pushedTimes()[1];
    expect(secondTimes).toHaveLength(firstTimes.length);
    expect(Math.min(...secondTimes)).toBeGreaterThan(Math.max(...firstTimes));
    // Each copy is its own: the second reads back exactly, not on top of the first.
    await waitFor(() =>
      expect(screen.getAllByTestId('arrival').map((cell) => cell.textContent)).toEqual([
        expect.stringMatching(/^arrived exactlyarrived exactly: 1 profile, total /),
        expect.stringMatching(/^arrived exactlyarrived exactly: 1 profile, total /),
      ])
    );
  });

  it('reads a second push at the same times back on top of what the check found, not as more than expected', async () => {
    renderPage();
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    await userEvent.click(await readyPushButton());
    await waitFor(() => expect(screen.getAllByText('arrived exactly', { exact: true })).toHaveLength(2));
    expect(await screen.findByText('This upload seems to be stored already')).toBeInTheDocument();

    // Pushed again where it is: this fake keeps both copies, as Pyroscope does until compaction.
    await userEvent.click(await readyPushButton());
    await waitFor(() => expect(pushedTimes()).toHaveLength(2));
    expect(pushedTimes()[1]).toEqual(pushedTimes()[0]);
    await waitFor(() =>
      expect(screen.getAllByTestId('arrival').map((cell) => cell.textContent)).toEqual([
        expect.stringMatching(/^arrived exactlyarrived exactly: total .* on top of the .* there before$/),
        expect.stringMatching(/^arrived exactlyarrived exactly: total .* on top of the .* there before$/),
      ])
    );
  });

  it('says why the check could not be made, and pushes anyway', async () => {
    queriesFail = { status: 500, data: { code: 'internal', message: 'querier unavailable' } };
    renderPage();
    await dropFiles('speedscope-0.6.0-two-sampled.speedscope.json');
    expect(
      await screen.findByText(
        /^Could not check for profiles already stored under these labels: .*querier unavailable.*\. You can still push\.$/
      )
    ).toBeInTheDocument();
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Pushed')).toBeInTheDocument();
  });
});

describe('Upload page: exploration in place', () => {
  let explorations: EmbeddedExplorationProps[];
  function DrilldownExploration(props: EmbeddedExplorationProps) {
    explorations.push(props);
    return <div data-testid="drilldown-exploration" />;
  }
  beforeEach(() => {
    explorations = [];
    collapseFlameGraph();
  });

  async function pushTwoThreads() {
    renderPage();
    await dropFiles('py-spy-0.4.1-2threads-small.speedscope.json');
    await userEvent.click(await readyPushButton());
    expect(await screen.findByText('Pushed')).toBeInTheDocument();
  }

  it('shows Profiles Drilldown’s exploration after a push, on the upload’s datasource, range and service', async () => {
    offered = { [EMBEDDED_EXPLORATION_ID]: DrilldownExploration as React.ComponentType<never> };
    await pushTwoThreads();
    expect(await screen.findByRole('heading', { name: 'Explore what arrived' })).toBeInTheDocument();
    expect(screen.getByTestId('drilldown-exploration')).toBeInTheDocument();
    const explore = screen.getAllByRole('link', { name: /Explore/ })[0].getAttribute('href')!;
    const { from, to } = JSON.parse(decodeURIComponent(explore.split('panes=')[1])).upload.range;
    const props = explorations[explorations.length - 1];
    expect(props.initialDS).toBe('pyro-uid');
    expect(props.initialFilters).toEqual([
      { key: 'service_name', operator: '=', value: 'py-spy-0.4.1-2threads-small' },
    ]);
    expect([props.initialTimeRange.from.valueOf(), props.initialTimeRange.to.valueOf()]).toEqual([
      Number(from),
      Number(to),
    ]);
    // The text Drilldown's scene re-reads: the same instants.
    expect(String(props.initialTimeRange.raw.from)).toBe(new Date(Number(from)).toISOString());
    expect(String(props.initialTimeRange.raw.to)).toBe(new Date(Number(to)).toISOString());
    // The links stay.
    expect(screen.getAllByRole('link', { name: /Drilldown/ })).toHaveLength(2);
  });

  it('shows the links only when Grafana does not offer the exploration', async () => {
    await pushTwoThreads();
    expect(screen.getAllByRole('link', { name: /Drilldown/ })).toHaveLength(2);
    expect(screen.queryByRole('heading', { name: 'Explore what arrived' })).not.toBeInTheDocument();
    expect(explorations).toEqual([]);
  });
});

afterEach(async () => {
  // Let pending debounce timers finish inside act.
  await act(async () => new Promise((r) => setTimeout(r, 0)));
  await waitFor(() => true);
});
