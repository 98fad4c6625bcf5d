/**
 * One isgx reclaim batch, `sgx_swap_pages` (intel/linux-sgx-driver sgx_page_cache.c), step by
 * step:
 * 1. the victim: one process round-robin (`sgx_isolate_tgid_ctx`), one of its enclaves
 *    round-robin (`sgx_isolate_encl`), both under `sgx_tgid_ctx_mutex` (lru.ts);
 * 2. the owner's mmap_sem (read) for the whole batch;
 * 3. `sgx_isolate_pages` under encl->lock: up to 16 pages from the head of the enclave's load
 *    list, `sgx_test_and_clear_young` on each; a young one moves to the tail (nothing is
 *    isolated from a dead enclave);
 * 4. `sgx_write_pages` in one encl->lock hold: per page the VMA lookup, `zap_vma_ptes` (its TLB
 *    shootdown) and EBLOCK; one ETRACK; per page `sgx_evict_page`: `__sgx_ewb` (two backing
 *    pages, contents and PCMD, from `sgx_get_backing`; EWB; with threads inside, NOT_TRACKED →
 *    `sgx_flush_cpus` IPI and EWB again: reclaim.ts `notTrackedCost`), then `sgx_free_page`:
 *    EREMOVE and the `sgx_free_list_lock` spinlock; when they were the enclave's last children in
 *    EPC and it is initialized, `sgx_evict_page(&encl->secs)` and SGX_ENCL_SECS_EVICTED (secs.ts).
 */
import type { ProcessGen } from '../sim/index.js';
import type { Task } from './cpus.js';
import { EVICTED, NONE, RECLAIMING, RESIDENT, YOUNG } from './enclave.js';
import { downRead, ewbBacking, tryLockEncl, type Kernel } from './kernel.js';
import { ISGX_SCAN } from './lru.js';
import { traceShootdown } from './ipi-trace.js';
import { lock, notTrackedCost } from './reclaim.js';
import { evictSecs, secsEwbNs, secsGoesWith } from './secs.js';

/** One batch in task `t`; returns the pages written back. */
export function* isgxBatch(k: Kernel, t: Task): ProcessGen<number> {
  const ns = k.ns;
  const epc = k.epc;
  const e = k.loads.pick();
  if (e === null || e.owner === null) {
    yield* k.cpus.compute(t, ns.lock + ns.resched);
    return 0;
  }
  // sgx_isolate_encl: kref_get_unless_zero(&encl->refcount) for the batch (put at its end).
  e.refs++;
  const mm = e.owner;
  const locked = !mm.exited && !e.released;
  if (locked) yield* downRead(k, t, mm);
  // sgx_isolate_pages.
  if (!tryLockEncl(k, e)) yield* lock(k, t, e);
  const pages: number[] = [];
  let scanned = 0;
  if (!e.dead) {
    for (let i = 0; i < ISGX_SCAN; i++) {
      const p = k.loads.shift(e);
      if (p < 0) break;
      scanned++;
      const st = e.state[p]!;
      if ((st & 0x7f) !== RESIDENT) continue;
      if ((st & YOUNG) !== 0) {
        e.state[p] = RESIDENT;
        k.loads.push(e, p);
      } else {
        e.state[p] = RECLAIMING;
        pages.push(p);
      }
    }
  }
  // The tgid-context mutex and encl->lock pairs, and one accessed-bit walk per page scanned.
  const isolate = 2 * ns.lock + scanned * ns.age;
  const wisolate = k.cpus.burst(t, isolate);
  if (wisolate !== null) yield wisolate;
  else yield* k.cpus.compute(t, isolate);
  k.metrics.reclaimNs += isolate;
  e.mutex.unlock();
  const n = pages.length;
  if (n > 0) {
    epc.inFlight += n;
    // sgx_write_pages: one hold for the zaps, EBLOCKs, ETRACK, EWBs and EREMOVEs.
    if (!tryLockEncl(k, e)) yield* lock(k, t, e);
    const mapped = locked && mm.mapped.has(e.id);
    const targets = mapped ? mm.shootdownTargets(k.costs.cpus) : 0;
    const zap = ns.vma_lookup + (mapped ? ns.pte_zap + (targets > 0 ? ns.tlb_shootdown : 0) : 0);
    k.metrics.ipis += n * targets;
    if (targets > 0 && k.rec.on) traceShootdown(k, t, e, mm, n, n * targets);
    const evict = 2 * ns.backing_page + ns.ewb + ns.eremove + ns.spinlock;
    const secsToo = secsGoesWith(e, n);
    const cost = ns.lock + n * (zap + ns.eblock) + ns.etrack + notTrackedCost(k, t, e) + n * evict + (secsToo ? secsEwbNs(ns) : 0);
    const wcost = k.cpus.burst(t, cost);
    if (wcost !== null) yield wcost;
    else yield* k.cpus.compute(t, cost);
    k.metrics.reclaimNs += cost;
    for (const p of pages) {
      ewbBacking(k, e, p);
      e.state[p] = e.released ? NONE : EVICTED;
    }
    e.resident -= n;
    epc.give('page', n);
    k.metrics.evictions += n;
    epc.inFlight -= n;
    if (secsToo) evictSecs(k, e);
    e.mutex.unlock();
  }
  if (locked) mm.lock.upRead();
  // sgx_swap_pages: kref_put after up_read; the last reference releases the enclave here.
  yield* k.putEnclave(t, e);
  return n;
}
