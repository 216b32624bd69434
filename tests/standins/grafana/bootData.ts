/**
 * Runs first in the host bundle: @grafana/runtime reads `window.grafanaBootData` when it is evaluated, so the
 * boot data must exist before that import.
 */
export interface StandInPageConfig {
  pluginId: string;
  theme: 'light' | 'dark';
  orgRole: 'Viewer' | 'Editor' | 'Admin';
  datasources: Record<string, { uid: string; name: string; type: string; url: string }>;
  /** Ids of the components other plugins expose in this Grafana (e.g. Profiles Drilldown's embedded exploration). */
  exposedComponents: string[];
}

declare global {
  interface Window {
    __STANDIN__: StandInPageConfig;
    __grafana_public_path__: string;
  }
}

const page = window.__STANDIN__;
const datasources = Object.fromEntries(
  Object.values(page.datasources).map((ds) => [
    ds.name,
    {
      ...ds,
      id: 1,
      access: 'proxy',
      readOnly: false,
      jsonData: {},
      meta: {
        id: ds.type,
        type: 'datasource',
        name: 'Grafana Pyroscope',
        info: { logos: { small: 'public/img/pyroscope.svg', large: 'public/img/pyroscope.svg' } },
        module: '',
        baseUrl: '',
      },
    },
  ])
);

window.__grafana_public_path__ = '/public/';
(window as unknown as { grafanaBootData: unknown }).grafanaBootData = {
  user: {
    id: 1,
    login: page.orgRole.toLowerCase(),
    orgId: 1,
    orgRole: page.orgRole,
    isGrafanaAdmin: false,
    isSignedIn: true,
    theme: page.theme,
    timezone: 'browser',
    weekStart: '',
    language: 'en-US',
  },
  settings: {
    appSubUrl: '',
    buildInfo: { version: '12.4.0-standin', edition: 'Open Source' },
    datasources,
    defaultDatasource: '',
    featureToggles: {},
    apps: {},
    theme2: undefined,
  },
  navTree: [],
};
