import { test } from '@playwright/test';
import { GrafanaStandIn, GrafanaStandInOptions } from '../standins/grafanaStandIn';
import { PyroscopeStandIn } from '../standins/pyroscopeStandIn';

export interface SpecStandIns {
  pyroscope: PyroscopeStandIn;
  grafana: GrafanaStandIn;
  grafanaUrl: string;
}

/**
 * The LOCAL STAND-INS for one spec file: a Pyroscope stand-in and a Grafana stand-in proxying to it, started before
 * the file's tests and stopped after them. The fields are set once `beforeAll` has run.
 */
export function standInsForSpec(grafanaOptions: Omit<GrafanaStandInOptions, 'pyroscopeUrl'> = {}): SpecStandIns {
  const standIns = {} as SpecStandIns;
  test.beforeAll(async () => {
    standIns.pyroscope = new PyroscopeStandIn();
    standIns.grafana = new GrafanaStandIn({ ...grafanaOptions, pyroscopeUrl: await standIns.pyroscope.start() });
    standIns.grafanaUrl = await standIns.grafana.start();
  });
  test.afterAll(async () => {
    await standIns.grafana?.stop();
    await standIns.pyroscope?.stop();
  });
  return standIns;
}
