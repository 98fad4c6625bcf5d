/**
 * `npm run bench:fit`: how long `eaddbench fit` takes on the shipped calibration set
 * (skylake-client-priors against backends/model/calibration/observations.csv), wall clock,
 * with the pool's default workers. Target ≤ 60 s on a 2-core machine. `--json` prints one
 * JSON object. The fitted profile goes to a temporary file, so the shipped one is not touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const OBSERVATIONS = fileURLToPath(new URL('../../../backends/model/calibration/observations.csv', import.meta.url));
const TARGET_S = 60;

function main(): number {
  const { values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { json: { type: 'boolean', default: false } } });
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-fit-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [CLI, 'fit', '--profile', 'skylake-client-priors', '--observations', OBSERVATIONS, '--out', join(dir, 'fitted.json'), '--json'],
      { encoding: 'utf8' },
    );
    const wallS = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      process.stderr.write(`bench:fit: the fit failed (exit ${r.status}): ${r.stderr}`);
      return 1;
    }
    const report = JSON.parse(r.stdout) as { free: string[]; iterations: number; modelRuns: number; rows: unknown[] };
    const out = {
      wall_s: Number(wallS.toFixed(1)),
      target_s: TARGET_S,
      observations: report.rows.length,
      free_costs: report.free.length,
      iterations: report.iterations,
      model_runs: report.modelRuns,
      clock: 'wall',
    };
    if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
    else
      process.stdout.write(
        `bench:fit: ${out.observations} observations, ${out.free_costs} free costs, ${out.iterations} iterations, ${out.model_runs} model runs: ${out.wall_s} s wall (target ≤ ${TARGET_S} s)\n`,
      );
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
