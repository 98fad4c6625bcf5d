/**
 * `npm run bench:ci`: the performance gate CI runs after the tests. Runs the quick `ci` model
 * suite and compares it with the committed baseline (results/baselines/ci.csv) at the default
 * threshold: model numbers are deterministic, so any change beyond 1 % in a metric's bad
 * direction fails until the baseline is updated on purpose:
 *
 *   npm run bench:ci -- --update-baseline
 *
 * Only model rows go into the baseline, with run_id normalized, so an update diffs only where
 * numbers moved. Target: the suite finishes in under 60 s on a 2-core runner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readResults } from '../../reports/read.js';
import { DEFAULT_COMPARE, compareRows, formatText, hasRegression } from '../../reports/compare.js';
import { withDefaultParams } from '../../reports/param-defaults.js';
import { parsePercent } from '../../reports/args.js';
import { writeCsvAtomic } from '../../results/csv.js';
import { UsageError } from '../errors.js';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
export const DEFAULT_BASELINE = fileURLToPath(new URL('../../../results/baselines/ci.csv', import.meta.url));
const BASELINE_RUN_ID = 'baseline';
const TIME_TARGET_S = 60;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      'update-baseline': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      threshold: { type: 'string' },
      suite: { type: 'string', default: 'ci' },
    },
  });
  const baseline = values.baseline ?? DEFAULT_BASELINE;
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-ci-'));
  try {
    const out = join(dir, 'ci.csv');
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [CLI, 'run', '--suite', values.suite, '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Exit 1 means a case ended badly; the comparison below judges that against the baseline.
    if ((run.status !== 0 && run.status !== 1) || !existsSync(out)) {
      process.stderr.write(`bench:ci: 'eaddbench run --suite ${values.suite}' failed (exit ${run.status ?? run.signal}); no results to compare\n`);
      return 2;
    }
    process.stdout.write(`bench:ci: suite '${values.suite}' ran in ${seconds.toFixed(1)} s (wall; target < ${TIME_TARGET_S} s)\n`);
    if (seconds > TIME_TARGET_S) process.stdout.write(`bench:ci: warning: the suite took longer than ${TIME_TARGET_S} s; trim workloads/suites.ts 'ci'\n`);
    const rows = readResults(out).rows.filter((r) => r.backend === 'model');
    if (values['update-baseline']) {
      writeCsvAtomic(
        baseline,
        rows.map((r) => ({ ...r, run_id: BASELINE_RUN_ID })),
      );
      process.stdout.write(`bench:ci: wrote ${rows.length} model rows to ${baseline}; review the diff and commit it\n`);
      return 0;
    }
    if (!existsSync(baseline)) {
      throw new UsageError(`no baseline at ${baseline}; create it with: npm run bench:ci -- --update-baseline`);
    }
    const threshold = values.threshold !== undefined ? parsePercent('threshold', values.threshold) : DEFAULT_COMPARE.threshold;
    const base = withDefaultParams(readResults(baseline).rows);
    if (base.filled.length > 0)
      process.stdout.write(`bench:ci: baseline rows without a parameter their workload has now compared with its default (${base.filled.join(', ')})\n`);
    const result = compareRows(base.rows, rows, { ...DEFAULT_COMPARE, threshold });
    process.stdout.write(formatText(result));
    if (hasRegression(result)) {
      process.stdout.write(
        'bench:ci: FAIL: modeled numbers moved in the bad direction. If the change is intended, run: npm run bench:ci -- --update-baseline\n',
      );
      return 1;
    }
    const changed = result.counts.improved + result.counts.changed + result.counts.new + result.counts.missing;
    if (changed > 0)
      process.stdout.write(
        `bench:ci: ${changed} metric(s) improved, changed, appeared or disappeared; consider updating the baseline (npm run bench:ci -- --update-baseline)\n`,
      );
    process.stdout.write('bench:ci: ok\n');
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const e = err as { exitCode?: number; code?: string; message?: string };
    process.stderr.write(`bench:ci: error: ${e?.message ?? String(err)}\n`);
    process.exitCode = typeof e?.exitCode === 'number' ? e.exitCode : typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  },
);
