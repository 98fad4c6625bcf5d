/**
 * Reclaim and allocation as each driver's code does them (issue: model fidelity §2): mainline
 * `sgx_reclaim_pages` takes encl->lock three times per evicted page; isgx `sgx_swap_pages` picks
 * victims round-robin and EREMOVEs after every EWB; IPIs only with threads inside; the global
 * spinlocks contend; each driver's ENOMEM rule. Each test fails on the model before this change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Environment } from '../../backends/model/sim/index.js';
import { Enclave } from '../../backends/model/kernel/enclave.js';
import { LoadLists } from '../../backends/model/kernel/lru.js';
import { Mm } from '../../backends/model/kernel/mm.js';
import { runCaseSync } from '../../backends/model/backend.js';
import { simulate } from '../../backends/model/scenario-runner.js';
import { loadProfile, profileCosts } from '../../backends/model/profiles.js';
import { findWorkload } from '../../workloads/index.js';
import { MiB, metric, spec } from './helpers.js';

const ns = profileCosts(loadProfile('skylake-client').data).ns;

function sim(workload: string, design: string, params: Record<string, number | string>, profile = 'skylake-client') {
  const s = spec(workload, design, params, profile);
  const sc = findWorkload(workload)!.generate(s.params, 1);
  return simulate(s, sc, profileCosts(s.profileData));
}

test('mainline: every evicted page takes encl->lock three times (backing, EBLOCK, EWB), on top of one per added page and EINIT', () => {
  const r = sim('build', 'mm-less', { size: 128 * MiB, measure: 0 });
  assert.equal(r.result.outcome, 'ok');
  const m = r.kernel.metrics;
  assert.ok(m.evictions > 1000, 'under EPC pressure');
  // No page is touched during a build, so none is young: every isolated page is written back.
  assert.equal(m.mutexWait.count, m.pagesAdded + 1 + 3 * m.evictions);
});

test('mainline reclaim per page: backing (two shmem pages), EBLOCK, EWB, three lock pairs and two spinlock holds; ETRACK once per batch', () => {
  const r = runCaseSync(spec('build', 'mm-less', { size: 128 * MiB, measure: 0 }));
  const per = metric(r, 'reclaim_per_page');
  const floor = 3 * ns.lock + 2 * ns.backing_page + ns.eblock + ns.ewb + 2 * ns.spinlock;
  assert.ok(per >= floor && per <= floor + ns.etrack, `reclaim_per_page ${per} ns; closed form ${floor} ns + at most one ETRACK`);
});

test('isgx reclaim per page: the zap, EBLOCK, two backing pages, EWB and the EREMOVE of sgx_free_page after it', () => {
  const r = runCaseSync(spec('build', 'per-mm', { size: 128 * MiB, measure: 0 }));
  const per = metric(r, 'reclaim_per_page');
  const floor = ns.vma_lookup + ns.eblock + 2 * ns.backing_page + ns.ewb + ns.eremove + ns.spinlock;
  assert.ok(per >= floor, `reclaim_per_page ${per} ns ≥ ${floor} ns (EREMOVE after EWB: ${ns.eremove} ns)`);
  const mainline = metric(runCaseSync(spec('build', 'mm-less', { size: 128 * MiB, measure: 0 })), 'reclaim_per_page');
  assert.ok(per > mainline + 0.9 * ns.eremove, `isgx ${per} ns vs mainline ${mainline} ns per page`);
});

test('isgx victims: processes round-robin, then enclaves round-robin, skipping empty and released ones (sgx_isolate_tgid_ctx, sgx_isolate_encl)', () => {
  const env = new Environment();
  const a = new Mm(env, 1);
  const b = new Mm(env, 2);
  const a1 = new Enclave(env, 1, 64 * 4096, a);
  const a2 = new Enclave(env, 2, 64 * 4096, a);
  const b1 = new Enclave(env, 3, 64 * 4096, b);
  const l = new LoadLists();
  for (const e of [a1, a2, b1]) l.add(e);
  assert.equal(l.pick(), null, 'no page on any load list'); // it still rotated: b's turn is next
  l.push(a1, 0);
  l.push(a2, 5);
  l.push(b1, 7);
  assert.equal(l.loaded, 3);
  // Process b; then a, its first enclave; then b; then a again, its next enclave.
  const ids = (xs: (Enclave | null)[]) => xs.map((e) => e?.id ?? null);
  assert.deepEqual(ids([l.pick(), l.pick(), l.pick(), l.pick()]), [3, 1, 3, 2]);
  assert.equal(l.shift(a2), 5);
  l.drop(b1);
  assert.equal(l.loaded, 1);
  assert.deepEqual(ids([l.pick(), l.pick()]), [1, 1], 'only a1 has pages left');
});

test('IPIs come from threads running inside: none during a build or with inside=0, and more with inside>0 on both drivers', () => {
  for (const design of ['mm-less', 'per-mm']) {
    const params = { total: 192 * MiB, builders: 2 };
    const none = runCaseSync(spec('epc-pressure', design, { ...params, inside: 0 }));
    const two = runCaseSync(spec('epc-pressure', design, { ...params, inside: 2 }));
    assert.equal(two.outcome, 'ok', design);
    assert.ok(metric(two, 'ipis') > metric(none, 'ipis'), `${design}: inside=2 ${metric(two, 'ipis')} vs inside=0 ${metric(none, 'ipis')}`);
  }
  const shared0 = runCaseSync(spec('shared', 'mm-less', { mms: 2, inside: 0 }));
  const shared1 = runCaseSync(spec('shared', 'mm-less', { mms: 2, inside: 1 }));
  assert.ok(metric(shared1, 'ipis') > metric(shared0, 'ipis'));
  // mm-less build: no PTE to shoot down and no thread inside.
  assert.equal(metric(runCaseSync(spec('build', 'mm-less', { size: 128 * MiB })), 'ipis'), 0);
});

test('sgx_reclaimer_lock and the EPC free-list lock: concurrent mm-less builders spin on them (once in step, the model keeps them apart), one builder never does', () => {
  const one = sim('concurrent', 'mm-less', { builders: 1, size: 8 * MiB });
  assert.equal(one.kernel.reclaimerLock.contended + one.kernel.epcLock.contended, 0);
  assert.ok(one.kernel.reclaimerLock.holds >= (8 * MiB) / 4096, 'a hold per added page');
  const four = sim('concurrent', 'mm-less', { builders: 4, size: 8 * MiB });
  const k = four.kernel;
  assert.ok(k.reclaimerLock.contended + k.epcLock.contended > 0 && k.reclaimerLock.spinNs + k.epcLock.spinNs > 0, 'builders contend on the global locks');
  // isgx marks pages on per-enclave load lists under encl->lock: the global lock is never taken.
  assert.equal(sim('concurrent', 'per-mm', { builders: 4, size: 8 * MiB }).kernel.reclaimerLock.holds, 0);
});

test('ENOMEM: mainline fails an allocation when the active list is empty even with pages in flight; isgx waits (VA pages far from total − 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-epc-'));
  const file = join(dir, 'tiny.json');
  const data = structuredClone(loadProfile('skylake-client').data) as { name: string; machine: { epc_bytes: { value: number } } };
  data.name = 'tiny-epc';
  data.machine.epc_bytes.value = MiB; // 256 pages: 16 builders' isolations take them all
  writeFileSync(file, JSON.stringify(data));
  const params = { builders: 16, size: 4 * MiB };
  const mainline = runCaseSync(spec('concurrent', 'mm-less', params, file));
  assert.equal(mainline.outcome, 'ok');
  assert.ok(metric(mainline, 'enomem') > 0, 'mainline: -ENOMEM with the candidates in flight');
  assert.ok(metric(mainline, 'pages_added') < 16 * 1024);
  for (const design of ['per-mm', 'per-mm-sync']) {
    const isgx = runCaseSync(spec('concurrent', design, params, file));
    assert.equal(metric(isgx, 'enomem'), 0, design);
    assert.equal(metric(isgx, 'pages_added'), 16 * 1024, `${design}: every page added`);
  }
});

test('backing_bytes: isgx keeps a copy of every added page in shmem; mainline only what it evicted; both a PCMD page per 32 evicted pages', () => {
  const pages = (16 * MiB) / 4096;
  assert.equal(metric(runCaseSync(spec('build', 'per-mm', { size: 16 * MiB })), 'backing_bytes'), pages * 4096);
  assert.equal(metric(runCaseSync(spec('build', 'mm-less', { size: 16 * MiB })), 'backing_bytes'), 0);
  const r = runCaseSync(spec('build', 'mm-less', { size: 128 * MiB, measure: 0 }));
  const b = metric(r, 'backing_bytes');
  // A build touches nothing, so each evicted page is evicted once, oldest first: pages 0 … c − 1
  // hold contents and ⌈c / 32⌉ PCMD pages, where c is E less the last batch (≤ 16 pages) when it
  // was written back after the exit released the enclave (no backing then).
  const e = metric(r, 'epc_evictions');
  const fits = Array.from({ length: 17 }, (_, k) => e - k).some((c) => b === (c + Math.ceil(c / 32)) * 4096);
  assert.ok(fits, `${b} bytes for ${e} evictions: contents + PCMD pages`);
  const isgx = runCaseSync(spec('build', 'per-mm', { size: 128 * MiB, measure: 0 }));
  const ie = metric(isgx, 'epc_evictions');
  assert.ok(ie > 0);
  assert.ok(metric(isgx, 'backing_bytes') > ((128 * MiB) / 4096) * 4096, 'isgx: every added page plus the PCMD pages of the evicted ones');
});
