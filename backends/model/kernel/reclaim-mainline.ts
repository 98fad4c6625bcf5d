/**
 * One mainline reclaim batch, `sgx_reclaim_pages` (torvalds/linux arch/x86/kernel/cpu/sgx/main.c),
 * step by step:
 * 1. under the spinlock `sgx_reclaimer_lock`, take up to 16 pages (SGX_NR_TO_SCAN) from the head
 *    of `sgx_active_page_list`;
 * 2. per page, `sgx_reclaimer_age` walks every mm on the enclave's list (reclaim-walk.ts); a young
 *    page goes back to the tail (the spinlock again); an old one gets encl->lock hold #1:
 *    `sgx_encl_alloc_backing` (two shmem pages, `shmem_read_mapping_page_gfp` for the contents
 *    and for the PCMD) and SGX_ENCL_PAGE_BEING_RECLAIMED;
 * 3. per kept page, `sgx_reclaimer_block`: the zap in every mm, then hold #2 for EBLOCK;
 * 4. per kept page, `sgx_reclaimer_write` in hold #3: EWB; the first EWB of an enclave in the
 *    batch is SGX_NOT_TRACKED, so ETRACK and EWB again (and, with threads inside, the IPI and a
 *    third EWB: reclaim.ts `notTrackedCost`); then `sgx_free_epc_page` under the EPC free-list
 *    spinlock. Mainline does no EREMOVE after EWB. When that page was the enclave's last child in
 *    EPC and the enclave is initialized, the same hold writes the SECS back (secs.ts).
 * The NOT_TRACKED attempt itself is not charged (it fails at once, without writing the page).
 */
import type { ProcessGen } from '../sim/index.js';
import type { Task } from './cpus.js';
import { EVICTED, NONE, RECLAIMING, RESIDENT, YOUNG, type Enclave } from './enclave.js';
import { RECLAIM_BATCH } from './epc.js';
import { ewbBacking, tryLockEncl, type Kernel } from './kernel.js';
import { lock, notTrackedCost, putBack } from './reclaim.js';
import { ageInMms, zapInMms } from './reclaim-walk.js';
import { evictSecs, secsEwbNs, secsGoesWith } from './secs.js';

const pair = new Int32Array(2);

/** One batch in task `t`; returns the pages written back. */
export function* mainlineBatch(k: Kernel, t: Task): ProcessGen<number> {
  const ns = k.ns;
  const epc = k.epc;
  const encls: Enclave[] = [];
  const pages: number[] = [];
  const young: boolean[] = [];
  // Stale ring entries (pages freed or reloaded since they were queued) are skipped for free:
  // the real list unlinks them when they change.
  while (encls.length < RECLAIM_BATCH && epc.active.shift(pair)) {
    const e = k.enclaves.get(pair[0]!);
    const p = pair[1]!;
    if (!e || e.released) continue;
    const st = e.state[p]!;
    if ((st & 0x7f) !== RESIDENT) continue;
    e.state[p] = RECLAIMING;
    // kref_get_unless_zero(&encl->refcount) per isolated page: the enclave outlives the batch.
    e.refs++;
    encls.push(e);
    pages.push(p);
    young.push((st & YOUNG) !== 0);
  }
  const n = encls.length;
  if (n === 0) {
    yield* k.cpus.compute(t, ns.resched);
    return 0;
  }
  const now = k.env.now;
  const isolate = n * ns.spinlock;
  const first = isolate + k.reclaimerLock.acquire(now, now, isolate);
  const wfirst = k.cpus.burst(t, first);
  if (wfirst !== null) yield wfirst;
  else yield* k.cpus.compute(t, first);
  k.metrics.reclaimNs += first;
  epc.inFlight += n;
  const keep: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const e = encls[i]!;
    const p = pages[i]!;
    const isYoung = e.mms.length > 0 && !e.released && (yield* ageInMms(k, t, e, young[i]!));
    if (isYoung) {
      const back = ns.spinlock + k.reclaimerLock.acquire(k.env.now, k.env.now, ns.spinlock);
      const wback = k.cpus.burst(t, back);
      if (wback !== null) yield wback;
      else yield* k.cpus.compute(t, back);
      k.metrics.reclaimNs += back;
      putBack(k, e, p);
      epc.inFlight--;
      keep.push(false);
      // The skip path's kref_put: the last reference releases the enclave here.
      yield* k.putEnclave(t, e);
      continue;
    }
    // Hold #1: the backing (contents and PCMD) and SGX_ENCL_PAGE_BEING_RECLAIMED.
    if (!tryLockEncl(k, e)) yield* lock(k, t, e);
    const backing = ns.lock + 2 * ns.backing_page;
    const wbacking = k.cpus.burst(t, backing);
    if (wbacking !== null) yield wbacking;
    else yield* k.cpus.compute(t, backing);
    k.metrics.reclaimNs += backing;
    e.mutex.unlock();
    keep.push(true);
  }
  // Hold #2: sgx_reclaimer_block.
  const block = ns.lock + ns.eblock;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const e = encls[i]!;
    if (e.mms.length > 0 && !e.released) yield* zapInMms(k, t, e);
    if (!tryLockEncl(k, e)) yield* lock(k, t, e);
    const wblock = k.cpus.burst(t, block);
    if (wblock !== null) yield wblock;
    else yield* k.cpus.compute(t, block);
    k.metrics.reclaimNs += block;
    e.mutex.unlock();
  }
  // Hold #3: sgx_reclaimer_write, then sgx_free_epc_page.
  const tracked: Enclave[] = [];
  let evicted = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const e = encls[i]!;
    if (!tryLockEncl(k, e)) yield* lock(k, t, e);
    let cost = ns.lock + ns.ewb;
    if (!tracked.includes(e)) {
      tracked.push(e);
      cost += ns.etrack + notTrackedCost(k, t, e);
    }
    // The enclave's last child in EPC: sgx_reclaimer_write writes the SECS back in this hold.
    const secsToo = secsGoesWith(e, 1);
    if (secsToo) cost += secsEwbNs(ns);
    cost += ns.spinlock + k.epcLock.acquire(k.env.now, k.env.now + cost, ns.spinlock);
    const wcost = k.cpus.burst(t, cost);
    if (wcost !== null) yield wcost;
    else yield* k.cpus.compute(t, cost);
    k.metrics.reclaimNs += cost;
    const p = pages[i]!;
    ewbBacking(k, e, p);
    e.state[p] = e.released ? NONE : EVICTED;
    e.resident--;
    epc.give('page');
    k.metrics.evictions++;
    evicted++;
    epc.inFlight--;
    if (secsToo) evictSecs(k, e);
    e.mutex.unlock();
    // kref_put after sgx_reclaimer_write: a release the owner's last close left to the
    // reclaimer runs here, in this task (sgx_encl_release).
    yield* k.putEnclave(t, e);
  }
  if (k.rec.on) k.rec.counter('free EPC pages', epc.free);
  return evicted;
}
