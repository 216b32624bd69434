import { config } from '@grafana/runtime';
import { drilldownUrl, escapeSelectorValue, exploreUrl } from '../links';

const context = {
  datasourceUid: 'pyro',
  serviceName: 'svc',
  profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
  fromMs: 1000,
  toMs: 2000,
};

describe('links to uploaded threads', () => {
  afterEach(() => {
    config.appSubUrl = '';
  });

  it('escape quotes, backslashes and newlines in the Explore selector', () => {
    expect(escapeSelectorValue('Thread 1 "main"\\x\ny')).toBe('Thread 1 \\"main\\"\\\\x\\ny');
    const url = exploreUrl({ ...context, threadLabelName: 'thread_name', threadLabelValue: 'a"b' });
    const panes = JSON.parse(decodeURIComponent(url.split('panes=')[1]));
    expect(panes.upload.queries[0].labelSelector).toBe('{service_name="svc",thread_name="a\\"b"}');
    expect(panes.upload.range).toEqual({ from: '1000', to: '2000' });
  });

  it('keep Grafana’s sub-path', () => {
    config.appSubUrl = '/grafana';
    expect(drilldownUrl(context)).toBe(
      '/grafana/a/grafana-pyroscope-app/explore?var-dataSource=pyro&var-serviceName=svc&var-profileMetricId=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds&explorationType=flame-graph&from=1000&to=2000'
    );
    expect(exploreUrl({ ...context, threadLabelName: 't', threadLabelValue: 'v' })).toMatch(
      /^\/grafana\/explore\?schemaVersion=1&panes=/
    );
  });
});
