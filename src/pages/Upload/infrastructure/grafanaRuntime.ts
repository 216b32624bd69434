import { DataSourceInstanceSettings, usePluginContext } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { AppSettings, PYROSCOPE_DATASOURCE_TYPE } from '../../../settings';

/** The Pyroscope datasources this user may see, from Grafana's datasource service. */
export function pyroscopeDatasources(): DataSourceInstanceSettings[] {
  return getDataSourceSrv().getList({ type: PYROSCOPE_DATASOURCE_TYPE });
}

/**
 * Editors and Admins may push. This only shapes the page: in open-source Grafana any Viewer can POST through the
 * datasource proxy, so it is not a security boundary (the app's write route, `reqRole: Editor`, is one).
 */
export function userCanPush(): boolean {
  const user = config.bootData?.user;
  return Boolean(user?.isGrafanaAdmin || user?.orgRole === 'Editor' || user?.orgRole === 'Admin');
}

/** The app's settings (`jsonData`) as Grafana hands them to the plugin's pages. */
export function usePluginSettings(): AppSettings {
  return (usePluginContext()?.meta.jsonData ?? {}) as AppSettings;
}

/** Saves bytes as a file through the browser's download. */
export function downloadBytes(bytes: Uint8Array, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}
