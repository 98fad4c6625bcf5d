/**
 * Imports point down: CLI (bench/) and the developer tools (dev/) → reports/ and backends/ →
 * workloads/ and results/ → the design space (backends/designs.ts, which imports nothing) →
 * the SGX structures (backends/arch/) → the shared leaf (common/). Same-rank folders do not
 * import each other (bench/ and dev/ never; backends/model/ and backends/sgx/ never; reports/
 * never a backend). The test reads
 * every source file's static imports (test/ and scripts/ aside) and fails naming each one that
 * points the wrong way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Rank of each group: an import must go to a lower rank, or stay in its own group. */
const RANK: Readonly<Record<string, number>> = {
  common: 0,
  'backends/arch': 1,
  // The design facts (knobs, presets, the batch rule): suites and reports name designs too.
  'backends/designs': 2,
  results: 3,
  workloads: 3,
  'backends/core': 4, // types.ts, index.ts: the backend contract every backend and the reports share
  'backends/model': 5,
  'backends/sgx': 5,
  reports: 5,
  bench: 6,
  // Developer tools (the headless-Chromium page check, its PNG reader): beside the CLI, never imported by it.
  dev: 6,
};

export function groupOf(rel: string): string | undefined {
  const parts = rel.split('/');
  if (rel === 'backends/designs.ts') return 'backends/designs';
  if (parts[0] === 'backends') return parts.length === 2 ? 'backends/core' : `backends/${parts[1]}`;
  return parts[0] !== undefined && parts[0] in RANK ? parts[0] : undefined;
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Static imports and re-exports (`from '...'`) of a source text, relative ones only. */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]!);
}

export function wrongWay(from: string, to: string): boolean {
  const a = groupOf(from);
  const b = groupOf(to);
  if (a === undefined || b === undefined || a === b) return false;
  return RANK[b]! >= RANK[a]!;
}

test('the rule itself: an upward or sideways import is wrong; down and within a folder is fine', () => {
  assert.equal(wrongWay('reports/read.ts', 'bench/errors.ts'), true);
  assert.equal(wrongWay('reports/charts.ts', 'backends/model/profiles.ts'), true);
  assert.equal(wrongWay('backends/sgx/background.ts', 'reports/stats.ts'), true);
  assert.equal(wrongWay('backends/model/x.ts', 'backends/sgx/y.ts'), true);
  assert.equal(wrongWay('workloads/replay.ts', 'bench/errors.ts'), true);
  assert.equal(wrongWay('bench/cli.ts', 'reports/read.ts'), false);
  assert.equal(wrongWay('reports/summary.ts', 'backends/designs.ts'), false);
  assert.equal(wrongWay('workloads/suites.ts', 'backends/designs.ts'), false);
  assert.equal(wrongWay('backends/designs.ts', 'workloads/types.ts'), true);
  assert.equal(wrongWay('workloads/suites.ts', 'backends/types.ts'), true);
  assert.equal(wrongWay('backends/model/a.ts', 'backends/model/b.ts'), false);
  assert.equal(wrongWay('dev/check-page.ts', 'reports/html.ts'), false);
  assert.equal(wrongWay('reports/html.ts', 'dev/png.ts'), true);
  assert.equal(wrongWay('bench/cli.ts', 'dev/check-page.ts'), true);
  assert.deepEqual(
    relativeImports("import { a } from '../x.js';\nexport { b } from './y.js';\nimport type {\n  C,\n} from '../../z.js';\nconst s = 'from \\'./no.js\\'';"),
    ['../x.js', './y.js', '../../z.js'],
  );
});

test('every import in the source tree points down', () => {
  const bad: string[] = [];
  let count = 0;
  for (const dir of Object.keys(RANK)
    .filter((g) => !g.startsWith('backends'))
    .concat(['backends'])) {
    for (const file of sources(dir)) {
      for (const spec of relativeImports(readFileSync(path.join(ROOT, file), 'utf8'))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
        count++;
        if (wrongWay(file, target)) bad.push(`${file} imports ${target}`);
      }
    }
  }
  assert.ok(count > 200, `read ${count} imports`);
  assert.deepEqual(bad, []);
});
