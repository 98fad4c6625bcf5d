/** Same CaseSpec → same result, whatever ran before (workers share nothing but the spec). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCaseSync } from '../../backends/model/backend.js';
import { spec } from './helpers.js';

test('identical inputs give identical results; the seed changes open-loop arrivals', () => {
  const a = runCaseSync(spec('handover', 'mm-less', { clients: 6, rate: 50 }, 'skylake-client', 7));
  runCaseSync(spec('concurrent', 'per-mm', { builders: 3 }));
  const b = runCaseSync(spec('handover', 'mm-less', { clients: 6, rate: 50 }, 'skylake-client', 7));
  assert.deepEqual(a, b);
  const c = runCaseSync(spec('mmap-contention', 'per-mm', {}, 'skylake-client', 3));
  const d = runCaseSync(spec('mmap-contention', 'per-mm', {}, 'skylake-client', 3));
  assert.deepEqual(c, d);
  const e = runCaseSync(spec('handover', 'per-mm', { clients: 6, rate: 50 }, 'skylake-client', 8));
  const f = runCaseSync(spec('handover', 'per-mm', { clients: 6, rate: 50 }, 'skylake-client', 9));
  assert.notDeepEqual(e, f);
});
