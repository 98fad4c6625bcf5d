/**
 * Enclave steps both execution models share: ECREATE, VA-page growth (one VA page per 512
 * pages, SECS included: sgx_encl_grow), committing an EADDed page, EINIT and release.
 */
import type { ProcessGen } from '../sim/index.js';
import { Enclave, EVICTED, NONE, RECLAIMING, RESIDENT } from '../kernel/enclave.js';
import { VA_SLOTS } from '../kernel/epc.js';
import { downRead, downWrite, lockEncl, tryDownRead, type Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/cpus.js';
import type { Mm } from '../kernel/mm.js';
import { markReclaimable, type AllocErr } from '../kernel/reclaim.js';
import type { IoctlResult, Thread } from './thread.js';

export const QUEUED = 4;

export function popcount16(mask: number): number {
  let n = 0;
  for (let m = mask & 0xffff; m !== 0; m &= m - 1) n++;
  return n;
}

const EADD_NAMES = new Map<number, string>();

/** The trace name of one page's EADD and its EEXTENDs for a measure mask (`EADD+EEXTEND×16`). */
export function eaddName(measure: number): string {
  let name = EADD_NAMES.get(measure);
  if (name === undefined) {
    const n = popcount16(measure);
    name = n === 0 ? 'EADD' : `EADD+EEXTEND×${n}`;
    EADD_NAMES.set(measure, name);
  }
  return name;
}

/** growVa() without a generator when the next page needs no new VA page (511 of 512): counts it. */
export function tryGrowVa(e: Enclave): boolean {
  if (e.pageCnt % VA_SLOTS === 0) return false;
  e.pageCnt++;
  return true;
}

/** Grow the VA pool when the next page needs a new VA page; the allocation's error, or ''. */
export function* growVa(k: Kernel, t: Task, e: Enclave, signal: Mm | null): ProcessGen<AllocErr> {
  if (e.pageCnt % VA_SLOTS === 0) {
    const err = yield* k.allocEpc(t, 'va', signal);
    if (err !== '') return err;
    yield* k.cpus.compute(t, k.ns.epa + k.ns.kzalloc);
    e.vaPages++;
    k.metrics.vaPages++;
  }
  e.pageCnt++;
  return '';
}

/** ECREATE (with mm binding the enclave VMA is mapped first: ISGX requires it). */
export function* create(k: Kernel, th: Thread, id: number, size: number): ProcessGen<Enclave | null> {
  const t0 = k.env.now;
  const t = th.task;
  const byMm = k.knobs.binding === 'mm';
  if (byMm) {
    yield* downWrite(k, t, th.mm);
    yield* k.cpus.compute(t, k.ns.mmap_op);
    th.mm.mapped.add(id);
    th.mm.lock.upWrite();
  }
  yield* k.cpus.compute(t, k.ns.syscall + k.ns.kzalloc);
  const e = new Enclave(k.env, id, size, byMm ? th.mm : null);
  k.traceLock(e.mutex);
  k.enclaves.set(id, e);
  e.createdAt = t0;
  if (byMm) k.loads.add(e);
  // ENOMEM here ends SGX_IOC_ENCLAVE_CREATE (counted with the adds' in `enomem`).
  const va = yield* growVa(k, t, e, th.mm);
  const secs = va === '' ? yield* k.allocEpc(t, 'secs', th.mm) : va;
  if (secs !== '') {
    if (secs === 'ENOMEM') k.metrics.enomem++;
    return null;
  }
  e.pageCnt--; // growVa counted a page; the SECS is counted below
  const s = k.env.now;
  yield* k.cpus.compute(t, k.ns.ecreate);
  if (k.rec.on) k.rec.slice(t, 'ECREATE', s, { enclave: id });
  e.secs = true;
  e.pageCnt++;
  if (byMm) {
    e.mms.push(th.mm);
    e.refs++; // the VMA
  } else {
    th.fds.add(id);
    e.fileRefs = 1; // the fd
    e.refs++; // the file's reference
  }
  k.metrics.ecreate.add(k.env.now - t0);
  k.metrics.firstStart = Math.min(k.metrics.firstStart, t0);
  return e;
}

/** The page is in EPC: record it (measurement order), make it reclaimable. */
export function commitPage(k: Kernel, e: Enclave, offset: number): void {
  e.state[offset] = RESIDENT;
  if (e.addCount < e.addLog.length) e.addLog[e.addCount] = offset;
  e.addCount++;
  e.resident++;
  markReclaimable(k, e, offset);
  k.metrics.pagesAdded++;
  e.lastAddAt = k.env.now;
  k.metrics.lastPageDone = Math.max(k.metrics.lastPageDone, k.env.now);
  if (k.rec.on) {
    k.rec.counter('pages added', k.metrics.pagesAdded);
    k.rec.counter('free EPC pages', k.epc.free);
  }
}

/** EINIT; with kthread execution the queued adds are flushed first (sgx_encl_init). */
export function* init(k: Kernel, th: Thread, e: Enclave): ProcessGen<boolean> {
  const t0 = k.env.now;
  const t = th.task;
  yield* k.cpus.compute(t, k.ns.syscall);
  // SGX_ENCL_IOCTL covers every enclave ioctl (mainline sgx_ioctl): EBUSY while another runs; retry.
  while (k.knobs.binding === 'fd' && e.ioctlBusy) {
    k.metrics.ebusy++;
    k.cpus.offCpu(t);
    yield k.env.timeout(k.ns.context_switch);
    yield* k.cpus.compute(t, k.ns.syscall);
  }
  const fd = k.knobs.binding === 'fd';
  if (fd) e.ioctlBusy = true;
  if (e.work !== null) yield* k.wq.flush(t, th.proc!, e.work);
  yield* lockEncl(k, t, e);
  const ok = !(e.skipRest || e.dead || e.released);
  if (ok) {
    const s = k.env.now;
    yield* k.cpus.compute(t, k.ns.einit);
    if (k.rec.on) k.rec.slice(t, 'EINIT', s, { enclave: e.id });
    e.initialized = true;
  }
  e.mutex.unlock();
  if (fd) e.ioctlBusy = false;
  k.metrics.einit.add(k.env.now - t0);
  if (ok) e.readyAt = k.env.now;
  return ok;
}

/**
 * Release (isgx `sgx_encl_release`; mainline `sgx_encl_release`, arch/x86/kernel/cpu/sgx/encl.c):
 * EREMOVE every resident page, the VA pages and the SECS when it is in EPC (a written-back SECS
 * has no EPC page: `if (encl->secs.epc_page)` in both); one SRCU grace period per mm left;
 * then the last fput of the shmem backing frees its pages. The backing holds a copy of every
 * page an ADD_PAGE copied with source=copy (isgx), and with source=pin only the pages written
 * back and not loaded again since (mainline writes the backing at EWB, truncates it at ELDU).
 */
export function* release(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  if (e.released) return;
  e.released = true;
  e.dead = true;
  let resident = 0;
  let evicted = 0;
  const st = e.state;
  for (let p = 0; p < st.length; p++) {
    const s = st[p]! & 0x7f;
    if (s === RESIDENT) {
      resident++;
      st[p] = NONE;
    } else if (s !== RECLAIMING) {
      if (s === EVICTED) evicted++;
      st[p] = NONE;
    }
  }
  // The shmem pages the backing holds now (kernel.ts): contents (every added page with
  // source=copy; with source=pin the written-back pages not loaded again since, mainline
  // truncating at ELDU), the SECS's once written back, and PCMD pages.
  const backing = e.backed;
  // The SECS is EREMOVEd only when it is in EPC (kernel/secs.ts: both drivers skip an evicted one).
  const secs = e.secs ? 1 : 0;
  // Each freed EPC page goes back under the free-list spinlock; mainline first takes each
  // resident page off the active list (sgx_unmark_page_reclaimable: sgx_reclaimer_lock).
  const spins = (resident + e.vaPages + secs + (k.knobs.binding === 'fd' ? resident : 0)) * k.ns.spinlock;
  const cost = (resident + e.vaPages + secs) * k.ns.eremove + e.mms.length * k.ns.srcu_sync + backing * k.ns.backing_free + spins;
  k.loads.drop(e);
  k.metrics.backingNow -= e.backed * 4096;
  e.backed = 0;
  e.backedMap = null;
  e.pcmdPages = 0;
  e.pcmdMap = null;
  e.secsEvicted = false;
  const s = k.env.now;
  yield* k.cpus.compute(t, cost);
  if (k.rec.on) {
    k.rec.slice(t, 'release (EREMOVE)', s, { enclave: e.id, pages: resident, secs, evicted, backing });
  }
  e.resident -= resident;
  k.epc.give('page', resident);
  k.epc.give('va', e.vaPages);
  if (e.secs) k.epc.give('secs', 1);
  if (k.rec.on) k.rec.counter('free EPC pages', k.epc.free);
  e.secs = false;
  e.vaPages = 0;
  e.mms.length = 0;
  if (e.destroyAt >= 0) {
    k.metrics.destroy.add(k.env.now - e.destroyAt);
    k.metrics.lifecycle.add(k.env.now - e.createdAt);
  } else if (e.teardownAt >= 0) k.metrics.teardown.add(k.env.now - e.teardownAt);
}

/**
 * The entry of an add ioctl, the same for both execution models: with an fd binding, per-fd
 * exclusivity (a concurrent ioctl gets EBUSY); with an mm binding, sgx_get_encl's VMA lookup
 * under the caller's mmap_sem (read); `extra` ns of the first page's lock-free work are charged
 * with the entry (in that short hold with an mm binding; one model event instead of two); then
 * the enclave-state check. Returns the error that ends the call, or '' to go on (with
 * `e.ioctlBusy` set for an fd binding).
 */
export function* enterAddIoctl(k: Kernel, th: Thread, e: Enclave, extra: number): ProcessGen<IoctlResult['err']> {
  const ns = k.ns;
  const t = th.task;
  const mm = th.mm;
  const byMm = k.knobs.binding === 'mm';
  if (!byMm) {
    if (!th.fds.has(e.id)) return 'EINVAL'; // EBADF: the fd was closed
    if (e.ioctlBusy) {
      yield* k.cpus.compute(t, ns.syscall);
      k.metrics.ebusy++;
      return 'EBUSY';
    }
    e.ioctlBusy = true;
  }
  // Steps try their no-wait forms first (kernel.ts, Cpus.burst): no generator when nothing waits.
  // binding=fd: no lock between the entry and the first page's lock-free work, so one burst.
  const entry = ns.syscall + extra + (byMm ? ns.vma_lookup : 0);
  if (byMm && !tryDownRead(k, mm)) yield* downRead(k, t, mm);
  const work = k.cpus.burst(t, entry);
  if (work !== null) yield work;
  else yield* k.cpus.compute(t, entry);
  if (byMm) {
    mm.lock.upRead();
    if (!mm.mapped.has(e.id)) return 'EINVAL';
  }
  if (e.initialized || e.dead || e.released) {
    e.ioctlBusy = false;
    return 'EINVAL';
  }
  return '';
}
