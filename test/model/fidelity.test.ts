/** The published anchors the model must reproduce (model time, deterministic). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCaseSync } from '../../backends/model/backend.js';
import { MiB, metric, spec } from './helpers.js';

test('per-mm 64 MiB measured build on skylake-client takes 0.36–0.49 s of model time (graphene #73: 22–30 µs/page)', () => {
  const r = runCaseSync(spec('build', 'per-mm', { size: 64 * MiB, measure: 1 }));
  assert.equal(r.outcome, 'ok');
  const t = metric(r, 'build_time_p50');
  assert.ok(t >= 0.36e9 && t <= 0.49e9, `build_time_p50 = ${t} ns`);
  const perPage = metric(r, 'per_page_time');
  assert.ok(perPage >= 22000 && perPage <= 30000, `per_page_time = ${perPage} ns`);
});

test('measured pages cost more than 2× unmeasured pages', () => {
  for (const design of ['per-mm', 'mm-less']) {
    const measured = metric(runCaseSync(spec('build', design, { size: 16 * MiB, measure: 1 })), 'build_time_p50');
    const plain = metric(runCaseSync(spec('build', design, { size: 16 * MiB, measure: 0 })), 'build_time_p50');
    assert.ok(measured > 2 * plain, `${design}: measured ${measured} vs unmeasured ${plain}`);
  }
});

test('concurrent builders=4 size=8MiB: mm-less throughput exceeds per-mm, and the metrics show the single worker', () => {
  const perMm = runCaseSync(spec('concurrent', 'per-mm', { builders: 4, size: 8 * MiB }));
  const mmLess = runCaseSync(spec('concurrent', 'mm-less', { builders: 4, size: 8 * MiB }));
  assert.equal(metric(perMm, 'epc_evictions'), 0, 'no EPC pressure');
  assert.ok(metric(mmLess, 'throughput') > 2 * metric(perMm, 'throughput'));
  assert.ok(metric(perMm, 'worker_utilization') > 0.9, 'the one worker is saturated');
  assert.ok(metric(perMm, 'queue_depth_max') > 1000, 'requests pile up in its queue');
  assert.equal(metric(mmLess, 'queue_depth_max'), 0);
  // One global worker: the last build finishes about 4× after the first.
  assert.ok(metric(perMm, 'build_time_max') > 3 * metric(mmLess, 'build_time_max'));
});

test('hazard (b) needs a second reclaim batch under the held mmap_lock: with isgx victim choice one batch per allocation frees a page, so per-mm-sync,epc_alloc=under-lock completes', () => {
  // Before the round-robin victim choice (sgx_isolate_tgid_ctx, sgx_isolate_encl) the global FIFO
  // sent the builder back into reclaim with its own mmap_sem held and a writer queued on it, and
  // this case ended in `deadlock`. isgx takes 16 pages of one enclave, evicts the old ones and
  // the allocation succeeds in the same step: no writer can queue in between.
  const params = { total: 192 * MiB, builders: 4, churn: 5000 };
  for (const design of ['per-mm-sync,epc_alloc=under-lock', 'per-mm-sync']) {
    const r = runCaseSync(spec('epc-pressure', design, params));
    assert.equal(r.outcome, 'ok', `${design}: ${r.outcome === 'ok' ? '' : r.detail}`);
    assert.ok(metric(r, 'epc_evictions') > 0, design);
  }
});

test('shared: per-mm is rejected for mms > 1 with the reason; mm-less reports reclaim and IPIs growing with mms', () => {
  const r = runCaseSync(spec('shared', 'per-mm', { mms: 2 }));
  assert.equal(r.outcome, 'rejected');
  const one = runCaseSync(spec('shared', 'mm-less', { mms: 1 }));
  const four = runCaseSync(spec('shared', 'mm-less', { mms: 4 }));
  assert.ok(metric(four, 'ipis') > metric(one, 'ipis'));
  assert.ok(metric(four, 'reclaim_time') > metric(one, 'reclaim_time'));
});

test('handover: mm-less hands a pre-built fd over (µs); per-mm clients build their own (ms)', () => {
  const mmLess = metric(runCaseSync(spec('handover', 'mm-less')), 'ready_latency_p50');
  const perMm = metric(runCaseSync(spec('handover', 'per-mm')), 'ready_latency_p50');
  assert.ok(mmLess < 1e6 && perMm > 10e6, `mm-less ${mmLess} ns, per-mm ${perMm} ns`);
});
