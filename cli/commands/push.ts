import { parseArgs } from 'node:util';
import { batchLimitsFor, batchProfiles, MIB, PYROSCOPE_DEFAULT_INGESTION } from '../../src/core/push/batches';
import { encodePlan } from '../../src/core/push/encodeUpload';
import { pushThreadsOf, pushUpload } from '../../src/core/push/pushUpload';
import { expectationsFromPlan, noteProfileTime } from '../../src/core/push/verifyUpload';
import { parseNumber, UPLOAD_OPTIONS, usageErrors, UsageError } from '../args';
import { clientFrom, CONNECTION_OPTIONS } from '../connection';
import { printable } from '../format';
import { CliIo } from '../io';
import { EXIT, inputFailures, isFailedSkip, outcomeTable } from '../report';
import { prepare } from './convert';
import { verifyAndReport, VERIFY_OPTIONS, VerifiedThread } from './verify';

export const PUSH_OPTIONS = {
  ...CONNECTION_OPTIONS,
  'push-timeout': { type: 'string' },
  'ingestion-rate': { type: 'string' },
  'ingestion-burst': { type: 'string' },
  distributors: { type: 'string' },
  verify: { type: 'boolean' },
  ...VERIFY_OPTIONS,
} as const;

export async function pushCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({ args, options: { ...UPLOAD_OPTIONS, ...PUSH_OPTIONS }, allowPositionals: true })
  );
  if (positionals.length === 0) {
    throw new UsageError('give at least one Speedscope file');
  }
  const client = clientFrom(values, io);
  const defaults = PYROSCOPE_DEFAULT_INGESTION;
  const ingestion = {
    rateBytesPerSecond:
      (parseNumber('ingestion-rate', values['ingestion-rate'], 0.01, 1e6) ?? defaults.rateBytesPerSecond / MIB) * MIB,
    burstBytes:
      (parseNumber('ingestion-burst', values['ingestion-burst'], 0.01, 1e6) ?? defaults.burstBytes / MIB) * MIB,
    distributors: parseNumber('distributors', values.distributors, 1, 10_000) ?? defaults.distributors,
  };
  const overallTimeoutMs = (parseNumber('push-timeout', values['push-timeout'], 1, 7 * 86_400) ?? 3600) * 1000;
  const { loaded, plan } = await prepare(positionals, values, io);
  if (!plan) {
    io.out(outcomeTable(loaded, () => undefined) + '\n');
    return EXIT.nothing;
  }

  const threads = pushThreadsOf(plan.threads);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let report;
  try {
    const batchLimits = batchLimitsFor(ingestion);
    report = await pushUpload(
      client,
      batchProfiles(encodePlan(plan, { signal: controller.signal }), batchLimits),
      threads,
      plan.skipped,
      {
        signal: controller.signal,
        ingestion,
        overallTimeoutMs,
        onProgress: (p) => {
          if (p.retry) {
            io.err(printable(`retry ${p.retry.attempt} in ${p.retry.delayMs} ms: ${p.retry.reason}`) + '\n');
          }
        },
      }
    );
  } finally {
    process.off('SIGINT', onSignal);
  }

  const results = new Map(report.threads.map((t) => [t.threadKey, t]));
  io.out(
    outcomeTable(loaded, (key) => {
      const t = results.get(key);
      if (!t) {
        return undefined;
      }
      const status = t.status === 'skipped' && isFailedSkip(t.reason ?? '') ? 'error' : t.status;
      return {
        status,
        profiles: t.status === 'skipped' ? '' : `${t.profilesPushed}/${t.profilesTotal}`,
        detail: t.reason ?? (t.labelValue !== t.threadName ? `as ${t.labelValue}` : ''),
      };
    }) + '\n'
  );
  const stored = report.threads.reduce((sum, t) => sum + t.profilesPushed, 0);
  const uncertain = report.threads.reduce((sum, t) => sum + t.profilesUncertain, 0);
  const total = plan.profiles.length;
  if (report.complete) {
    io.out(
      `pushed ${total} profiles of ${plan.threads.length} threads to ${client.description} in ${report.requests} requests (${report.retries} retries)\n`
    );
  } else {
    const why = report.cancelled ? 'cancelled' : (report.error ?? 'some profiles were not stored');
    const maybe = uncertain ? `, ${uncertain} uncertain (may be stored; pushing again is safe)` : '';
    io.out(printable(`NOT complete: ${why}. ${stored} of ${total} profiles confirmed stored${maybe}.`) + '\n');
  }
  if (stored === 0 && uncertain === 0) {
    return EXIT.nothing;
  }
  const pushCode = report.complete && inputFailures(loaded, plan) === 0 ? EXIT.ok : EXIT.partial;
  if (!values.verify) {
    return pushCode;
  }
  // Read back the threads something was (or may have been) stored for, against everything planned for them.
  const sent = new Set(
    report.threads.filter((t) => t.profilesPushed + t.profilesUncertain > 0).map((t) => t.threadKey)
  );
  const times = new Map<string, number[]>();
  for (const p of plan.profiles) {
    noteProfileTime(times, p.threadKey, p.timeNanos);
  }
  const expectations = expectationsFromPlan(plan, { profileTimesMs: times, only: sent });
  const byKey = new Map(plan.threads.map((t) => [t.threadKey, t]));
  const verified: VerifiedThread[] = expectations.map((expectation) => {
    const t = byKey.get(expectation.threadKey)!;
    return { file: t.fileName, threadIndex: t.threadIndex, threadName: t.threadName, expectation };
  });
  const verifyCode = await verifyAndReport(client, verified, values, io);
  return pushCode === EXIT.ok && verifyCode === EXIT.ok ? EXIT.ok : EXIT.partial;
}
