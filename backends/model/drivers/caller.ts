/**
 * Synchronous add in the caller (execution=caller): the mm-less SGX_IOC_ENCLAVE_ADD_PAGES loop
 * (reference §2.2) and, with binding=mm, the same steps behind a VMA lookup (per-mm-sync).
 * Per page: EPC and VA allocation with direct reclaim before any lock (epc_alloc=before-lock),
 * then the caller's mmap_lock (read) and encl->lock across the source pin or copy, EADD and
 * the EEXTENDs; a pending signal ends the call with a partial count.
 */
import type { ProcessGen } from '../sim/index.js';
import { NONE, type Enclave } from '../kernel/enclave.js';
import { addBacking, downRead, queueEncl, tryDownRead, tryLockEncl, waitedEncl, type Kernel } from '../kernel/kernel.js';
import { commitPage, eaddName, enterAddIoctl, growVa, popcount16, tryGrowVa } from './common.js';
import type { AllocErr } from '../kernel/reclaim.js';
import type { IoctlResult, Thread } from './thread.js';

export function* addPagesCaller(k: Kernel, th: Thread, e: Enclave, offset: number, count: number, measure: number): ProcessGen<IoctlResult> {
  const ns = k.ns;
  const t = th.task;
  const mm = th.mm;
  const start = k.env.now;
  const byMm = k.knobs.binding === 'mm';
  const pin = k.knobs.source === 'pin';
  const underLock = k.knobs.epc_alloc === 'under-lock';
  const entered = yield* enterAddIoctl(k, th, e, 0);
  if (entered !== '') return { done: 0, err: entered };
  const byFd = !byMm;
  // mainline sgx_encl_add_page: xa_insert into encl->page_array, then EADD, the EEXTENDs and
  // sgx_mark_page_reclaimable (one sgx_reclaimer_lock hold) under both locks.
  const spin = ns.spinlock;
  const hold =
    ns.vma_lookup +
    (pin ? ns.gup : ns.backing_page + ns.copy_4k) +
    (byMm ? ns.pte_insert : ns.xa_insert + spin) +
    ns.eadd +
    popcount16(measure) * ns.eextend +
    ns.lock;
  // The EPC page comes off the free list under its spinlock (sgx_alloc_epc_page → node->lock).
  const pre = ns.kzalloc + spin + (pin ? 0 : ns.alloc_page + ns.copy_4k);
  let done = 0;
  let err: IoctlResult['err'] = '';
  let duplicate = false;
  for (let i = 0; i < count; i++) {
    if (mm.killed) {
      if (done === 0) err = 'EINTR';
      break;
    }
    const off = offset + i;
    e.recordRequest(off);
    // The lock-free prologue (kzalloc, copy #1 with source=copy) is charged with the locked
    // section below: one timed hold per page keeps a 1 GiB build at ~2 events per page.
    // Each step tries its no-wait form first (a free EPC page, no new VA page, a free lock; see
    // kernel.ts): no generator per step in the common case.
    let got: AllocErr = '';
    let page = false;
    if (!underLock) {
      got = k.epc.take('page') ? '' : yield* k.allocEpc(t, 'page', mm);
      page = got === '';
      if (page && !tryGrowVa(e)) got = yield* growVa(k, t, e, mm);
    }
    if (!tryDownRead(k, mm)) yield* downRead(k, t, mm);
    // epc_alloc=under-lock: allocation (and direct reclaim, which takes victims' mmap_locks)
    // with this mm's mmap_lock held: hazard (b) of reference §1.8.
    if (underLock) {
      got = k.epc.take('page') ? '' : yield* k.allocEpc(t, 'page', mm);
      page = got === '';
      if (page && !tryGrowVa(e)) got = yield* growVa(k, t, e, mm);
    }
    if (!tryLockEncl(k, e)) {
      const since = k.env.now;
      yield queueEncl(k, t, e); // lockEncl without its generator
      waitedEncl(k, t, since);
    }
    if (got !== '' || e.state[off] !== NONE) {
      if (page) k.epc.give('page');
      if (got === '') e.duplicates++;
      e.mutex.unlock();
      mm.lock.upRead();
      // A duplicate: xa_insert's -EBUSY in mainline, -EEXIST in the per-mm driver. A signal
      // during direct reclaim: -ERESTARTSYS, which the dying caller sees as EINTR.
      err = got === 'ENOMEM' ? 'ENOMEM' : got === 'ERESTARTSYS' ? 'EINTR' : byFd ? 'EBUSY' : 'EEXIST';
      duplicate = got === '';
      break;
    }
    const now = k.env.now;
    // The spinlock holds, booked at their place in the burst: the free list at its start, the
    // active list (binding=fd) at its end.
    const free = k.epcLock.acquire(now, now, spin);
    const spun = free + (byFd ? k.reclaimerLock.acquire(now, now + free + pre + hold - spin, spin) : 0);
    const cost = pre + hold + spun;
    const work = k.cpus.burst(t, cost);
    if (work !== null) yield work;
    else yield* k.cpus.compute(t, cost);
    if (k.rec.on) k.rec.pageSlice(t, eaddName(measure), k.env.now - Math.round(cost), off);
    commitPage(k, e, off);
    if (!pin) addBacking(k, e, off);
    e.mutex.unlock();
    mm.lock.upRead();
    k.metrics.ready.add(k.env.now - start);
    done++;
  }
  e.ioctlBusy = false;
  return duplicate ? { done, err, duplicate } : { done, err };
}
