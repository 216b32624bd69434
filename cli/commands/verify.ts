import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LabelPair } from '../../src/core/plan/labels';
import { PyroscopeClient } from '../../src/core/push/pyroscopeClient';
import {
  describeArrival,
  ThreadArrival,
  ThreadExpectation,
  VerifyReport,
  verifyUpload,
} from '../../src/core/push/verifyUpload';
import { BaseUnit } from '../../src/core/threads/units';
import { parseNumber, usageErrors, UsageError } from '../args';
import { formatValue, printable, table } from '../format';
import { CliIo } from '../io';
import { EXIT } from '../report';
import { clientFrom, CONNECTION_OPTIONS } from '../connection';

export const VERIFY_OPTIONS = { 'verify-rounds': { type: 'string' } } as const;

/** A verified series with what the table shows of it. */
export interface VerifiedThread {
  file: string;
  threadIndex: number;
  threadName: string;
  expectation: ThreadExpectation;
}

const STATUS_WORDS: Record<ThreadArrival['status'], (a: ThreadArrival) => string> = {
  exact: () => 'arrived exactly',
  missing: (a) => (a.foundProfiles !== undefined ? `missing ${a.missingProfiles}` : 'missing'),
  more: () => 'more than expected',
  'not-queryable': () => 'not queryable yet',
};

/** Reads back every thread, prints one row each, and returns the exit code: 0 all there, 3 some missing, 1 none. */
export async function verifyAndReport(
  client: PyroscopeClient,
  threads: VerifiedThread[],
  values: { 'verify-rounds'?: string },
  io: CliIo
): Promise<number> {
  const maxRounds = parseNumber('verify-rounds', values['verify-rounds'], 1, 100) ?? 6;
  const report: VerifyReport = await verifyUpload(
    client,
    threads.map((t) => t.expectation),
    {
      maxRounds,
      onRetry: (r) =>
        io.err(`verify: ${r.pending} not (all) visible yet; round ${r.round} of ${maxRounds} in ${r.delayMs} ms\n`),
    }
  );
  const rows = threads.map((t, i) => {
    const arrival = report.threads[i];
    return [
      t.file,
      String(t.threadIndex),
      t.threadName,
      t.expectation.profileTypeId,
      STATUS_WORDS[arrival.status](arrival),
      `${arrival.foundProfiles ?? '?'}/${arrival.expectedProfiles}`,
      describeArrival(arrival, formatValue),
    ];
  });
  io.out(table(['file', '#', 'thread', 'type', 'read back', 'profiles', 'detail'], rows) + '\n');
  const exact = report.threads.filter((a) => a.status === 'exact' || a.status === 'more').length;
  io.out(
    printable(
      `verified ${report.threads.length} series at ${client.description}: ${exact} arrived in full` +
        (exact < report.threads.length ? `, ${report.threads.length - exact} not` : '') +
        ` (${report.rounds} ${report.rounds === 1 ? 'round' : 'rounds'} of queries)`
    ) + '\n'
  );
  if (exact === report.threads.length) {
    return EXIT.ok;
  }
  return report.threads.some((a) => a.foundTotal > 0) ? EXIT.partial : EXIT.nothing;
}

/** One profile of plan.json (written by `convert`). */
interface PlanJsonProfile {
  file: string;
  threadIndex: number;
  threadName: string;
  labels: Record<string, string>;
  profileTypeId: string;
  timeNanos: string;
  total: number;
  unit: BaseUnit;
}

/** The series of plan.json, one per file, thread and profile type, with their profiles' times and totals. */
export function threadsOfPlanJson(json: unknown): VerifiedThread[] {
  const profiles = (json as { profiles?: unknown })?.profiles;
  if (!Array.isArray(profiles) || profiles.length === 0) {
    throw new UsageError('plan.json has no profiles: give the plan.json that convert wrote');
  }
  const byKey = new Map<string, VerifiedThread>();
  for (const p of profiles as PlanJsonProfile[]) {
    if (typeof p?.profileTypeId !== 'string' || typeof p.timeNanos !== 'string' || typeof p.labels !== 'object') {
      throw new UsageError(
        'plan.json: a profile lacks labels, profileTypeId or timeNanos; write it again with convert'
      );
    }
    const key = JSON.stringify([p.file, p.threadIndex, p.profileTypeId]);
    const timeMs = Number(BigInt(p.timeNanos) / 1_000_000n);
    let thread = byKey.get(key);
    if (!thread) {
      const labels: LabelPair[] = Object.entries(p.labels).map(([name, value]) => ({ name, value }));
      thread = {
        file: p.file,
        threadIndex: p.threadIndex,
        threadName: p.threadName,
        expectation: {
          threadKey: key,
          labels,
          profileTypeId: p.profileTypeId,
          fromMs: timeMs,
          toMs: timeMs,
          profileCount: 0,
          total: 0,
          unit: p.unit,
          profileTimesMs: [],
        },
      };
      byKey.set(key, thread);
    }
    const e = thread.expectation;
    e.fromMs = Math.min(e.fromMs, timeMs);
    e.toMs = Math.max(e.toMs, timeMs);
    e.profileCount++;
    e.total += p.total;
    e.profileTimesMs!.push(timeMs);
  }
  return [...byKey.values()];
}

export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({ args, options: { ...CONNECTION_OPTIONS, ...VERIFY_OPTIONS }, allowPositionals: true })
  );
  if (positionals.length !== 1) {
    throw new UsageError('give one plan.json (written by convert)');
  }
  const client = clientFrom(values, io);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(positionals[0], 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${positionals[0]}: ${(e as Error).message}`);
  }
  return verifyAndReport(client, threadsOfPlanJson(json), values, io);
}
