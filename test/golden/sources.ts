/**
 * The golden files and how each is produced. Tests compare what `produce()` gives with the
 * committed file and never write it; `npm run golden:update` (update.ts) rewrites them on
 * purpose and asserts nothing. A change that moves a golden file is reviewed in its diff.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { renderMarkdown } from '../../reports/markdown.js';
import { readResults } from '../../reports/read.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const repo = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));

export interface GoldenFile {
  /** Path from the repository root. */
  readonly path: string;
  readonly what: string;
  readonly produce: () => string;
}

/** A small model sweep over three workloads and the four presets, without run_id. */
function smallSweep(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-golden-'));
  try {
    const out = join(dir, 'run.csv');
    const args = ['run', 'build', 'handover', 'teardown', '--set', 'size=256KiB', '--set', 'clients=3', '--seed', '3', '--workers', '2', '--out', out];
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`eaddbench ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const records = parse(readFileSync(out, 'utf8')) as string[][];
    const drop = records[0]!.indexOf('run_id');
    return stringify(
      records.map((rec) => rec.filter((_, i) => i !== drop)),
      { record_delimiter: 'unix' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** report.md of the reports' fixture CSV. */
function fixtureReport(): string {
  const rows = readResults(repo('test/fixtures/reports/model.csv')).rows;
  return renderMarkdown({ files: ['model.csv'], rows });
}

export const GOLDEN_FILES: readonly GoldenFile[] = [
  { path: 'test/fixtures/golden/small-sweep.csv', what: 'a small model sweep (build, handover, teardown × presets)', produce: smallSweep },
  { path: 'test/fixtures/reports/expected/model-report.md', what: 'report.md of the reports fixture', produce: fixtureReport },
];

export function goldenPath(g: GoldenFile): string {
  return repo(g.path);
}
