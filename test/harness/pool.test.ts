import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPool } from '../../bench/pool.js';
import type { CaseResult, CaseSpec } from '../../backends/types.js';
import { PRESETS } from '../../backends/designs.js';

const worker = new URL('./fixtures/faulty-worker.js', import.meta.url).href;

function spec(workload: string, n: number): CaseSpec {
  return {
    caseId: `${workload}${n}`,
    backend: 'model',
    design: 'per-mm',
    knobs: PRESETS[0]!.knobs,
    workload,
    profile: 'p',
    profileData: {},
    params: { n },
    seed: 1,
    repeat: 0,
    options: {},
  };
}

test('a case that throws or a worker that dies becomes an error result; the rest still run', async () => {
  const cases = [spec('ok', 1), spec('throw', 2), spec('ok', 3), spec('die', 4), spec('ok', 5), spec('ok', 6)];
  const results = new Map<number, CaseResult>();
  const run = runPool(cases, 2, (i, r) => results.set(i, r), worker);
  await run.done;
  assert.equal(results.size, cases.length);
  assert.equal(results.get(1)!.outcome, 'error');
  assert.match((results.get(1) as { detail: string }).detail, /boom from the case/);
  assert.equal(results.get(3)!.outcome, 'error');
  assert.match((results.get(3) as { detail: string }).detail, /worker failed/);
  for (const i of [0, 2, 4, 5]) {
    const r = results.get(i)!;
    assert.equal(r.outcome, 'ok');
    assert.equal(r.metrics?.[0]?.value, cases[i]!.params['n']);
  }
});
