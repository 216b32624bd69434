import { formatProfileIssue } from '../../src/core/threads/profileIssue';
import { formatValue, printable, table } from '../format';
import { CliIo, loadFiles } from '../io';
import { EXIT } from '../report';

export async function inspectCommand(paths: string[], io: CliIo): Promise<number> {
  const loaded = await loadFiles(paths);
  const { files } = loaded;
  const rows: string[][] = [];
  const problems: string[] = loaded.outcomes.flatMap((o) => (o.error ? [`${o.path}: ${o.error}`] : []));
  for (const file of files) {
    problems.push(...file.warnings.map((w) => `${file.fileName}: ${w}`));
    for (const profile of file.profiles) {
      if (!profile.ok) {
        rows.push([
          file.fileName,
          String(profile.index),
          profile.name,
          profile.type,
          profile.unit,
          '',
          '',
          '',
          '',
          '',
          'error',
        ]);
        problems.push(formatProfileIssue(profile.error));
        continue;
      }
      const { stats, baseUnit } = profile;
      rows.push([
        file.fileName,
        String(profile.index),
        profile.name,
        profile.type,
        profile.unit,
        baseUnit === 'nanoseconds' ? formatValue(stats.duration, baseUnit) : '',
        formatValue(stats.total, baseUnit),
        String(stats.samplesOrEvents),
        String(stats.uniqueStacks),
        String(stats.maxDepth),
        stats.emptyStackSamples > 0 ? `${stats.emptyStackSamples} empty` : '',
      ]);
      problems.push(...profile.warnings.map((w) => `${file.fileName}: profile ${profile.index}: ${w}`));
    }
  }
  if (rows.length > 0) {
    io.out(
      table(
        ['file', '#', 'thread', 'type', 'unit', 'duration', 'total', 'samples/events', 'stacks', 'depth', 'notes'],
        rows
      ) + '\n'
    );
  }
  for (const problem of problems) {
    io.err(printable(problem) + '\n');
  }
  return files.length === 0 ? EXIT.nothing : files.length < paths.length ? EXIT.partial : EXIT.ok;
}
