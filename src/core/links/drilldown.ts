/**
 * Links into Grafana Profiles Drilldown (app `grafana-pyroscope-app`) and Explore, built from Drilldown's URL contract
 * (grafana/profiles-drilldown `src/links.ts`, `SceneProfilesExplorer.tsx`; Scenes `AdHocFiltersVariableUrlSyncHandler.ts`
 * and `variables/utils.ts`). Paths start at Grafana's root: put `config.appSubUrl` in front.
 */
import { labelSelector } from '../plan/labels';

export const DRILLDOWN_PATH = '/a/grafana-pyroscope-app/explore';
/** The type id of Grafana's Pyroscope datasource plugin. */
export const PYROSCOPE_DATASOURCE_TYPE = 'grafana-pyroscope-datasource';

/** Drilldown's `ExplorationType` values (the `explorationType` URL key). */
export type ExplorationType = 'all' | 'profiles' | 'labels' | 'flame-graph' | 'diff-flame-graph' | 'favorites';

/** The operators Drilldown's query builder writes; `=~`/`!~` take a regular expression. */
export type FilterOperator = '=' | '!=' | '=~' | '!~';

export interface LabelFilter {
  name: string;
  operator: FilterOperator;
  value: string;
}

export interface LinkTarget {
  datasourceUid: string;
  serviceName: string;
  /** `__name__:sample_type:sample_unit:period_type:period_unit`. */
  profileTypeId: string;
  fromMs: number;
  toMs: number;
}

export interface DrilldownView {
  explorationType: ExplorationType;
  filters?: LabelFilter[];
  /** A label name for the Labels view's "group by" (`var-groupBy`). */
  groupBy?: string;
}

/**
 * Scenes writes a filter as `key|operator|value`, escaping `|` as `__gfp__`, `,` (its key/label separator) as
 * `__gfc__` and `#` (its origin separator) as `__gfh__`; one URL parameter per filter.
 */
export function encodeFilter(filter: LabelFilter): string {
  return [filter.name, filter.operator, filter.value].map(escapeScenesDelimiters).join('|');
}

function escapeScenesDelimiters(part: string): string {
  return part.replace(/\|/g, '__gfp__').replace(/,/g, '__gfc__').replace(/#/g, '__gfh__');
}

/**
 * Why Drilldown would not show exactly this filter, or undefined. Scenes turns the text `__gfp__`, `__gfc__` or
 * `__gfh__` back into `|`, `,`, `#`; Drilldown builds its query as `name="value"` without escaping, so `"` or `\`
 * in a value break the query.
 */
export function filterProblem(filter: LabelFilter): string | undefined {
  const escapeLike = /__gf[pch]__/.exec(filter.value);
  if (escapeLike) {
    return `the value of ${filter.name} contains "${escapeLike[0]}", which Grafana's URL handling turns into another character`;
  }
  if (/["\\]/.test(filter.value)) {
    return `the value of ${filter.name} contains a quote or backslash, which Profiles Drilldown does not escape in its query`;
  }
  return undefined;
}

export function drilldownUrl(target: LinkTarget, view: DrilldownView): string {
  const params = new URLSearchParams();
  params.append('var-dataSource', target.datasourceUid);
  params.append('var-serviceName', target.serviceName);
  params.append('var-profileMetricId', target.profileTypeId);
  params.append('explorationType', view.explorationType);
  for (const filter of view.filters ?? []) {
    params.append('var-filters', encodeFilter(filter));
  }
  if (view.groupBy !== undefined) {
    params.append('var-groupBy', view.groupBy);
  }
  params.append('from', String(target.fromMs));
  params.append('to', String(target.toMs));
  return `${DRILLDOWN_PATH}?${params.toString()}`;
}

/** The flame graph of one uploaded thread: its service, profile type and range, filtered on each of its own labels. */
export function threadFlameGraphUrl(target: LinkTarget, threadLabels: Array<{ name: string; value: string }>): string {
  return drilldownUrl(target, {
    explorationType: 'flame-graph',
    filters: threadLabels.map(({ name, value }) => ({ name, operator: '=', value })),
  });
}

/** The Labels view of an upload grouped by the thread label, so the threads sit side by side. */
export function uploadLabelsUrl(target: LinkTarget, threadLabelName: string): string {
  return drilldownUrl(target, { explorationType: 'labels', groupBy: threadLabelName });
}

/** Explore with a Pyroscope query for the service and the given labels (a thread's, or none for the whole upload). */
export function exploreUrl(target: LinkTarget, labels: Array<{ name: string; value: string }>): string {
  const panes = {
    upload: {
      datasource: target.datasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: PYROSCOPE_DATASOURCE_TYPE, uid: target.datasourceUid },
          queryType: 'both',
          profileTypeId: target.profileTypeId,
          labelSelector: labelSelector([{ name: 'service_name', value: target.serviceName }, ...labels]),
          groupBy: [],
        },
      ],
      range: { from: String(target.fromMs), to: String(target.toMs) },
    },
  };
  return `/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

/** Drilldown's embedded exploration takes `@grafana/data`'s `AdHocVariableFilter`: this shape. */
export interface AdHocFilter {
  key: string;
  operator: FilterOperator;
  value: string;
}

/**
 * `initialFilters` for `grafana-pyroscope-app/embedded-profiles-exploration/v1`: its `service_name` filter selects the
 * service, the others become `var-filters`; with any filter it opens the Labels view (`SceneProfilesExplorer`).
 */
export function embeddedExplorationFilters(
  serviceName: string,
  labels: Array<{ name: string; value: string }> = []
): AdHocFilter[] {
  return [
    { key: 'service_name', operator: '=', value: serviceName },
    ...labels.map(({ name, value }) => ({ key: name, operator: '=' as const, value })),
  ];
}
