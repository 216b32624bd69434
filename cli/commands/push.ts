import { fetchTransport, PyroscopeClient } from '../../src/core/push/pyroscopeClient';
import { pushUpload } from '../../src/core/push/pushUpload';
import { parseArgs } from 'node:util';
import { UPLOAD_OPTIONS, usageErrors, UsageError } from '../args';
import { formatValue, table } from '../format';
import { CliIo } from '../io';
import { prepare } from './convert';

function clientFrom(values: { grafana?: string; datasource?: string; pyroscope?: string; tenant?: string }, io: CliIo) {
  const headers: Record<string, string> = {};
  if (values.tenant) {
    headers['X-Scope-OrgID'] = values.tenant;
  }
  if (values.grafana) {
    if (!values.datasource) {
      throw new UsageError('--grafana needs --datasource <uid> (the Pyroscope datasource to push through)');
    }
    const token = io.env.GRAFANA_TOKEN;
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const base = `${values.grafana.replace(/\/+$/, '')}/api/datasources/proxy/uid/${encodeURIComponent(values.datasource)}`;
    return new PyroscopeClient(fetchTransport(base, headers));
  }
  if (values.pyroscope) {
    const { PYROSCOPE_USER: user, PYROSCOPE_PASSWORD: password } = io.env;
    if (user) {
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
    }
    return new PyroscopeClient(fetchTransport(values.pyroscope, headers));
  }
  throw new UsageError('give --grafana <url> --datasource <uid> (token in GRAFANA_TOKEN) or --pyroscope <url>');
}

export async function pushCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({
      args,
      options: {
        ...UPLOAD_OPTIONS,
        grafana: { type: 'string' },
        datasource: { type: 'string' },
        pyroscope: { type: 'string' },
        tenant: { type: 'string' },
      },
      allowPositionals: true,
    })
  );
  if (positionals.length === 0) {
    throw new UsageError('give at least one Speedscope file');
  }
  const client = clientFrom(values, io);
  const prepared = await prepare(positionals, values, io);
  if (!prepared) {
    return 1;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let report;
  try {
    report = await pushUpload(client, prepared.encoded, prepared.plan.skipped, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.retry) {
          io.err(`retry ${p.retry.attempt} in ${p.retry.delayMs} ms: ${p.retry.reason}\n`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
  }
  const totals = new Map(prepared.plan.threads.map((t) => [t.threadKey, t]));
  io.out(
    table(
      ['file', '#', 'thread label', 'status', 'profiles', 'total', 'reason'],
      report.threads.map((t) => {
        const planned = totals.get(t.threadKey);
        return [
          t.fileName,
          String(t.threadIndex),
          t.labelValue ?? t.threadName,
          t.status,
          t.status === 'skipped' ? '' : `${t.profilesPushed}/${t.profilesTotal}`,
          planned ? formatValue(planned.total, planned.unit) : '',
          t.reason ?? '',
        ];
      })
    ) + '\n'
  );
  io.out(
    report.complete
      ? `pushed ${prepared.encoded.length} profiles of ${prepared.plan.threads.length} threads to ${client.description} in ${report.requests} requests (${report.retries} retries)\n`
      : `NOT complete: ${report.cancelled ? 'cancelled' : report.error}\n`
  );
  return report.complete ? 0 : 1;
}
