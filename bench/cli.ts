#!/usr/bin/env node
/**
 * eaddbench: the whole pipeline is parse → resolve options → run → write; this file only
 * dispatches to a subcommand and turns errors into exit statuses (0 ok, 1 check failed,
 * 2 bad usage or input, 70 an internal error — a bug).
 */
import { COMMANDS } from './commands/index.js';
import { UsageError, CheckFailed, INTERNAL_ERROR_EXIT, REPORT_BUGS } from './errors.js';
import { OutputError } from '../common/atomic-write.js';
import { InputFileError } from '../common/input-file.js';
import { packageInfo } from '../common/package-info.js';

const TOP_HELP = `eaddbench — benchmarks for the Linux SGX driver's EADD path

Usage: eaddbench <command> [options]      (eaddbench <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Exit status: 0 success; 1 a check failed (a failed case, a regression); 2 bad usage or input
(including an output path that cannot be written); 70 an internal error (a bug: please report
it); 130/143 interrupted by SIGINT/SIGTERM (finished rows kept).

Example:
  eaddbench run build concurrent --design per-mm,mm-less --set size=8MiB,64MiB --out results/demo.csv
`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    const { name: pkgName, version } = packageInfo();
    process.stdout.write(`${pkgName} ${version}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UsageError(`unknown command '${name}'; valid commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help.endsWith('\n') ? cmd.help : cmd.help + '\n');
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof CheckFailed) {
      process.stderr.write(`eaddbench: error: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof OutputError || err instanceof InputFileError) {
      process.stderr.write(`eaddbench: error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    const e = err as { code?: string; message?: string };
    if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`eaddbench: error: ${e.message ?? String(err)}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `eaddbench: internal error (a bug, not a problem with your input): ${err instanceof Error ? err.message : String(err)}\n` +
        `eaddbench: ${REPORT_BUGS}\n` +
        (err instanceof Error && err.stack ? `${err.stack}\n` : ''),
    );
    process.exitCode = INTERNAL_ERROR_EXIT;
  },
);
