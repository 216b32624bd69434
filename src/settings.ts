/** The app's settings (`jsonData`), edited on the configuration page or provisioned from `provisioning/plugins`. */
export interface AppSettings {
  defaultDatasourceUid?: string;
  defaultServiceName?: string;
  threadLabelName?: string;
  sliceSeconds?: number;
  maxFileSizeMb?: number;
  /** Dedicated write target, reached through the app route `pyroscope-write` (see plugin.json). */
  pushUrl?: string;
  pushTenant?: string;
  pushAuthKind?: 'none' | 'basic' | 'bearer';
  pushUser?: string;
}

/** `secureJsonData` keys: stored encrypted by Grafana, never sent back to the browser. */
export interface AppSecureSettings {
  /** The whole Authorization header value (`Basic …` or `Bearer …`), injected by the app route. */
  pushAuthorization?: string;
}

export const DEFAULT_MAX_FILE_SIZE_MB = 512;
export { PYROSCOPE_DATASOURCE_TYPE } from './core/links/drilldown';
export const WRITE_ROUTE = 'pyroscope-write';
