/**
 * Synchronous add in the caller (execution=caller): the mm-less SGX_IOC_ENCLAVE_ADD_PAGES loop
 * (reference §2.2) and, with binding=mm, the same steps behind a VMA lookup (per-mm-sync).
 * Per page: EPC and VA allocation with direct reclaim before any lock (epc_alloc=before-lock),
 * then the caller's mmap_lock (read) and encl->lock across the source pin or copy, EADD and
 * the EEXTENDs; a pending signal ends the call with a partial count.
 */
import type { ProcessGen } from '../sim/index.js';
import { NONE, type Enclave } from '../kernel/enclave.js';
import { downRead, queueEncl, tryDownRead, tryLockEncl, waitedEncl, type Kernel } from '../kernel/kernel.js';
import { commitPage, eaddName, enterAddIoctl, growVa, popcount16, tryGrowVa } from './common.js';
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
  const hold =
    ns.vma_lookup + (pin ? ns.gup : ns.backing_page + ns.copy_4k) + (byMm ? ns.pte_insert : 0) + ns.eadd + popcount16(measure) * ns.eextend + ns.lock;
  const pre = ns.kzalloc + (pin ? 0 : ns.alloc_page + ns.copy_4k);
  let done = 0;
  let err: IoctlResult['err'] = '';
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
    let ok = true;
    if (!underLock) ok = (k.epc.take('page') || (yield* k.allocEpc(t, 'page'))) && (tryGrowVa(e) || (yield* growVa(k, t, e)));
    if (!tryDownRead(k, mm)) yield* downRead(k, t, mm);
    // epc_alloc=under-lock: allocation (and direct reclaim, which takes victims' mmap_locks)
    // with this mm's mmap_lock held: hazard (b) of reference §1.8.
    if (underLock) ok = (k.epc.take('page') || (yield* k.allocEpc(t, 'page'))) && (tryGrowVa(e) || (yield* growVa(k, t, e)));
    if (!tryLockEncl(k, e)) {
      const since = k.env.now;
      yield queueEncl(k, t, e); // lockEncl without its generator
      waitedEncl(k, t, since);
    }
    if (!ok || e.state[off] !== NONE) {
      if (ok) {
        e.duplicates++;
        k.epc.give('page');
      }
      e.mutex.unlock();
      mm.lock.upRead();
      err = ok ? 'EEXIST' : 'ENOMEM';
      break;
    }
    const work = k.cpus.burst(t, pre + hold);
    if (work !== null) yield work;
    else yield* k.cpus.compute(t, pre + hold);
    if (k.rec.on) k.rec.pageSlice(t, eaddName(measure), k.env.now - Math.round(pre + hold), off);
    commitPage(k, e, off);
    e.mutex.unlock();
    mm.lock.upRead();
    k.metrics.ready.add(k.env.now - start);
    done++;
  }
  e.ioctlBusy = false;
  return { done, err };
}
