import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planUpload, UploadPlan } from '../../src/core/plan/planUpload';
import { batchProfiles } from '../../src/core/push/batches';
import { encodePlan, EncodingAhead } from '../../src/core/push/encodeUpload';
import { UploadOptions } from '../../src/core/plan/uploadOptions';
import { UPLOAD_OPTIONS, uploadOptionsFrom, usageErrors, UsageError } from '../args';
import { formatValue, printable } from '../format';
import { CliIo, LoadedFiles, loadFiles, reportFileErrors } from '../io';
import { EXIT, inputFailures, isFailedSkip, outcomeTable } from '../report';

export interface Prepared {
  loaded: LoadedFiles;
  /** Undefined when nothing could be planned. */
  plan?: UploadPlan;
}

/**
 * Shared by convert and push: read, parse and plan every file, printing file errors, warnings and skips. With
 * `ahead`, each thread is also encoded as soon as it is read (see `EncodingAhead`).
 */
export async function prepare(
  paths: string[],
  values: Parameters<typeof uploadOptionsFrom>[0],
  io: CliIo,
  ahead?: (options: UploadOptions) => EncodingAhead
): Promise<Prepared & { ahead?: EncodingAhead }> {
  const options = uploadOptionsFrom(values);
  const encodingAhead = ahead?.(options);
  const loaded = await loadFiles(
    paths,
    encodingAhead && ((i, file, thread) => encodingAhead.addThread(i, file, thread))
  );
  reportFileErrors(loaded, io);
  const plan = planUpload(loaded.files, options);
  for (const warning of plan.warnings) {
    io.err(printable(`warning: ${warning.message}`) + '\n');
  }
  for (const skip of plan.skipped) {
    if (skip.reason !== 'excluded') {
      const what = `${skip.fileName}: profile ${skip.threadIndex} ${JSON.stringify(skip.threadName)}: ${skip.reason}`;
      io.err(printable(`skipped: ${what}`) + '\n');
    }
  }
  if (plan.profiles.length === 0) {
    io.err('error: nothing to upload: no thread could be converted\n');
    return { loaded };
  }
  return { loaded, plan, ahead: encodingAhead };
}

export const requestFileName = (index: number) => `requests/${String(index + 1).padStart(4, '0')}.json`;

/** Written into every output folder with the list of files convert wrote there, so a later run replaces only those. */
export const OUTPUT_MARKER = '.speedscope-upload-convert.json';

/**
 * Makes `dir` ready for a new conversion: a new or empty folder is fine; a folder that an earlier convert wrote
 * (it has the marker) loses the files that run wrote, and nothing else; any other non-empty folder is refused.
 */
async function claimOutputFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return;
    }
    throw new UsageError(`--out: cannot use ${dir}: ${(e as Error).message}`);
  }
  if (entries.length === 0) {
    return;
  }
  if (!entries.includes(OUTPUT_MARKER)) {
    throw new UsageError(
      `--out: ${dir} is not empty and was not written by convert; give a new or empty folder (nothing was written)`
    );
  }
  const marker = JSON.parse(await readFile(join(dir, OUTPUT_MARKER), 'utf8')) as { files?: unknown };
  const written = Array.isArray(marker.files) ? marker.files.filter((f): f is string => typeof f === 'string') : [];
  for (const file of written) {
    // Only names convert itself makes: never a path that leaves the folder.
    if (file === 'plan.json' || /^requests\/\d{4,}\.json$/.test(file)) {
      await rm(join(dir, file), { force: true });
    }
  }
  await rmdir(join(dir, 'requests')).catch(() => undefined);
}

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
  uploadOptionsFrom(values);
  await claimOutputFolder(values.out);
  // Each thread is encoded while the rest is parsed: the output holds every profile anyway, so keeping the gzipped
  // ones until the plan is final costs little, and gzip runs on the core the parse leaves idle.
  const { loaded, plan, ahead } = await prepare(positionals, values, io, (options) => new EncodingAhead(options));
  if (!plan) {
    io.out(outcomeTable(loaded, () => undefined) + '\n');
    return EXIT.nothing;
  }

  await mkdir(join(values.out, 'requests'), { recursive: true });
  const written: string[] = ['plan.json'];
  const requestOf = new Map<string, string>();
  const writeMarker = () =>
    writeFile(join(values.out!, OUTPUT_MARKER), JSON.stringify({ writtenBy: 'convert', files: written }, null, 2));
  await writeMarker();
  let requests = 0;
  for await (const batch of batchProfiles(encodePlan(plan, { ahead }))) {
    const name = requestFileName(requests++);
    written.push(name);
    await writeMarker();
    await writeFile(join(values.out, name), batch.body);
    batch.profiles.forEach((p) => requestOf.set(`${p.threadKey}@${p.timeNanos}`, name));
  }
  const planJson = {
    // The upload's range (ms); `verify <plan.json>` reads each series back from its profiles' times.
    fromMs: plan.fromMs,
    toMs: plan.toMs,
    profiles: plan.profiles.map((p) => ({
      file: p.thread.fileName,
      threadIndex: p.thread.index,
      threadName: p.thread.name,
      labels: Object.fromEntries(p.labels.map((l) => [l.name, l.value])),
      profileTypeId: p.profileTypeId,
      timeNanos: String(p.timeNanos),
      durationNanos: String(p.durationNanos),
      sampleCount: p.nodes.length,
      total: p.total,
      unit: p.unit,
      request: requestOf.get(`${p.threadKey}@${p.timeNanos}`),
    })),
    skipped: plan.skipped.map((s) => ({
      file: s.fileName,
      threadIndex: s.threadIndex,
      threadName: s.threadName,
      reason: s.reason,
    })),
  };
  await writeFile(join(values.out, 'plan.json'), JSON.stringify(planJson, null, 2) + '\n');

  const planned = new Map(plan.threads.map((t) => [t.threadKey, t]));
  const skipped = new Map(plan.skipped.map((s) => [s.threadKey, s]));
  io.out(
    outcomeTable(loaded, (key) => {
      const thread = planned.get(key);
      if (thread) {
        return {
          status: 'converted',
          profiles: String(thread.profileCount),
          detail: formatValue(thread.total, thread.unit),
        };
      }
      const skip = skipped.get(key);
      return skip && { status: isFailedSkip(skip.reason) ? 'error' : 'skipped', profiles: '', detail: skip.reason };
    }) + '\n'
  );
  io.out(
    `${plan.threads.length} threads → ${plan.profiles.length} profiles in ${requests} requests written to ${printable(values.out)}\n`
  );
  return inputFailures(loaded, plan) > 0 ? EXIT.partial : EXIT.ok;
}
