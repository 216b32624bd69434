import { PlanError } from '../src/core/plan/planUpload';
import { UsageError } from './args';
import { convertCommand } from './commands/convert';
import { inspectCommand } from './commands/inspect';
import { pushCommand } from './commands/push';
import { verifyCommand } from './commands/verify';
import { printable } from './format';
import { CliIo } from './io';
import { EXIT } from './report';

const USAGE = `Usage: npm run --silent cli -- <command> [options] <file…>

Commands:
  inspect <file…>   list the threads of Speedscope files (plain or gzip) with their stats and errors
  convert <file…>   write what a push would send: <out>/plan.json and <out>/requests/NNNN.json
  push <file…>      convert and push to Pyroscope, one series per thread
  verify <plan.json>   read back what convert planned (and push sent): per series, arrived exactly or missing

Options for convert and push:
  --service <name>              service_name label (required)
  --from <time>                 where the profiles start: RFC 3339 or epoch ms (required)
  --to <time>                   end of the range (default: from + the longest file's duration)
  --profile-type <type>         cpu | wall | memory | samples (default: from each thread's unit)
  --sample-rate <Hz>            for unit "none": turns sample counts into CPU time
  --label <name=value>          extra label, repeatable
  --thread-label <name>         label holding the thread name (default thread_name)
  --slice-seconds <n>           time slice width (default 10)
  --out <dir>                   (convert) where to write: a new or empty folder, or one convert wrote before
  --grafana <url> --datasource <uid>   (push) through Grafana's datasource proxy; token in GRAFANA_TOKEN
  --pyroscope <url>             (push) straight to Pyroscope; PYROSCOPE_USER/PYROSCOPE_PASSWORD for basic auth
  --tenant <id>                 (push, verify) X-Scope-OrgID for multi-tenant Pyroscope
  --timeout <s>                 (push, verify) deadline of one request, headers and body (default 60)
  --push-timeout <s>            (push) bound for the whole push (default 3600)
  --ingestion-rate <MiB/s> --ingestion-burst <MiB> --distributors <n>
                                (push) the server's ingestion limits that pacing follows (default 4, 2, 1)
  --verify                      (push) read every pushed series back after the push
  --verify-rounds <n>           (push --verify, verify) rounds of queries while data is not visible yet (default 6)

verify takes --grafana/--datasource or --pyroscope (and --tenant, --timeout) like push.

Exit codes: 0 everything converted, pushed or read back; 1 nothing; 2 usage error; 3 partial (see the report).
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect':
        if (rest.length === 0) {
          throw new UsageError('give at least one Speedscope file');
        }
        return await inspectCommand(rest, io);
      case 'convert':
        return await convertCommand(rest, io);
      case 'push':
        return await pushCommand(rest, io);
      case 'verify':
        return await verifyCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`error: ${printable(e.message)}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (e instanceof PlanError) {
      io.err(e.problems.map((p) => `error: ${printable(p)}\n`).join(''));
      return EXIT.nothing;
    }
    throw e;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    }
  );
}
