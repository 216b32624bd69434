import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planUpload, UploadPlan } from '../../src/core/plan/planUpload';
import { batchProfiles, encodePlan, EncodedProfile, PushBatch } from '../../src/core/push/encodeUpload';
import { ParsedFile } from '../../src/core/threads/threadModel';
import { parseArgs } from 'node:util';
import { UPLOAD_OPTIONS, uploadOptionsFrom, usageErrors, UsageError } from '../args';
import { CliIo, loadFiles } from '../io';

export interface Prepared {
  plan: UploadPlan;
  encoded: EncodedProfile[];
  batches: PushBatch[];
  files: ParsedFile[];
}

/** Shared by convert and push: parse, plan, encode and batch, printing file errors and plan warnings. */
export async function prepare(
  paths: string[],
  values: Parameters<typeof uploadOptionsFrom>[0],
  io: CliIo
): Promise<Prepared | undefined> {
  const options = uploadOptionsFrom(values);
  const { files, failures } = await loadFiles(paths);
  for (const failure of failures) {
    io.err(`error: ${failure}\n`);
  }
  const plan = planUpload(files, options);
  for (const warning of plan.warnings) {
    io.err(`warning: ${warning.message}\n`);
  }
  for (const skip of plan.skipped) {
    if (skip.reason !== 'excluded') {
      io.err(
        `skipped: ${skip.fileName}: profile ${skip.threadIndex} ${JSON.stringify(skip.threadName)}: ${skip.reason}\n`
      );
    }
  }
  if (plan.profiles.length === 0) {
    io.err('error: nothing to upload: no thread could be converted\n');
    return undefined;
  }
  const encoded = encodePlan(plan);
  return { plan, encoded, batches: batchProfiles(encoded), files };
}

export const requestFileName = (index: number) => `requests/${String(index + 1).padStart(4, '0')}.json`;

export async function convertCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({ args, options: { ...UPLOAD_OPTIONS, out: { type: 'string' } }, allowPositionals: true })
  );
  if (!values.out) {
    throw new UsageError('--out <dir> is required');
  }
  if (positionals.length === 0) {
    throw new UsageError('give at least one Speedscope file');
  }
  const prepared = await prepare(positionals, values, io);
  if (!prepared) {
    return 1;
  }
  const { plan, batches } = prepared;
  await mkdir(join(values.out, 'requests'), { recursive: true });
  const requestOf = new Map<EncodedProfile, string>();
  for (const [i, batch] of batches.entries()) {
    await writeFile(join(values.out, requestFileName(i)), batch.body);
    batch.profiles.forEach((p) => requestOf.set(p, requestFileName(i)));
  }
  const planJson = {
    profiles: batches.flatMap((b) =>
      b.profiles.map((p) => ({
        file: p.planned.thread.fileName,
        threadIndex: p.planned.thread.index,
        threadName: p.planned.thread.name,
        labels: Object.fromEntries(p.planned.labels.map((l) => [l.name, l.value])),
        profileTypeId: p.planned.profileTypeId,
        timeNanos: String(p.planned.timeNanos),
        durationNanos: String(p.planned.durationNanos),
        sampleCount: p.planned.nodes.length,
        total: p.planned.total,
        unit: p.planned.unit,
        request: requestOf.get(p),
      }))
    ),
    skipped: plan.skipped.map((s) => ({
      file: s.fileName,
      threadIndex: s.threadIndex,
      threadName: s.threadName,
      reason: s.reason,
    })),
  };
  await writeFile(join(values.out, 'plan.json'), JSON.stringify(planJson, null, 2) + '\n');
  io.out(
    `${plan.threads.length} threads → ${plan.profiles.length} profiles in ${batches.length} requests written to ${values.out}\n`
  );
  return 0;
}
