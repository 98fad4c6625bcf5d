import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { planCases, parseShard, selectShard } from '../../bench/plan.js';
import { parseSets } from '../../bench/params.js';
import { formatNumber, rowsToCsv } from '../../results/csv.js';
import { COLUMN_NAMES, SCHEMA_VERSION, type Row } from '../../results/schema.js';
import { PRESETS } from '../../backends/designs.js';
import type { WorkloadSpec } from '../../workloads/types.js';

const toy: WorkloadSpec = {
  name: 'toy',
  description: 'test workload',
  params: [{ name: 'n', kind: 'int', unit: 'count', default: 1, min: 1, description: 'n' }],
  generate: () => ({ processes: [], background: [], needs: {} }),
};

function plan(seed = 1) {
  return planCases({
    entries: [{ workload: toy, designs: PRESETS.map((p) => ({ name: p.name, knobs: p.knobs })), sets: parseSets(['n=1,2,3']) }],
    backend: 'model',
    profile: { name: 'p', data: {} },
    seed,
    repeat: 2,
    options: {},
  });
}

test('plans are ordered, complete and have stable ids', () => {
  const a = plan();
  assert.equal(a.length, 3 * 4 * 2);
  assert.deepEqual(
    a.map((c) => c.caseId),
    plan().map((c) => c.caseId),
  );
  assert.equal(new Set(a.map((c) => c.caseId)).size, a.length);
  assert.notDeepEqual(
    a.map((c) => c.caseId),
    plan(2).map((c) => c.caseId),
  );
});

test('shards partition the plan', () => {
  const all = plan();
  for (const n of [1, 2, 3, 5, 30]) {
    const parts = Array.from({ length: n }, (_, i) => selectShard(all, { index: i + 1, count: n }));
    const ids = parts.flat().map((c) => c.caseId);
    assert.equal(ids.length, all.length);
    assert.deepEqual(new Set(ids), new Set(all.map((c) => c.caseId)));
  }
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['3/2', '0/2', '1/0', 'a/b', '1']) assert.throws(() => parseShard(bad), /--shard/);
});

test('numbers are written without exponent notation', () => {
  assert.equal(formatNumber(1e-7), '0.0000001');
  assert.equal(formatNumber(1.5e-12), '0.0000000000015');
  assert.equal(formatNumber(1e21), '1000000000000000000000');
  assert.equal(formatNumber(123.456), '123.456');
  assert.equal(formatNumber(0), '0');
  assert.throws(() => formatNumber(NaN));
});

test('CSV text round-trips through csv-parse, quoting what needs it', () => {
  const row: Row = {
    schema_version: SCHEMA_VERSION,
    run_id: 'r',
    case_id: 'c',
    backend: 'model',
    design: 'binding=fd,execution=caller',
    workload: 'build',
    profile: 'p',
    params: 'a=1;b=2',
    seed: 1,
    repeat: 0,
    draw: 0,
    clock: 'model',
    metric: 'throughput',
    unit: 'pages/s',
    value: 2.5e-9,
    outcome: 'ok',
    detail: 'say "hi"\nthere',
  };
  const text = rowsToCsv([row, { ...row, value: null, metric: 'case', outcome: 'skipped' }], true);
  assert.ok(!/e-\d/.test(text));
  const back = parse(text, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(back[0]!), [...COLUMN_NAMES]);
  assert.equal(back[0]!['design'], 'binding=fd,execution=caller');
  assert.equal(back[0]!['detail'], 'say "hi"\nthere');
  assert.equal(Number(back[0]!['value']), 2.5e-9);
  assert.equal(back[1]!['value'], '');
});
