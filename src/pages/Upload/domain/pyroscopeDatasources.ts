import { DataSourceInstanceSettings } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { PYROSCOPE_DATASOURCE_TYPE } from '../../../settings';

export function pyroscopeDatasources(): DataSourceInstanceSettings[] {
  return getDataSourceSrv().getList({ type: PYROSCOPE_DATASOURCE_TYPE });
}
