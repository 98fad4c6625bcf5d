/**
 * SECS eviction and reload, in both drivers (reference: sgx-driver.md §2.5 and the
 * "SECS" row of its driver table).
 *
 * Eviction. When a child's EWB leaves an initialized enclave with no child page in EPC
 * (`secs_child_cnt` 0), the SECS is written back in the same encl->lock hold:
 * - mainline `sgx_reclaimer_write` (torvalds/linux arch/x86/kernel/cpu/sgx/main.c), right after
 *   the child's `sgx_encl_ewb`: `sgx_encl_get_backing(encl, PFN_DOWN(encl->size))` (contents and
 *   PCMD pages), `sgx_encl_ewb` of the SECS (a slot of the first VA page; the SECS was counted
 *   when the VA pages grew, `sgx_encl_grow` at ECREATE, so no VA page is added), then
 *   `sgx_encl_free_epc_page` (EREMOVE and the free-list spinlock) and `secs.epc_page = NULL`;
 *   under encl->lock alone (hold #3 of the last child);
 * - isgx `sgx_write_pages` (intel/linux-sgx-driver sgx_page_cache.c), after the batch's EWBs:
 *   `sgx_evict_page(&encl->secs)` = `sgx_ewb` (two `sgx_get_backing` pages, EWB into the VA slot
 *   `sgx_init_page` reserved at ECREATE) + `sgx_free_page` (EREMOVE, `sgx_free_list_lock`), then
 *   SGX_ENCL_SECS_EVICTED; under the owner's mmap_sem (read) and encl->lock (the batch's hold).
 * Both cost the same steps (`secsEwbNs`); the free-list spinlock hold is charged uncontended. The
 * SECS is never EBLOCKed, so its EWB is not SGX_NOT_TRACKED: no ETRACK or IPI [inferred from the
 * SDM EWB checks, which track blocked child pages].
 *
 * Reload. A fault on an evicted child of such an enclave ELDUs the SECS first, under the
 * fault's mmap_lock (read) and encl->lock (`takeForEldu`):
 * - mainline `__sgx_encl_load_page` (encl.c): `sgx_encl_eldu(&encl->secs, NULL)` with its own
 *   `sgx_alloc_epc_page(reclaim=false)`, then the child's allocation and ELDU; a failed child
 *   allocation (-EBUSY, VM_FAULT_NOPAGE) leaves the SECS loaded for the retried fault;
 * - isgx `sgx_do_fault` (sgx_util.c): the child's `sgx_alloc_page(SGX_ALLOC_ATOMIC)` first, then
 *   the SECS's, `sgx_eldu(encl, &encl->secs, ..., true)` and SGX_ENCL_SECS_EVICTED cleared, then
 *   the child's ELDU; a failed SECS allocation frees the child's page (both again at the retry).
 *
 * Release EREMOVEs the SECS only when it is in EPC (mainline `sgx_encl_release`:
 * `if (!encl->secs_child_cnt && encl->secs.epc_page)`; isgx `sgx_encl_release`:
 * `if (encl->secs.epc_page)`): drivers/common.ts `release`.
 */
import type { CostNs } from '../profiles.js';
import type { Enclave } from './enclave.js';
import { elduBacking, ewbSecsBacking, type Kernel } from './kernel.js';

/**
 * True when the SECS goes with the `children` child pages about to be written back in this hold:
 * they are the enclave's last in EPC (those in flight in another reclaimer still count, as in
 * `secs_child_cnt`) and the enclave is initialized (SGX_ENCL_INITIALIZED in both drivers).
 */
export function secsGoesWith(e: Enclave, children: number): boolean {
  return e.initialized && e.secs && !e.released && e.resident === children;
}

/** The SECS's write-back in both drivers: two backing pages, EWB, EREMOVE, the free-list spinlock. */
export function secsEwbNs(ns: CostNs): number {
  return 2 * ns.backing_page + ns.ewb + ns.eremove + ns.spinlock;
}

/**
 * The SECS written back (its cost charged in the hold by the caller): its EPC page freed, its
 * backing page and PCMD held; counted in `epc_evictions`. Nothing if the enclave was released
 * while the hold ran, or a child came back meanwhile.
 */
export function evictSecs(k: Kernel, e: Enclave): void {
  if (!e.secs || e.released || e.resident !== 0) return;
  ewbSecsBacking(k, e);
  e.secs = false;
  e.secsEvicted = true;
  k.epc.give('secs');
  k.metrics.evictions++;
  k.metrics.secsEvictions++;
}

/** The SECS's ELDU, charged by the fault that reloads it: ELDU and the backing it frees (kernel.ts `elduBacking`). */
export function secsElduNs(k: Kernel, e: Enclave): number {
  return k.ns.eldu + elduBacking(k, e, e.pages) * k.ns.backing_free;
}

function reloadSecs(k: Kernel, e: Enclave): void {
  e.secs = true;
  e.secsEvicted = false;
  k.metrics.eldu++;
  k.metrics.secsReloads++;
}

/**
 * What a child's ELDU took, in the driver's order: `child` its page (the SECS was in EPC),
 * `both` the SECS reloaded and the child's page, `secs` the SECS reloaded but no page for the
 * child (mainline; retry), `none` nothing (retry). A released enclave's SECS is never reloaded.
 */
export type ElduTake = 'child' | 'both' | 'secs' | 'none';

export function takeForEldu(k: Kernel, e: Enclave): ElduTake {
  const epc = k.epc;
  if (!e.secsEvicted || e.released) return epc.take('page') ? 'child' : 'none';
  if (k.knobs.binding === 'mm') {
    // isgx sgx_do_fault: the child's page, then the SECS's; without the second the first is freed.
    if (!epc.take('page')) return 'none';
    if (!epc.take('secs')) {
      epc.give('page');
      return 'none';
    }
    reloadSecs(k, e);
    return 'both';
  }
  // mainline __sgx_encl_load_page: the SECS's allocation and ELDU, then the child's allocation.
  if (!epc.take('secs')) return 'none';
  reloadSecs(k, e);
  return epc.take('page') ? 'both' : 'secs';
}
