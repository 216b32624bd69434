import { datasourceProxyPath, fetchTransport, PyroscopeClient } from '../src/core/push/pyroscopeClient';
import { parseNumber, UsageError } from './args';
import { CliIo } from './io';

/** Where `push` and `verify` talk to: Grafana's datasource proxy or Pyroscope itself. */
export const CONNECTION_OPTIONS = {
  grafana: { type: 'string' },
  datasource: { type: 'string' },
  pyroscope: { type: 'string' },
  tenant: { type: 'string' },
  timeout: { type: 'string' },
} as const;

interface ConnectionValues {
  grafana?: string;
  datasource?: string;
  pyroscope?: string;
  tenant?: string;
  timeout?: string;
}

/** The client for the connection options; credentials from GRAFANA_TOKEN or PYROSCOPE_USER/PYROSCOPE_PASSWORD. */
export function clientFrom(values: ConnectionValues, io: CliIo): PyroscopeClient {
  const headers: Record<string, string> = {};
  if (values.tenant) {
    headers['X-Scope-OrgID'] = values.tenant;
  }
  const timeoutSeconds = parseNumber('timeout', values.timeout, 1, 3600) ?? 60;
  const options = { requestTimeoutMs: timeoutSeconds * 1000 };
  if (values.grafana) {
    if (!values.datasource) {
      throw new UsageError('--grafana needs --datasource <uid> (the Pyroscope datasource to push through)');
    }
    const token = io.env.GRAFANA_TOKEN;
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const base = `${values.grafana.replace(/\/+$/, '')}${datasourceProxyPath(values.datasource)}`;
    return new PyroscopeClient(fetchTransport(base, headers), options);
  }
  if (values.pyroscope) {
    const { PYROSCOPE_USER: user, PYROSCOPE_PASSWORD: password } = io.env;
    if (user) {
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    }
    return new PyroscopeClient(fetchTransport(values.pyroscope, headers), options);
  }
  throw new UsageError('give --grafana <url> --datasource <uid> (token in GRAFANA_TOKEN) or --pyroscope <url>');
}
