/**
 * Mapping, unmapping, fork, close, exit and page access (reference §1.7, §2.4–2.5, §1.8).
 *
 * With binding=mm the enclave lives as long as its VMA and its queued requests: munmap (or
 * exit) holds mmap_sem for write and vm_ops->close marks the enclave dead and drops the VMA's
 * reference. With release=ref (isgx `sgx_vma_close`, intel/linux-sgx-driver sgx_vma.c) that is a
 * plain kref_put: each queued request holds its own reference (`__sgx_encl_add_page`,
 * sgx_ioctl.c), so release (`sgx_encl_release`, sgx_encl.c) runs at the last put, in
 * the worker when requests are still queued. release=deferred queues release on the workqueue
 * (the v18 series). release=sync is HYPOTHETICAL: release flushes the queued work under the
 * unmapper's mmap_sem, which the work needs (hazard a), so it can deadlock.
 * With binding=fd the fd and each mm on the enclave's list hold references; release runs when
 * the last goes, in the context that dropped it (mainline `sgx_encl_release` via kref_put from
 * `sgx_release` and `sgx_mmu_notifier_release`, arch/x86/kernel/cpu/sgx/encl.c, driver.c).
 */
import type { ProcessGen } from '../sim/index.js';
import { EVICTED, RESIDENT, YOUNG, type Enclave } from '../kernel/enclave.js';
import { downRead, downWrite, elduBacking, lockEncl, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/cpus.js';
import type { Mm } from '../kernel/mm.js';
import { markReclaimable } from '../kernel/reclaim.js';
import { secsElduNs, takeForEldu } from '../kernel/secs.js';
import { workItem } from '../kernel/workqueue.js';
import { release } from './common.js';
import type { Thread } from './thread.js';

/**
 * mmap of the enclave into the thread's mm (fd binding: joins the enclave's mm list); then
 * `inside` threads of the mm enter the enclave and run there until the mm unmaps it or exits.
 */
export function* map(k: Kernel, th: Thread, e: Enclave, inside = 0): ProcessGen<boolean> {
  const ok = yield* mapRange(k, th, e);
  if (ok && inside > 0 && !e.released) {
    e.inside.set(th.mm, (e.inside.get(th.mm) ?? 0) + inside);
    th.mm.threads += inside;
  }
  return ok;
}

/** Threads of `mm` inside `e` leave it (the mm unmapped the enclave or exits). */
function leave(e: Enclave, mm: Mm): void {
  const n = e.inside.get(mm);
  if (n === undefined) return;
  e.inside.delete(mm);
  mm.threads -= n;
}

/**
 * The mmap itself. binding=fd (mainline `sgx_mmap`, driver.c): `sgx_encl_may_map` walks the
 * enclave's xarray over every page in the range under encl->lock (encl.c), then the VMA takes a
 * file reference (vm_file) and the mm joins the enclave's list (`sgx_encl_mm_add`).
 */
function* mapRange(k: Kernel, th: Thread, e: Enclave): ProcessGen<boolean> {
  const t = th.task;
  if (k.knobs.binding === 'mm') return e.owner === th.mm && th.mm.mapped.has(e.id);
  yield* downWrite(k, t, th.mm);
  yield* lockEncl(k, t, e);
  yield* k.cpus.compute(t, k.ns.lock + e.reqCount * k.ns.xa_walk);
  e.mutex.unlock();
  yield* k.cpus.compute(t, k.ns.mmap_op + k.ns.kzalloc);
  if (!th.mm.mapped.has(e.id)) {
    th.mm.mapped.add(e.id);
    e.fileRefs++;
  }
  if (!e.mms.includes(th.mm)) {
    e.mms.push(th.mm);
    e.refs++;
  }
  th.mm.lock.upWrite();
  return true;
}

/**
 * fput of the enclave file (binding=fd). The last one runs mainline `sgx_release` (driver.c):
 * every mm still on the enclave's list leaves it (`list_del_rcu`, `synchronize_srcu`,
 * `mmu_notifier_unregister`, which waits for its own SRCU grace period: two `srcu_sync`) and
 * drops its reference, then the file drops its own; the last reference releases the enclave.
 */
export function* fput(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  e.fileRefs--;
  if (e.fileRefs > 0) return;
  while (e.mms.length > 0) {
    e.mms.pop();
    yield* k.cpus.compute(t, 2 * k.ns.srcu_sync);
    yield* put(k, t, e);
  }
  yield* put(k, t, e);
}

/** Drop one reference; the last one releases the enclave in task `t`. */
export function* put(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  e.refs--;
  if (e.refs <= 0) yield* release(k, t, e);
}

/**
 * vm_ops->close of the enclave VMA, with the mm's mmap_sem held for write by the caller. With
 * binding=fd the VMA's file reference goes after mmap_sem is released (the caller's fput; the
 * mm stays on the enclave's list until the file is released or the mm exits). Returns whether
 * that fput is due.
 */
function* vmaClose(k: Kernel, th: Thread, e: Enclave, mm: Mm): ProcessGen<boolean> {
  const t = th.task;
  mm.mapped.delete(e.id);
  leave(e, mm);
  if (k.knobs.binding === 'fd') return true;
  yield* lockEncl(k, t, e);
  e.dead = true;
  e.mutex.unlock();
  const i = e.mms.indexOf(mm);
  if (i >= 0) e.mms.splice(i, 1);
  if (k.knobs.release === 'ref') {
    // isgx sgx_vma_close: zap, SGX_ENCL_DEAD, kref_put; queued requests keep the enclave alive.
    yield* put(k, t, e);
  } else if (k.knobs.release === 'sync') {
    // HYPOTHETICAL: release waits for the queued work while this task holds mmap_sem (write).
    if (e.work !== null) yield* k.wq.flush(t, th.proc!, e.work);
    yield* put(k, t, e);
  } else {
    // v18: release handed to the workqueue.
    k.wq.queueWork(workItem(`${e.name}.release_work`, (wt) => put(k, wt, e)));
  }
  return false;
}

export function* unmap(k: Kernel, th: Thread, e: Enclave): ProcessGen<void> {
  const t = th.task;
  if (e.teardownAt < 0) e.teardownAt = k.env.now;
  yield* downWrite(k, t, th.mm);
  yield* k.cpus.compute(t, k.ns.munmap_enclave);
  const due = th.mm.mapped.has(e.id) && (yield* vmaClose(k, th, e, th.mm));
  th.mm.lock.upWrite();
  if (due) yield* fput(k, t, e);
}

/**
 * close(fd): binding=fd drops the fd's file reference; unmapped everywhere, that is the last one
 * and it frees the enclave now (the per-mm device fd is not the enclave).
 */
export function* close(k: Kernel, th: Thread, e: Enclave): ProcessGen<void> {
  if (k.knobs.binding === 'mm' || !th.fds.has(e.id)) return;
  th.fds.delete(e.id);
  if (e.teardownAt < 0 && e.fileRefs === 1) e.teardownAt = k.env.now;
  yield* k.cpus.compute(th.task, k.ns.syscall);
  yield* fput(k, th.task, e);
}

/**
 * exit_mmap (modeled with mmap_sem held for write), then close every fd (closeAll). binding=fd:
 * the mm leaves every enclave list it is on (mainline `sgx_mmu_notifier_release`: list_del_rcu,
 * synchronize_srcu; the final kref_put comes from `sgx_mmu_notifier_free`), and each closed VMA
 * drops its file reference.
 */
export function* exitMm(k: Kernel, th: Thread): ProcessGen<void> {
  const t = th.task;
  const mm = th.mm;
  const mapped = [...mm.mapped].map((id) => k.enclaves.get(id)!).filter((e) => e !== undefined);
  for (const e of mapped) if (e.teardownAt < 0) e.teardownAt = k.env.now;
  yield* downWrite(k, t, mm);
  const due: Enclave[] = [];
  for (const e of mapped) {
    yield* k.cpus.compute(t, k.ns.munmap_enclave);
    if (yield* vmaClose(k, th, e, mm)) due.push(e);
  }
  mm.exited = true;
  mm.lock.upWrite();
  if (k.knobs.binding === 'fd') {
    for (const e of k.enclaves.values()) {
      const i = e.mms.indexOf(mm);
      if (i < 0 || e.released) continue;
      e.mms.splice(i, 1);
      if (e.teardownAt < 0 && e.fileRefs === (th.fds.has(e.id) ? 1 : 0) + (due.includes(e) ? 1 : 0)) e.teardownAt = k.env.now;
      yield* k.cpus.compute(t, k.ns.srcu_sync);
      yield* put(k, t, e);
    }
    for (const e of due) if (!e.released) yield* fput(k, t, e);
  }
}

/**
 * fork() of `parent` into `child` (its own, new mm), as kernel/fork.c `copy_process` →
 * `dup_mm` → `dup_mmap` and `dup_fd` do it. `dup_mmap` holds the parent's mmap_lock for write
 * (and the new mm's, which no one else can hold yet) while it copies the VMAs:
 * - binding=fd (mainline): `sgx_mmap` (driver.c) sets no VM_DONTCOPY, so each enclave VMA is
 *   copied (`vm_area_dup`: the VMA's `vm_file` is one more file reference) and its
 *   `vm_ops->open`, `sgx_vma_open` (encl.c), runs `sgx_encl_mm_add` for the child's mm:
 *   `kzalloc` of the `sgx_encl_mm`, `kref_get` of the enclave, `__mmu_notifier_register`, and
 *   `list_add_rcu` + `mm_list_version++` under `encl->mm_lock`; the child's mm is then walked by
 *   reclaim and leaves at its exit (`sgx_mmu_notifier_release`). Charged as an mmap's
 *   `sgx_encl_mm_add` is (`mmap_op` + `kzalloc`), without `sgx_encl_may_map`'s xarray walk,
 *   which fork does not run. (If that `kzalloc` failed, `sgx_vma_open` would clear
 *   vm_private_data and the child's faults SIGBUS; the model's allocations do not fail.)
 * - binding=mm (isgx): `sgx_mmap` (sgx_main.c) sets VM_DONTCOPY, so `dup_mmap` skips the enclave
 *   VMA: no `sgx_vma_open`, no reference; the child has no mapping of the enclave (its access
 *   is a SIGSEGV: `touch`) and its exit does not touch the enclave.
 * Then `dup_fd`: every open enclave fd is one more reference to its file (binding=fd; the isgx
 * device fd is not the enclave). PTEs are not modeled per mm, so `copy_page_range` of the
 * enclave's PFN-mapped PTEs is not charged. Only the forking thread is copied; `inside` threads
 * of the child then enter each enclave it inherited (as `map`'s).
 */
export function* fork(k: Kernel, parent: Thread, child: Thread, inside: number): ProcessGen<void> {
  const t = parent.task;
  yield* k.cpus.compute(t, k.ns.syscall);
  yield* downWrite(k, t, parent.mm);
  const inherited: Enclave[] = [];
  const fd = k.knobs.binding === 'fd';
  for (const id of fd ? parent.mm.mapped : []) {
    const e = k.enclaves.get(id);
    if (e === undefined || e.released) continue;
    yield* k.cpus.compute(t, k.ns.mmap_op + k.ns.kzalloc);
    child.mm.mapped.add(id);
    e.fileRefs++;
    if (!e.mms.includes(child.mm)) {
      e.mms.push(child.mm);
      e.refs++;
    }
    inherited.push(e);
  }
  parent.mm.lock.upWrite();
  if (fd) {
    for (const id of parent.fds) {
      const e = k.enclaves.get(id);
      if (e === undefined || e.released) continue;
      child.fds.add(id);
      e.fileRefs++;
    }
  }
  if (inside > 0) {
    for (const e of inherited) {
      e.inside.set(child.mm, (e.inside.get(child.mm) ?? 0) + inside);
      child.mm.threads += inside;
    }
  }
}

/** Close every fd the process still holds (at exit). */
export function* closeAll(k: Kernel, th: Thread): ProcessGen<void> {
  for (const id of [...th.fds]) {
    const e = k.enclaves.get(id);
    if (e) yield* close(k, th, e);
  }
}

const TOUCH_CHUNK = 64;

/**
 * Access pages: a fault per page; ELDU for an evicted page (no direct reclaim on this path), the
 * SECS's ELDU first when it was written back (mainline `__sgx_encl_load_page`, isgx `sgx_do_fault`).
 */
export function* touch(k: Kernel, th: Thread, e: Enclave, offset: number, pages: number): ProcessGen<void> {
  const t = th.task;
  const ns = k.ns;
  // No VMA of the enclave in this mm (e.g. an isgx child after fork: VM_DONTCOPY): the access
  // is a SIGSEGV, which ends the process (its script stops; exit tears the mm down).
  if (!th.mm.mapped.has(e.id)) {
    th.mm.segv = true;
    th.mm.killed = true;
    return;
  }
  for (let base = offset; base < offset + pages; base += TOUCH_CHUNK) {
    const end = Math.min(offset + pages, base + TOUCH_CHUNK, e.pages);
    yield* downRead(k, t, th.mm);
    let faults = 0;
    for (let p = base; p < end; p++) {
      const s = e.state[p]! & 0x7f;
      if (s === RESIDENT) {
        e.state[p] = RESIDENT | YOUNG;
        faults++;
        continue;
      }
      if (s !== EVICTED) continue;
      yield* lockEncl(k, t, e);
      // sgx_encl_eldu → sgx_alloc_epc_page(reclaim=false): -EBUSY when none is free; retry. An
      // evicted SECS is reloaded first (kernel/secs.ts: each driver's order of the two pages).
      let secsNs = 0;
      for (;;) {
        const got = takeForEldu(k, e);
        if (got === 'child') break;
        if (got === 'both') {
          secsNs = secsElduNs(k, e);
          break;
        }
        // mainline: the SECS is back, the child's page is not; its ELDU ran under these locks.
        if (got === 'secs') yield* k.cpus.compute(t, secsElduNs(k, e));
        // VM_FAULT_NOPAGE: drop both locks, let ksgxd free pages, fault again.
        e.mutex.unlock();
        th.mm.lock.upRead();
        k.cpus.offCpu(t);
        yield k.env.timeout(ns.context_switch);
        yield* downRead(k, t, th.mm);
        yield* lockEncl(k, t, e);
      }
      yield* k.cpus.compute(t, secsNs + ns.eldu + ns.page_fault);
      if ((e.state[p]! & 0x7f) === EVICTED && !e.released) {
        e.state[p] = RESIDENT | YOUNG;
        e.resident++;
        markReclaimable(k, e, p);
        k.metrics.eldu++;
        // mainline truncates the page's backing (and an emptied PCMD page) in the same hold.
        const freed = elduBacking(k, e, p);
        if (freed > 0) yield* k.cpus.compute(t, freed * ns.backing_free);
      } else {
        k.epc.give('page');
      }
      e.mutex.unlock();
    }
    if (faults > 0) yield* k.cpus.compute(t, faults * ns.page_fault);
    th.mm.lock.upRead();
  }
}
