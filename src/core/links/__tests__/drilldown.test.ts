import {
  drilldownUrl,
  embeddedExplorationFilters,
  encodeFilter,
  exploreUrl,
  filterProblem,
  LabelFilter,
  LinkTarget,
  threadFlameGraphUrl,
  uploadLabelsUrl,
} from '../drilldown';

/**
 * How Profiles Drilldown reads its URL, written from its source for these tests:
 * - Scenes reads each key with `URLSearchParams.getAll` (`packages/scenes/src/services/utils.ts`,
 *   `syncUrlStateToObject`); an ad hoc filters variable named `filters` owns `var-filters`, one value per filter.
 * - `AdHocFiltersVariableUrlSyncHandler.ts` `toFilter`: split on `#` (origin), then on `|`, each part on `,` into
 *   value and label, then `unescapeUrlDelimiters` (`variables/utils.ts`) turns `__gfp__`, `__gfc__`, `__gfh__` back
 *   into `|`, `,`, `#`; the fields are key, key label, operator, operator label, value, value label.
 * - Drilldown's `FiltersVariable` builds its query as `${key}${operator}"${value}"` joined by `,` (no escaping).
 * - `SceneProfilesExplorer.updateFromUrl`: an unknown `explorationType` falls back to `all`.
 */
const EXPLORATION_TYPES = ['all', 'profiles', 'labels', 'flame-graph', 'diff-flame-graph', 'favorites'];

function unescapeUrlDelimiters(value: string): string {
  return value
    .replace(/__gfp__/g, '|')
    .replace(/__gfc__/g, ',')
    .replace(/__gfh__/g, '#');
}

function scenesFilterFromUrl(urlValue: string): LabelFilter & { origin?: string } {
  const [filter, origin] = urlValue.split('#');
  const parts = filter
    .split('|')
    .reduce<string[]>((acc, part) => {
      const [key, label] = part.split(',');
      acc.push(key, label ?? key);
      return acc;
    }, [])
    .map(unescapeUrlDelimiters);
  const [key, , operator, , ...values] = parts;
  return { name: key, operator: operator as LabelFilter['operator'], value: values[0] ?? '', origin };
}

function readAsDrilldown(url: string) {
  const [path, query] = url.split('?');
  const params = new URLSearchParams(query);
  const filters = params.getAll('var-filters').map(scenesFilterFromUrl);
  const explorationType = params.get('explorationType') ?? '';
  return {
    path,
    dataSource: params.get('var-dataSource'),
    serviceName: params.get('var-serviceName'),
    profileMetricId: params.get('var-profileMetricId'),
    explorationType: EXPLORATION_TYPES.includes(explorationType) ? explorationType : 'all',
    filters,
    query: filters.map(({ name, operator, value }) => `${name}${operator}"${value}"`).join(','),
    groupBy: params.get('var-groupBy'),
    from: params.get('from'),
    to: params.get('to'),
  };
}

const target: LinkTarget = {
  datasourceUid: 'pyroscope-local',
  serviceName: 'checkout',
  profileTypeId: 'wall:wall:nanoseconds:cpu:nanoseconds',
  fromMs: 1_764_000_000_000,
  toMs: 1_764_000_060_000,
};

describe('Profiles Drilldown links', () => {
  it('per thread: the flame graph filtered to the thread, with Drilldown parameter names and values', () => {
    const url = threadFlameGraphUrl(target, [
      { name: 'thread_name', value: 'MainThread' },
      { name: 'thread_id', value: '0x1FA08F100' },
      { name: 'pid', value: '4711' },
    ]);
    expect(url).toBe(
      '/a/grafana-pyroscope-app/explore?var-dataSource=pyroscope-local&var-serviceName=checkout' +
        '&var-profileMetricId=wall%3Awall%3Ananoseconds%3Acpu%3Ananoseconds&explorationType=flame-graph' +
        '&var-filters=thread_name%7C%3D%7CMainThread&var-filters=thread_id%7C%3D%7C0x1FA08F100' +
        '&var-filters=pid%7C%3D%7C4711&from=1764000000000&to=1764000060000'
    );
    expect(readAsDrilldown(url)).toEqual({
      path: '/a/grafana-pyroscope-app/explore',
      dataSource: 'pyroscope-local',
      serviceName: 'checkout',
      profileMetricId: 'wall:wall:nanoseconds:cpu:nanoseconds',
      explorationType: 'flame-graph',
      filters: [
        { name: 'thread_name', operator: '=', value: 'MainThread', origin: undefined },
        { name: 'thread_id', operator: '=', value: '0x1FA08F100', origin: undefined },
        { name: 'pid', operator: '=', value: '4711', origin: undefined },
      ],
      query: 'thread_name="MainThread",thread_id="0x1FA08F100",pid="4711"',
      groupBy: null,
      from: '1764000000000',
      to: '1764000060000',
    });
  });

  it('thread names with |, comma, #, spaces, & and non-ASCII come back exactly', () => {
    const names = [
      'Thread (5120) (.NET ThreadPool Worker)',
      'a|b,c#d',
      'pool-1 & co = 100%',
      'Größe/日本語 +plus',
      '   leading and trailing   ',
    ];
    for (const value of names) {
      const filter: LabelFilter = { name: 'thread_name', operator: '=', value };
      expect(filterProblem(filter)).toBeUndefined();
      const read = readAsDrilldown(threadFlameGraphUrl(target, [{ name: 'thread_name', value }]));
      expect(read.filters).toEqual([{ ...filter, origin: undefined }]);
    }
    expect(encodeFilter({ name: 'thread_name', operator: '=', value: 'a|b,c#d' })).toBe(
      'thread_name|=|a__gfp__b__gfc__c__gfh__d'
    );
  });

  it('name the values Drilldown cannot show exactly', () => {
    expect(filterProblem({ name: 'thread_name', operator: '=', value: 'say "hi"' })).toBe(
      'the value of thread_name contains a quote or backslash, which Profiles Drilldown does not escape in its query'
    );
    expect(filterProblem({ name: 'thread_name', operator: '=', value: 'x__gfc__y' })).toBe(
      'the value of thread_name contains "__gfc__", which Grafana\'s URL handling turns into another character'
    );
    // What would happen: Scenes turns the text back into a comma.
    const read = readAsDrilldown(threadFlameGraphUrl(target, [{ name: 'thread_name', value: 'x__gfc__y' }]));
    expect(read.filters[0].value).toBe('x,y');
  });

  it('per upload: the labels view grouped by the thread label', () => {
    const url = uploadLabelsUrl(target, 'thread_name');
    expect(readAsDrilldown(url)).toEqual({
      path: '/a/grafana-pyroscope-app/explore',
      dataSource: 'pyroscope-local',
      serviceName: 'checkout',
      profileMetricId: 'wall:wall:nanoseconds:cpu:nanoseconds',
      explorationType: 'labels',
      filters: [],
      query: '',
      groupBy: 'thread_name',
      from: '1764000000000',
      to: '1764000060000',
    });
  });

  it('an exploration type Drilldown knows is kept; the others would fall back to all services', () => {
    const url = drilldownUrl(target, { explorationType: 'profiles' });
    expect(readAsDrilldown(url).explorationType).toBe('profiles');
    expect(readAsDrilldown(url.replace('explorationType=profiles', 'explorationType=threads')).explorationType).toBe(
      'all'
    );
  });
});

describe('Explore links', () => {
  it('a Pyroscope query with the service and the thread labels, escaped for the selector', () => {
    const url = exploreUrl(target, [
      { name: 'thread_name', value: 'say "hi"\\' },
      { name: 'thread_id', value: '17' },
    ]);
    expect(url.startsWith('/explore?schemaVersion=1&panes=')).toBe(true);
    const panes = JSON.parse(new URLSearchParams(url.split('?')[1]).get('panes')!);
    expect(panes).toEqual({
      upload: {
        datasource: 'pyroscope-local',
        queries: [
          {
            refId: 'A',
            datasource: { type: 'grafana-pyroscope-datasource', uid: 'pyroscope-local' },
            queryType: 'both',
            profileTypeId: 'wall:wall:nanoseconds:cpu:nanoseconds',
            labelSelector: '{service_name="checkout", thread_name="say \\"hi\\"\\\\", thread_id="17"}',
            groupBy: [],
          },
        ],
        range: { from: '1764000000000', to: '1764000060000' },
      },
    });
  });
});

describe('embedded exploration', () => {
  it('service first, then the thread labels, as AdHocVariableFilter objects', () => {
    expect(embeddedExplorationFilters('checkout', [{ name: 'thread_name', value: 'MainThread' }])).toEqual([
      { key: 'service_name', operator: '=', value: 'checkout' },
      { key: 'thread_name', operator: '=', value: 'MainThread' },
    ]);
    expect(embeddedExplorationFilters('checkout')).toEqual([{ key: 'service_name', operator: '=', value: 'checkout' }]);
  });
});
