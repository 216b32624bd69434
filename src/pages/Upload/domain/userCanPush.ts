import { config } from '@grafana/runtime';

/**
 * Editors and Admins may push. This only shapes the page: in open-source Grafana any Viewer can POST through the
 * datasource proxy, so it is not a security boundary (the app's write route, `reqRole: Editor`, is one).
 */
export function userCanPush(): boolean {
  const user = config.bootData?.user;
  return Boolean(user?.isGrafanaAdmin || user?.orgRole === 'Editor' || user?.orgRole === 'Admin');
}
