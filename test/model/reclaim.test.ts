/**
 * Reclaim cost against the mms that map the victim enclave, and the owner's mmap_sem under
 * reclaim (model time, deterministic, so exact comparisons are safe).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCaseSync } from '../../backends/model/backend.js';
import { loadProfile, profileCosts } from '../../backends/model/profiles.js';
import { MiB, metric, spec } from './helpers.js';

test('shared, mm-less under EPC pressure: reclaim time, reclaim per page and IPIs strictly increase with mms (1, 2, 4, 8)', () => {
  const runs = [1, 2, 4, 8].map((mms) => {
    const r = runCaseSync(spec('shared', 'mm-less', { mms }));
    assert.equal(r.outcome, 'ok', `mms=${mms}`);
    assert.ok(metric(r, 'epc_evictions') > 0, `mms=${mms}: the pressure enclave must evict`);
    return { mms, perPage: metric(r, 'reclaim_per_page'), time: metric(r, 'reclaim_time'), ipis: metric(r, 'ipis') };
  });
  for (let i = 1; i < runs.length; i++) {
    const a = runs[i - 1]!;
    const b = runs[i]!;
    assert.ok(b.perPage > a.perPage, `reclaim_per_page mms=${a.mms} ${a.perPage} ns → mms=${b.mms} ${b.perPage} ns`);
    assert.ok(b.time > a.time, `reclaim_time mms=${a.mms} ${a.time} ns → mms=${b.mms} ${b.time} ns`);
    assert.ok(b.ipis > a.ipis, `ipis mms=${a.mms} ${a.ipis} → mms=${b.mms} ${b.ipis}`);
  }
  // Per page and per mm: at least an age walk and a zap, so 7 more mms add 7 × (age + pte_zap) per page.
  const ns = profileCosts(loadProfile('skylake-client').data).ns;
  const floor = 7 * (ns.age + ns.pte_zap);
  assert.ok(runs[3]!.perPage - runs[0]!.perPage >= floor, `mms=8 ${runs[3]!.perPage} ns vs mms=1 ${runs[0]!.perPage} ns: at least ${floor} ns more per page`);
});

test('an unmapped enclave costs the reclaimer no mm walk: mm-less build under pressure sends no shootdowns', () => {
  const r = runCaseSync(spec('build', 'mm-less', { size: 128 * MiB, measure: 0 }));
  assert.ok(metric(r, 'epc_evictions') > 0);
  assert.equal(metric(r, 'ipis'), 0);
  // The per-mm enclave is mapped by its owner: a page evicted while the owner lives is zapped
  // there (one shootdown each); only the last batches after its exit skip the walk.
  const perMm = runCaseSync(spec('build', 'per-mm', { size: 128 * MiB, measure: 0 }));
  assert.ok(metric(perMm, 'ipis') > 0.95 * metric(perMm, 'epc_evictions'), `per-mm ipis ${metric(perMm, 'ipis')}, evictions ${metric(perMm, 'epc_evictions')}`);
});

test('mmap-contention: the application tail is the same without EPC pressure and larger for per-mm under reclaim', () => {
  const p99 = (design: string, size: number): number => metric(runCaseSync(spec('mmap-contention', design, { size })), 'app_latency_p99');
  // 16 MiB: every design holds the builder's mmap_lock (read) per page for EADD + EEXTENDs.
  const small = ['per-mm', 'mm-less'].map((d) => p99(d, 16 * MiB));
  assert.ok(Math.abs(small[0]! - small[1]!) < 0.1 * small[1]!, `16 MiB: per-mm ${small[0]} ns vs mm-less ${small[1]} ns`);
  // 128 MiB: the per-mm reclaimer holds the owner's mmap_sem across a 16-page batch.
  const perMm = p99('per-mm', 128 * MiB);
  const mmLess = p99('mm-less', 128 * MiB);
  assert.ok(perMm > 2 * mmLess, `128 MiB: per-mm ${perMm} ns vs mm-less ${mmLess} ns`);
});
