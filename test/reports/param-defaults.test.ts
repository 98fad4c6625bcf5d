/**
 * A results file written before a workload gained a parameter: its rows do not name it, ran with
 * its default, and compare matches them with the rows that name the default, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDefaultParams } from '../../reports/param-defaults.js';
import { parseResults } from '../../reports/read.js';
import { CLI } from './fixtures.js';

const BASELINE = new URL('../../../results/baselines/ci.csv', import.meta.url);

test('compare: rows of a file written before `shared` had `via` match the rows with via=fd (its default), said on stderr; a different value still does not match', () => {
  const d = mkdtempSync(join(tmpdir(), 'eaddbench-defaults-'));
  const now = readFileSync(BASELINE, 'utf8');
  assert.ok(now.includes(';via=fd'), 'the baseline names via for shared');
  // The same rows as an older version of the tool wrote them (shared had no `via` parameter).
  const old = now.replaceAll(';via=fd', '');
  writeFileSync(join(d, 'old.csv'), old);
  writeFileSync(join(d, 'now.csv'), now);
  const r = spawnSync(process.execPath, [CLI, 'compare', join(d, 'old.csv'), join(d, 'now.csv'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const counts = (JSON.parse(r.stdout) as { counts: Record<string, number> }).counts;
  assert.deepEqual([counts['new'], counts['missing'], counts['regressed']], [0, 0, 0], 'every case matched');
  assert.match(r.stderr, /old\.csv: rows that do not name a parameter their workload has now were compared with its default \(shared: via=fd\)/);
  assert.doesNotMatch(r.stderr, /now\.csv: rows/, 'nothing filled in the current file');
  // report says the same, and charts the old rows with the current ones.
  const rep = spawnSync(process.execPath, [CLI, 'report', join(d, 'old.csv'), '--out', join(d, 'report')], { encoding: 'utf8' });
  assert.equal(rep.status, 0, rep.stderr);
  assert.match(rep.stderr, /reported with its default \(shared: via=fd\)/);
  // A row naming another value is another case.
  writeFileSync(join(d, 'fork.csv'), now.replaceAll(';via=fd', ';via=fork'));
  const f = spawnSync(process.execPath, [CLI, 'compare', join(d, 'old.csv'), join(d, 'fork.csv'), '--json'], { encoding: 'utf8' });
  const fc = (JSON.parse(f.stdout) as { counts: Record<string, number> }).counts;
  assert.ok(fc['new']! > 0 && fc['missing']! > 0, 'via=fork is not matched with the default');
});

test('withDefaultParams: fills only parameters the row lacks, in the writer order, and leaves unknown workloads alone', () => {
  const text = readFileSync(BASELINE, 'utf8');
  const file = parseResults(text.replaceAll(';via=fd', ''), 'old.csv');
  const { rows, filled } = withDefaultParams(file.rows);
  assert.deepEqual(filled, ['shared: via=fd']);
  const current = parseResults(text, 'now.csv').rows;
  assert.deepEqual(
    rows.map((r) => r.params),
    current.map((r) => r.params),
  );
  const same = withDefaultParams(current);
  assert.deepEqual(same.filled, []);
  assert.equal(same.rows[0], current[0], 'rows that name every parameter are passed through');
  const unknown = withDefaultParams([{ ...current[0]!, workload: 'nosuch', params: 'a=1' }]);
  assert.equal(unknown.rows[0]!.params, 'a=1');
});
