/**
 * The reclaimer's per-page walks over the mms that map a victim enclave (mainline 5.11+,
 * reference: sgx-driver.md §2.5). For each isolated page `sgx_reclaimer_age()` walks every mm on
 * `encl->mm_list` (mmget_not_zero, mmap_read_lock, find_vma + test_and_clear_young, unlock,
 * mmput_async) and stops at the first mm where the page is young; for each page it keeps,
 * `sgx_reclaimer_block()` walks every mm again (mmap_read_lock, find the VMA, zap_vma_ptes, whose
 * TLB flush IPIs that mm's other CPUs and waits, unlock). That is O(pages × mms) lock
 * acquisitions per batch.
 *
 * Each (page, mm) acquisition is one timed hold with the lock held (lock pair + age, or lock
 * pair + zap + shootdown): a queued writer of that mm (mmap/munmap) blocks it (rwsem writer
 * preference) and a writer arriving during it waits for it, at one event per hold.
 */
import type { ProcessGen } from '../sim/index.js';
import type { Task } from './cpus.js';
import type { Enclave } from './enclave.js';
import { downRead, tryDownRead, type Kernel } from './kernel.js';
import { traceShootdown } from './ipi-trace.js';

/** `sgx_reclaimer_age` for one page: true when the page is young (it goes back to the tail). */
export function* ageInMms(k: Kernel, t: Task, e: Enclave, young: boolean): ProcessGen<boolean> {
  const ns = k.ns;
  const cost = ns.lock + ns.age;
  // Index loop: an mm may leave the list (exit) while this task waits for another mm's lock.
  for (let i = 0; i < e.mms.length; i++) {
    const mm = e.mms[i]!;
    if (mm.exited) continue; // mmget_not_zero fails
    // No-wait forms first (kernel.ts, Cpus.burst): no generator per walk when nothing waits.
    if (!tryDownRead(k, mm)) yield* downRead(k, t, mm);
    const work = k.cpus.burst(t, cost);
    if (work !== null) yield work;
    else yield* k.cpus.compute(t, cost);
    k.metrics.reclaimNs += cost;
    mm.lock.upRead();
    // The model keeps one accessed bit per page, not per mm: the first mm walked finds it.
    if (young) return true;
  }
  return false;
}

/** `sgx_reclaimer_block` before EBLOCK for one page: zap its PTE in every mm, a shootdown each. */
export function* zapInMms(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  const ns = k.ns;
  for (let i = 0; i < e.mms.length; i++) {
    const mm = e.mms[i]!;
    if (mm.exited) continue;
    const targets = mm.shootdownTargets(k.costs.cpus);
    const cost = ns.lock + ns.pte_zap + (targets > 0 ? ns.tlb_shootdown : 0);
    if (!tryDownRead(k, mm)) yield* downRead(k, t, mm);
    if (targets > 0 && k.rec.on) traceShootdown(k, t, e, mm, 1, targets);
    const work = k.cpus.burst(t, cost);
    if (work !== null) yield work;
    else yield* k.cpus.compute(t, cost);
    k.metrics.reclaimNs += cost;
    k.metrics.ipis += targets;
    mm.lock.upRead();
  }
}
