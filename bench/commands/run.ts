/**
 * `eaddbench run`: parse → resolve options → plan cases → run them in a worker pool → write
 * rows as cases finish → print a comparison table.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from '../command.js';
import { resolveRunOptions, RUN_HELP } from '../run-options.js';
import { planCases, selectShard } from '../plan.js';
import { runPool } from '../pool.js';
import { Progress } from '../progress.js';
import { resultRows } from '../rows.js';
import { summaryTable } from '../../reports/text.js';
import { ResultsWriter } from '../../results/writer.js';
import { checkOutputDir, checkOutputFile, ensureDir, symlinkAtomic, writeFileAtomic } from '../../common/atomic-write.js';
import { chanceLevel, costSensitivity, sensitivityCsv, sensitivityTable } from '../../reports/sensitivity.js';
import { HEADLINE } from '../../reports/summary.js';

/** Where `--sensitivity` writes: next to the results, `X.csv` → `X.sensitivity.csv`. */
export function sensitivityPath(out: string): string {
  return out.replace(/\.csv$/, '') + '.sensitivity.csv';
}
import { loadBackend } from '../../backends/index.js';
import { UsageError } from '../errors.js';
import type { Row } from '../../results/schema.js';

function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Point results/latest.csv at the newest run (a relative symlink, replaced atomically). */
function linkLatest(out: string): void {
  const latest = join(dirname(out), 'latest.csv');
  if (basename(out) === 'latest.csv') return;
  symlinkAtomic(basename(out), latest);
}

export const command: Command = {
  name: 'run',
  summary: 'run workloads on a backend and write tidy CSV results',
  help: RUN_HELP,
  async run(argv) {
    const started = new Date();
    const opts = resolveRunOptions(argv);
    const backend = await loadBackend(opts.backend);

    let cases = planCases(opts.plan);
    if (opts.shard) cases = selectShard(cases, opts.shard);
    for (const c of cases) {
      const problem = backend.validate?.(c);
      if (problem !== undefined) throw new UsageError(`workload '${c.workload}', design '${c.design}': ${problem}`);
    }

    // The run id (UTC second and pid) also names the default file, so two runs started in the
    // same second never share one.
    const runId = `${utcStamp(started)}-${process.pid}`;
    const out = opts.out ?? join('results', `${runId}.csv`);
    if (existsSync(out) && opts.out === undefined) throw new UsageError(`--out: ${out} already exists`);
    // The destination is checked and owned before any case runs (exit 2 naming the path).
    checkOutputFile(out, '--out');
    const sensitivityOut = opts.sensitivity ? sensitivityPath(out) : undefined;
    if (sensitivityOut !== undefined) checkOutputFile(sensitivityOut, '--sensitivity');
    // The trace directory is checked (and made) before any case runs: the workers write into it.
    if (opts.trace !== undefined) {
      checkOutputDir(
        opts.trace,
        cases.map((c) => `${c.caseId}.json`),
        '--trace',
      );
      ensureDir(opts.trace, '--trace');
    }
    const writer = new ResultsWriter(out, runId, '--out');
    const perCase: (Row[] | undefined)[] = new Array(cases.length);
    const progress = new Progress(cases.length);
    let errors = 0;
    let skipped = 0;
    let finished = 0;

    if (cases.length === 0) {
      writer.finish([]);
      process.stderr.write(`eaddbench: no cases to run${opts.shard ? ` in shard ${opts.shard.index}/${opts.shard.count}` : ''}; wrote an empty ${out}\n`);
      return 0;
    }

    const pool = runPool(cases, opts.workers, (index, result) => {
      const spec = cases[index]!;
      const rows = resultRows(spec, result, backend.clock, runId);
      perCase[index] = rows;
      writer.append(rows);
      finished++;
      if (result.outcome === 'error') errors++;
      if (result.outcome === 'skipped') skipped++;
      progress.tick(`${spec.workload} ${spec.design} ${rows[0]?.params ?? ''} → ${result.outcome}`);
    });

    let interrupted: NodeJS.Signals | undefined;
    let signalled!: () => void;
    const stoppedBySignal = new Promise<void>((resolve) => (signalled = resolve));
    const onSignal = (sig: NodeJS.Signals) => {
      if (interrupted) return;
      interrupted = sig;
      signalled();
      void pool.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await Promise.race([pool.done, stoppedBySignal]);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }

    if (interrupted) {
      progress.break();
      const kept = writer.interrupt(perCase.flatMap((r) => r ?? []));
      const where =
        kept.rows === 0 && kept.kept
          ? `no rows written; ${out} is unchanged`
          : kept.kept
            ? `${kept.rows} rows in ${kept.file} (${out}, from an earlier run, is unchanged)`
            : `${kept.rows} rows in ${kept.file}`;
      process.stderr.write(`eaddbench: interrupted by ${interrupted}: ${finished} of ${cases.length} cases finished; ${where}\n`);
      return interrupted === 'SIGINT' ? 130 : 143;
    }

    const rows = perCase.flatMap((r) => r ?? []);
    writer.finish(rows);
    if (opts.out === undefined) linkLatest(out);
    process.stdout.write(summaryTable(rows));
    if (sensitivityOut !== undefined) {
      const list = costSensitivity(rows, opts.vectors);
      writeFileAtomic(sensitivityOut, sensitivityCsv(list), { flag: '--sensitivity' });
      process.stdout.write('\n' + sensitivityTable(list, (w) => HEADLINE[w] ?? [], chanceLevel(opts.vectors)));
      process.stderr.write(`eaddbench: ${list.length} cost correlations → ${sensitivityOut}\n`);
    }
    process.stderr.write(`eaddbench: ${cases.length} cases, ${rows.length} rows (clock: ${backend.clock}) → ${out}\n`);
    if (opts.trace !== undefined) process.stderr.write(`eaddbench: traces (${backend.clock} time, µs) → ${opts.trace}/<case_id>.json\n`);
    if (skipped > 0) {
      const reason = rows.find((r) => r.outcome === 'skipped')?.detail ?? '';
      process.stderr.write(`eaddbench: ${skipped} of ${cases.length} cases skipped: ${reason}\n`);
    }
    if (errors > 0) {
      process.stderr.write(`eaddbench: ${errors} cases failed (outcome error; see the detail column)\n`);
      return 1;
    }
    return 0;
  },
};
