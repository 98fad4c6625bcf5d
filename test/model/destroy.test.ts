/**
 * The destroy phase (`destroy=1` on build, concurrent, epc-pressure): after the build the owner
 * unmaps and closes the enclave; release EREMOVEs the resident pages, the VA pages and the
 * SECS and frees the backing (sgx_encl_release in both drivers). Closed forms on one builder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS } from '../../backends/designs.js';
import { runCaseSync } from '../../backends/model/backend.js';
import { profileCosts, loadProfile } from '../../backends/model/profiles.js';
import { MiB, metric, spec } from './helpers.js';

const ns = profileCosts(loadProfile('skylake-client').data).ns;
const PAGES = (8 * MiB) / 4096;
/** VA pages of an enclave of n pages: one per 512, the SECS counted (sgx_encl_grow). */
const vaPages = (n: number): number => Math.ceil((n + 1) / 512);

test('destroy=0 reports no destroy metrics (the build alone, as before)', () => {
  const r = runCaseSync(spec('build', 'mm-less', { size: 8 * MiB }));
  assert.equal(r.outcome, 'ok');
  assert.equal(
    r.metrics!.some((m) => m.metric.startsWith('destroy_time') || m.metric.startsWith('lifecycle_time')),
    false,
  );
});

test('mm-less destroy, closed form: close (syscall) + EREMOVE of every page, the VA pages and the SECS, each freed under the free-list spinlock after sgx_unmark_page_reclaimable; pinned pages leave no backing', () => {
  const r = runCaseSync(spec('build', 'mm-less', { size: 8 * MiB, measure: 0, destroy: 1 }));
  assert.equal(r.outcome, 'ok');
  const freed = PAGES + vaPages(PAGES) + 1;
  const expected = ns.syscall + freed * ns.eremove + (freed + PAGES) * ns.spinlock;
  // Model time is whole nanoseconds: the fitted costs are not.
  assert.ok(Math.abs(metric(r, 'destroy_time_p50') - expected) <= 1, `${metric(r, 'destroy_time_p50')} vs ${expected}`);
  assert.equal(metric(r, 'destroy_time_max'), metric(r, 'destroy_time_p50'));
});

test('per-mm destroy: munmap, then release with the backing copy of every added page freed', () => {
  const r = runCaseSync(spec('build', 'per-mm', { size: 8 * MiB, measure: 0, destroy: 1 }));
  assert.equal(r.outcome, 'ok');
  const freed = PAGES + vaPages(PAGES) + 1;
  const floor = ns.munmap_enclave + freed * (ns.eremove + ns.spinlock) + PAGES * ns.backing_free;
  const t = metric(r, 'destroy_time_p50');
  // Model time is whole nanoseconds: the fitted costs are not.
  assert.ok(t >= floor - 1 && t < floor * 1.01, `destroy_time_p50 ${t} ns, closed form ${floor} ns plus locks`);
});

test('one builder: lifecycle_time = build_time + destroy_time, on every preset', () => {
  for (const p of PRESETS) {
    const r = runCaseSync(spec('build', p.name, { size: 4 * MiB, destroy: 1 }));
    assert.equal(r.outcome, 'ok', p.name);
    assert.equal(metric(r, 'lifecycle_time_p50'), metric(r, 'build_time_p50') + metric(r, 'destroy_time_p50'), p.name);
  }
});

test('concurrent builders each destroy their enclave: percentiles over builders; epc-pressure frees the backing of evicted pages', () => {
  const c = runCaseSync(spec('concurrent', 'mm-less', { builders: 4, size: 4 * MiB, destroy: 1 }));
  assert.equal(c.outcome, 'ok');
  assert.ok(metric(c, 'destroy_time_max') >= metric(c, 'destroy_time_p50'));
  assert.ok(metric(c, 'lifecycle_time_max') >= metric(c, 'build_time_max'));
  const e = runCaseSync(spec('epc-pressure', 'mm-less', { total: 192 * MiB, destroy: 1 }));
  assert.equal(e.outcome, 'ok', e.outcome === 'ok' ? '' : e.detail);
  assert.ok(metric(e, 'epc_evictions') > 0, 'under EPC pressure');
  // Fewer pages resident than added: the evicted ones cost a backing free instead of an EREMOVE.
  // (The median: the other enclave's release waits in ksgxd for this one's: release-kref.test.ts.)
  const each = (192 * MiB) / 2 / 4096;
  assert.ok(metric(e, 'destroy_time_p50') < (each + vaPages(each) + 1) * ns.eremove + ns.syscall, 'evicted pages are not EREMOVEd');
});
