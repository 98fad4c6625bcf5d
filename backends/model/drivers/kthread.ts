/**
 * Add through a queue worker (execution=kthread): the per-mm ADD_PAGE ioctl and the add-page
 * worker (reference §1.2–1.4). The ioctl copies the page twice (user → temporary page →
 * shmem backing) or pins it, queues a request under encl->lock, queues the enclave's work item
 * when the list was empty, and returns before EADD. The worker yields between requests,
 * allocates EPC with no lock held, takes the mm's mmap_sem (read) then encl->lock, checks the
 * VMA, and does EADD plus one EEXTEND per set mask bit. A failed request drops every later one.
 */
import type { ProcessGen } from '../sim/index.js';
import { NONE, type Enclave } from '../kernel/enclave.js';
import { addBacking, downRead, queueEncl, tryDownRead, tryLockEncl, waitedEncl, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/cpus.js';
import { workItem } from '../kernel/workqueue.js';
import { QUEUED, commitPage, eaddName, enterAddIoctl, growVa, popcount16, tryGrowVa } from './common.js';
import { put } from './lifecycle.js';
import type { IoctlResult, Thread } from './thread.js';

export function* addPagesQueued(k: Kernel, th: Thread, e: Enclave, offset: number, count: number, measure: number): ProcessGen<IoctlResult> {
  const ns = k.ns;
  const t = th.task;
  const mm = th.mm;
  const byMm = k.knobs.binding === 'mm';
  const pin = k.knobs.source === 'pin';
  // Copy #1 (user → temporary page) or a pin; copy #2 (→ shmem backing) under encl->lock.
  const pre = ns.kzalloc + (pin ? ns.gup : ns.alloc_page + ns.copy_4k);
  // binding=fd keeps its pages in an xarray (xa_insert at the request, as mainline does).
  const locked = ns.kzalloc + (pin ? 0 : ns.backing_page + ns.copy_4k) + (byMm ? 0 : ns.xa_insert) + ns.lock;
  const entered = yield* enterAddIoctl(k, th, e, count > 0 ? pre : 0);
  if (entered !== '') return { done: 0, err: entered };
  if (e.work === null) e.work = workItem(`${e.name}.add_page_work`, (wt) => addPageWork(k, wt, e));
  if (e.reqTime === null) e.reqTime = new Float64Array(e.pages);
  let done = 0;
  let err: IoctlResult['err'] = '';
  let duplicate = false;
  for (let i = 0; i < count; i++) {
    if (mm.killed) {
      if (done === 0) err = 'EINTR';
      break;
    }
    const off = offset + i;
    // Copy #1 of the first page is charged with the ioctl's entry (one event, not two).
    if (i > 0) {
      const work = k.cpus.burst(t, pre);
      if (work !== null) yield work;
      else yield* k.cpus.compute(t, pre);
    }
    if (!tryGrowVa(e)) {
      const got = yield* growVa(k, t, e, mm);
      if (got !== '') {
        err = got === 'ENOMEM' ? 'ENOMEM' : 'EINTR';
        break;
      }
    }
    if (!tryLockEncl(k, e)) {
      const since = k.env.now;
      yield queueEncl(k, t, e); // lockEncl without its generator
      waitedEncl(k, t, since);
    }
    if (e.state[off] !== NONE) {
      // isgx: -EEXIST (the page is on the radix tree); binding=fd: xa_insert's -EBUSY.
      e.duplicates++;
      e.mutex.unlock();
      err = byMm ? 'EEXIST' : 'EBUSY';
      duplicate = true;
      break;
    }
    const work = k.cpus.burst(t, locked);
    if (work !== null) yield work;
    else yield* k.cpus.compute(t, locked);
    e.state[off] = QUEUED;
    if (!pin) addBacking(k, e, off);
    e.recordRequest(off);
    e.reqTime[off] = k.env.now;
    const wasEmpty = e.queuedPages === 0;
    e.enqueue(off, 1, measure, byMm ? e.owner : mm);
    if (k.knobs.release === 'ref') {
      // __sgx_encl_add_page: kref_get(&encl->refcount) for the request.
      e.refs++;
      e.requestRefs++;
    }
    k.metrics.queue.change(k.env.now, 1);
    if (k.rec.on) {
      k.rec.counter('queue depth', k.metrics.queue.current);
      k.rec.flowOut(t, flowId(e, off));
    }
    if (wasEmpty) k.wq.queueWork(e.work);
    e.mutex.unlock();
    done++;
  }
  e.ioctlBusy = false;
  return duplicate ? { done, err, duplicate } : { done, err };
}

/** The id of the flow arrow from a page's add request to its EADD (unique per enclave and page). */
function flowId(e: Enclave, off: number): number {
  return e.id * 2 ** 26 + off;
}

/** The enclave's work function: drain its request list (sgx_add_page_worker). */
function* addPageWork(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  const ns = k.ns;
  const byMm = k.knobs.binding === 'mm';
  const underLock = k.knobs.epc_alloc === 'under-lock';
  const reqTime = e.reqTime!;
  for (;;) {
    // schedule() between requests: another runnable task gets the CPU first (its cost, when
    // nothing else runs, is charged with the EADD hold below).
    // Each step tries its no-wait form first (kernel.ts, Cpus.burst): no generator when nothing waits.
    if (k.cpus.mustYield(t)) yield* k.cpus.yieldCpu(t);
    if (e.dead || e.released) e.skipRest = true;
    if (!tryLockEncl(k, e)) {
      const since = k.env.now;
      yield queueEncl(k, t, e); // lockEncl without its generator
      waitedEncl(k, t, since);
    }
    const req = e.dequeue();
    e.mutex.unlock();
    if (req === undefined) return;
    k.metrics.queue.change(k.env.now, -1);
    if (k.rec.on) k.rec.counter('queue depth', k.metrics.queue.current);
    const off = req.offset;
    if (e.skipRest || req.mm === null) {
      if (e.state[off] === QUEUED) e.state[off] = NONE;
      yield* dropRequestRef(k, t, e, true);
      continue;
    }
    let ok = true;
    if (!underLock) ok = k.epc.take('page') || (yield* k.allocEpc(t, 'page', null)) === '';
    const mm = req.mm;
    if (!tryDownRead(k, mm)) yield* downRead(k, t, mm);
    if (underLock) ok = k.epc.take('page') || (yield* k.allocEpc(t, 'page', null)) === ''; // hazard (b): reclaim under mmap_sem
    if (!tryLockEncl(k, e)) {
      const since = k.env.now;
      yield queueEncl(k, t, e); // lockEncl without its generator
      waitedEncl(k, t, since);
    }
    // sgx_process_add_page_req: enclave alive, VMA still there (mm binding), mm not exiting.
    const alive = !(e.dead || e.released) && (!byMm || mm.mapped.has(e.id)) && !mm.exited;
    if (!ok || !alive) {
      if (ok) k.epc.give('page');
      e.skipRest = true;
      if (e.state[off] === QUEUED) e.state[off] = NONE;
    } else {
      // isgx sgx_process_add_page_req: sgx_encl_find, sgx_get_backing, vm_insert_pfn, EADD, the
      // EEXTENDs, then sgx_test_and_clear_young (a page walk) and the load list. binding=fd marks
      // the page reclaimable under sgx_reclaimer_lock instead. Both take the page off the free
      // list under its spinlock.
      const spin = ns.spinlock;
      const body =
        ns.resched + ns.vma_lookup + ns.backing_page + (byMm ? ns.pte_insert + ns.age : spin) + ns.eadd + popcount16(req.measure) * ns.eextend + ns.lock + spin;
      const now = k.env.now;
      const free = k.epcLock.acquire(now, now, spin);
      const cost = body + free + (byMm ? 0 : k.reclaimerLock.acquire(now, now + free + body - spin, spin));
      const traced = k.rec.on;
      if (traced) k.rec.flowIn(t, flowId(e, off));
      const work = k.cpus.burst(t, cost);
      if (work !== null) yield work;
      else yield* k.cpus.compute(t, cost);
      if (traced) k.rec.pageSlice(t, eaddName(req.measure), k.env.now - Math.round(cost), off);
      commitPage(k, e, off);
      k.metrics.ready.add(k.env.now - reqTime[off]!);
    }
    e.mutex.unlock();
    mm.lock.upRead();
    yield* dropRequestRef(k, t, e, false);
  }
}

/**
 * sgx_add_page_worker's kfree(req) and kref_put(&encl->refcount) after each request
 * (release=ref); the last put runs release in the worker. A skipped request is charged its
 * kfree (the kzalloc cost), which a processed one has inside its EADD hold.
 */
function* dropRequestRef(k: Kernel, t: Task, e: Enclave, skipped: boolean): ProcessGen<void> {
  if (k.knobs.release !== 'ref') return;
  if (skipped) yield* k.cpus.compute(t, k.ns.kzalloc);
  e.requestRefs--;
  yield* put(k, t, e);
}
