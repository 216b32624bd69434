import { config } from '@grafana/runtime';

/** Grafana's sub-path when it runs behind a proxy under one (`root_url`), else ''. Internal links need it in front. */
export function grafanaSubPath(): string {
  return config.appSubUrl ?? '';
}
