import { config } from '@grafana/runtime';
import { PYROSCOPE_DATASOURCE_TYPE } from '../../../settings';

/** Grafana may run under a sub-path (`root_url` behind a proxy): internal links need it in front. */
export function inGrafana(path: string): string {
  return `${config.appSubUrl ?? ''}${path}`;
}

export interface LinkContext {
  datasourceUid: string;
  serviceName: string;
  profileTypeId: string;
  fromMs: number;
  toMs: number;
}

/** Profiles Drilldown (Explore Profiles) with service, profile type and range filled in. */
export function drilldownUrl(c: LinkContext): string {
  const params = new URLSearchParams({
    'var-dataSource': c.datasourceUid,
    'var-serviceName': c.serviceName,
    'var-profileMetricId': c.profileTypeId,
    explorationType: 'flame-graph',
    from: String(c.fromMs),
    to: String(c.toMs),
  });
  return inGrafana(`/a/grafana-pyroscope-app/explore?${params.toString()}`);
}

/** A label value inside a `{name="value"}` selector: backslashes, quotes and newlines escaped. */
export function escapeSelectorValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Explore with a Pyroscope query for one uploaded thread. */
export function exploreUrl(c: LinkContext & { threadLabelName: string; threadLabelValue: string }): string {
  const selector = `{service_name="${escapeSelectorValue(c.serviceName)}",${c.threadLabelName}="${escapeSelectorValue(c.threadLabelValue)}"}`;
  const panes = {
    upload: {
      datasource: c.datasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: PYROSCOPE_DATASOURCE_TYPE, uid: c.datasourceUid },
          queryType: 'both',
          profileTypeId: c.profileTypeId,
          labelSelector: selector,
          groupBy: [],
        },
      ],
      range: { from: String(c.fromMs), to: String(c.toMs) },
    },
  };
  return inGrafana(`/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`);
}
