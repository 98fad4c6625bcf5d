/**
 * The two drivers' EPC allocation rules, step by step (issue: model fidelity §2), on the kernel
 * a build left behind: mainline `sgx_alloc_epc_page(owner, reclaim=true)` checks the active list
 * (-ENOMEM), then a pending signal (-ERESTARTSYS), then reclaims; isgx `sgx_alloc_page(0)`
 * checks its VA count (-ENOMEM at total − 2), then the signal, then swaps, and when nothing can
 * be swapped waits (the real loop spins) until a page is freed. The scenario-level rules (ENOMEM
 * with 16 builders on a 1 MiB EPC) are in reclaim-drivers.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../backends/model/scenario-runner.js';
import { Task } from '../../backends/model/kernel/cpus.js';
import { profileCosts } from '../../backends/model/profiles.js';
import { findWorkload } from '../../workloads/index.js';
import type { Kernel } from '../../backends/model/kernel/kernel.js';
import { MiB, spec } from './helpers.js';

/** The kernel after a 128 MiB unmeasured build with no destroy and no exit (EPC under pressure). */
function leftBuilt(design: string): Kernel {
  const s = spec('build', design, { size: 128 * MiB, measure: 0 });
  const sc = findWorkload('build')!.generate(s.params, 1);
  const kept = { ...sc, processes: sc.processes.map((p) => ({ ...p, ops: p.ops.filter((o) => o.op !== 'exit' && o.op !== 'destroy') })) };
  const r = simulate(s, kept, profileCosts(s.profileData));
  assert.equal(r.result.outcome, 'ok');
  return r.kernel;
}

/** Take every free page; returns how many. */
function drain(k: Kernel): number {
  let n = 0;
  while (k.epc.take('page')) n++;
  return n;
}

for (const design of ['mm-less', 'per-mm-sync']) {
  test(`${design}: a pending signal ends an allocation that finds no free page with -ERESTARTSYS, before any reclaim`, () => {
    const k = leftBuilt(design);
    drain(k);
    // The mm-less enclave was freed with its process: one entry on the active list stands for
    // a reclaimable page (the rule looks only at whether the list is empty).
    if (design === 'mm-less' && k.epc.active.length === 0) k.epc.active.push(1, 1);
    const mm = k.mms.get(1)!;
    mm.killed = true;
    const before = k.metrics.evictions;
    const step = k.allocEpc(new Task('t', 'mm1'), 'page', mm).next();
    assert.deepEqual(step, { done: true, value: 'ERESTARTSYS' });
    assert.equal(k.metrics.evictions, before, 'no reclaim ran');
    // Without the signal the same call reclaims (it yields to the simulator instead of returning).
    mm.killed = false;
    assert.equal(k.allocEpc(new Task('t', 'mm1'), 'page', mm).next().done, false);
  });
}

test('mainline: an empty active list is -ENOMEM even with a pending signal (the list is checked first)', () => {
  const k = leftBuilt('mm-less');
  drain(k);
  const pair = new Int32Array(2);
  while (k.epc.active.shift(pair)) {
    /* empty the active list: every page is in flight with another reclaimer */
  }
  const mm = k.mms.get(1)!;
  mm.killed = true;
  assert.deepEqual(k.allocEpc(new Task('t', 'mm1'), 'page', mm).next(), { done: true, value: 'ENOMEM' });
});

test('isgx: -ENOMEM only when VA pages exceed total − 2, checked before the signal', () => {
  const k = leftBuilt('per-mm-sync');
  drain(k);
  const mm = k.mms.get(1)!;
  mm.killed = true;
  const va = k.epc.va;
  k.epc.va = k.epc.total - 1;
  assert.deepEqual(k.allocEpc(new Task('t', 'mm1'), 'page', mm).next(), { done: true, value: 'ENOMEM' });
  k.epc.va = va;
  assert.deepEqual(k.allocEpc(new Task('t', 'mm1'), 'page', mm).next(), { done: true, value: 'ERESTARTSYS' });
});

test('isgx: with nothing swappable (only a dead enclave holds pages) the allocation waits for the next freed page, then gets it', () => {
  const k = leftBuilt('per-mm-sync');
  drain(k);
  for (const e of k.enclaves.values()) e.dead = true; // sgx_isolate_pages skips SGX_ENCL_DEAD
  let got: string | null = null;
  const task = new Task('kworker', 'kernel');
  k.env.process(
    (function* () {
      got = yield* k.allocEpc(task, 'page', null);
    })(),
    'alloc',
  );
  k.env.run();
  assert.equal(got, null, 'still waiting: the real loop would spin here for ever (reported as a livelock)');
  // A page freed elsewhere (a release) wakes it.
  k.epc.give('page');
  k.env.run();
  assert.equal(got, '');
});
