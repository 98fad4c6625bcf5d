/**
 * Golden CSV: a small sweep over three workloads and the four presets, diffed byte for byte
 * (without run_id) against the committed file. A change to the model, the schema or the writer
 * that moves any row fails here; regenerate on purpose with EADDBENCH_UPDATE_GOLDEN=1 npm test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../../test/fixtures/golden/small-sweep.csv', import.meta.url));

test('a small model sweep reproduces the golden CSV (apart from run_id)', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'eaddbench-golden-')), 'run.csv');
  const args = ['run', 'build', 'handover', 'teardown', '--set', 'size=256KiB', '--set', 'clients=3', '--seed', '3', '--workers', '2', '--out', out];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const records = parse(readFileSync(out, 'utf8')) as string[][];
  const drop = records[0]!.indexOf('run_id');
  const text = stringify(records.map((rec) => rec.filter((_, i) => i !== drop)), { record_delimiter: 'unix' });
  if (process.env['EADDBENCH_UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, text);
  assert.equal(text, readFileSync(GOLDEN, 'utf8'));
});
