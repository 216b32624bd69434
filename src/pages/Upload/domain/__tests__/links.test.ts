import { config } from '@grafana/runtime';
import { compareThreadsLinks, explorationChoices, LinkPlan, threadLinks } from '../links';

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const WALL = 'wall:wall:nanoseconds:wall:nanoseconds';

const plan: LinkPlan = {
  threadLabelName: 'thread_name',
  fromMs: 1000,
  toMs: 2000,
  threads: [
    {
      threadKey: '0:0',
      serviceName: 'svc',
      profileTypeId: CPU,
      labels: [
        { name: '__name__', value: 'process_cpu' },
        { name: 'service_name', value: 'svc' },
        { name: 'thread_name', value: 'MainThread' },
        { name: 'thread_id', value: '680254' },
      ],
    },
    {
      threadKey: '0:1',
      serviceName: 'svc',
      profileTypeId: CPU,
      labels: [
        { name: '__name__', value: 'process_cpu' },
        { name: 'service_name', value: 'svc' },
        { name: 'thread_name', value: 'Worker, #2 | x' },
      ],
    },
    {
      threadKey: '1:0',
      serviceName: 'other',
      profileTypeId: WALL,
      labels: [
        { name: '__name__', value: 'wall' },
        { name: 'service_name', value: 'other' },
        { name: 'thread_name', value: 'main' },
        { name: '__delta__', value: 'false' },
      ],
    },
  ],
};

const ALL = new Set(['0:0', '0:1', '1:0']);

/** Drilldown's reading of `var-filters` (Scenes' `AdHocFiltersVariableUrlSyncHandler`): split on `|`, then unescape. */
function drilldownFilters(href: string): string[][] {
  return new URLSearchParams(href.split('?')[1]).getAll('var-filters').map((f) =>
    f.split('|').map((part) =>
      part
        .replace(/__gfp__/g, '|')
        .replace(/__gfc__/g, ',')
        .replace(/__gfh__/g, '#')
    )
  );
}

describe('links to uploaded threads', () => {
  afterEach(() => {
    config.appSubUrl = '';
  });

  it('open Drilldown’s flame graph filtered on the thread label and the thread’s own labels, under Grafana’s sub-path', () => {
    config.appSubUrl = '/grafana';
    const links = threadLinks(plan, '0:0', 'pyro')!;
    expect(links.drilldown).toBe(
      '/grafana/a/grafana-pyroscope-app/explore?var-dataSource=pyro&var-serviceName=svc' +
        '&var-profileMetricId=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds&explorationType=flame-graph' +
        '&var-filters=thread_name%7C%3D%7CMainThread&var-filters=thread_id%7C%3D%7C680254&from=1000&to=2000'
    );
    expect(drilldownFilters(links.drilldown)).toEqual([
      ['thread_name', '=', 'MainThread'],
      ['thread_id', '=', '680254'],
    ]);
    expect(links.explore.startsWith('/grafana/explore?schemaVersion=1&panes=')).toBe(true);
    const panes = JSON.parse(decodeURIComponent(links.explore.split('panes=')[1]));
    expect(panes.upload.queries[0]).toEqual({
      refId: 'A',
      datasource: { type: 'grafana-pyroscope-datasource', uid: 'pyro' },
      queryType: 'both',
      profileTypeId: CPU,
      labelSelector: '{service_name="svc", thread_name="MainThread", thread_id="680254"}',
      groupBy: [],
    });
    expect(panes.upload.range).toEqual({ from: '1000', to: '2000' });
  });

  it('escape Scenes’ delimiters in a thread name so that Drilldown reads the value back whole', () => {
    const links = threadLinks(plan, '0:1', 'pyro')!;
    expect(links.drilldown).toBe(
      '/a/grafana-pyroscope-app/explore?var-dataSource=pyro&var-serviceName=svc' +
        '&var-profileMetricId=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds&explorationType=flame-graph' +
        '&var-filters=thread_name%7C%3D%7CWorker__gfc__+__gfh__2+__gfp__+x&from=1000&to=2000'
    );
    expect(drilldownFilters(links.drilldown)).toEqual([['thread_name', '=', 'Worker, #2 | x']]);
  });

  it('leave out labels a query does not select on, and know no link for a thread that was not planned', () => {
    expect(drilldownFilters(threadLinks(plan, '1:0', 'pyro')!.drilldown)).toEqual([['thread_name', '=', 'main']]);
    expect(threadLinks(plan, '9:9', 'pyro')).toBeUndefined();
  });

  it('compare the threads of each service and profile type in Drilldown’s Labels view, grouped by the thread label', () => {
    config.appSubUrl = '/grafana';
    expect(compareThreadsLinks(plan, ALL, 'pyro')).toEqual([
      {
        serviceName: 'svc',
        profileTypeId: CPU,
        href:
          '/grafana/a/grafana-pyroscope-app/explore?var-dataSource=pyro&var-serviceName=svc' +
          '&var-profileMetricId=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds&explorationType=labels' +
          '&var-groupBy=thread_name&from=1000&to=2000',
      },
      {
        serviceName: 'other',
        profileTypeId: WALL,
        href:
          '/grafana/a/grafana-pyroscope-app/explore?var-dataSource=pyro&var-serviceName=other' +
          '&var-profileMetricId=wall%3Awall%3Ananoseconds%3Awall%3Ananoseconds&explorationType=labels' +
          '&var-groupBy=thread_name&from=1000&to=2000',
      },
    ]);
    expect(compareThreadsLinks(plan, new Set(['1:0']), 'pyro').map((l) => l.serviceName)).toEqual(['other']);
  });
});

describe('the embedded exploration’s starting points', () => {
  it('are each service with its pushed threads, then each thread filtered on its own labels', () => {
    const at = { datasourceUid: 'pyro', fromMs: 1000, toMs: 2000 };
    expect(explorationChoices(plan, ALL, 'pyro')).toEqual([
      {
        ...at,
        key: '["service","svc"]',
        label: 'svc: all 2 threads',
        filters: [{ key: 'service_name', operator: '=', value: 'svc' }],
      },
      {
        ...at,
        key: '["service","other"]',
        label: 'other: its thread',
        filters: [{ key: 'service_name', operator: '=', value: 'other' }],
      },
      expect.objectContaining({
        label: 'svc: thread MainThread',
        filters: [
          { key: 'service_name', operator: '=', value: 'svc' },
          { key: 'thread_name', operator: '=', value: 'MainThread' },
          { key: 'thread_id', operator: '=', value: '680254' },
        ],
      }),
      expect.objectContaining({
        label: 'svc: thread Worker, #2 | x',
        // Filters are objects, not URL text: no Scenes escaping.
        filters: [
          { key: 'service_name', operator: '=', value: 'svc' },
          { key: 'thread_name', operator: '=', value: 'Worker, #2 | x' },
        ],
      }),
      expect.objectContaining({
        label: 'other: thread main',
        filters: [
          { key: 'service_name', operator: '=', value: 'other' },
          { key: 'thread_name', operator: '=', value: 'main' },
        ],
      }),
    ]);
  });

  it('offer only what was pushed, and one choice for a thread pushed as two types', () => {
    const twoTypes: LinkPlan = {
      ...plan,
      threads: [plan.threads[0], { ...plan.threads[0], threadKey: '0:0:cpu', profileTypeId: WALL }],
    };
    expect(explorationChoices(twoTypes, new Set(['0:0', '0:0:cpu']), 'pyro').map((c) => c.label)).toEqual([
      'svc: its thread',
      'svc: thread MainThread',
    ]);
    expect(explorationChoices(plan, new Set(['1:0']), 'pyro').map((c) => c.label)).toEqual([
      'other: its thread',
      'other: thread main',
    ]);
    expect(explorationChoices(plan, new Set(), 'pyro')).toEqual([]);
  });
});
