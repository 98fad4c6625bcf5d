import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeFiles } from '../../reports/merge.js';
import { parseResults, readResults } from '../../reports/read.js';
import { UsageError } from '../../bench/errors.js';
import { HEADER, fixture } from './fixtures.js';

test('merging split shards restores the rows in order and drops exact repeats', () => {
  const all = readResults(fixture('model.csv'));
  const a = { path: 'a.csv', version: all.version, rows: all.rows.slice(0, 120), lines: all.lines.slice(0, 120) };
  const b = { path: 'b.csv', version: all.version, rows: all.rows.slice(100), lines: all.lines.slice(100) };
  const rerun = { ...b, rows: b.rows.map((r) => ({ ...r, run_id: 'other run' })) };
  const m = mergeFiles([a, rerun]);
  assert.equal(m.rows.length, all.rows.length);
  assert.equal(m.duplicates, 20);
  assert.deepEqual(
    m.rows.map((r) => r.case_id + r.metric),
    all.rows.map((r) => r.case_id + r.metric),
  );
});

test('a conflicting duplicate names both files and lines', () => {
  const row = '1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,';
  const a = parseResults(`${HEADER}\n${row}100,ok,\n`, 'shard-1.csv');
  const b = parseResults(`${HEADER}\n${row.replace('c1', 'c0')}1,ok,\n${row}101,ok,\n`, 'shard-2.csv');
  assert.throws(
    () => mergeFiles([a, b]),
    (e: unknown) =>
      e instanceof UsageError && /case_id c1 metric build_time_p50: shard-1\.csv:2 has value='100', shard-2\.csv:3 has value='101'/.test(e.message),
  );
});
