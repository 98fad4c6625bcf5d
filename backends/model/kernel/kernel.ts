/** The kernel context of one case: clock, costs, CPUs, EPC, the add-page workqueue, state, metrics. */
import type { Environment, Event, Mutex, ProcessGen, RwSemaphore } from '../sim/index.js';
import type { DesignKnobs } from '../../designs.js';
import type { CaseMetrics } from '../metrics.js';
import type { CostNs, Costs } from '../profiles.js';
import type { Cpus, Task } from './cpus.js';
import type { Enclave } from './enclave.js';
import type { Epc } from './epc.js';
import type { LoadLists } from './lru.js';
import type { Mm } from './mm.js';
import type { AllocErr } from './reclaim.js';
import type { SpinLock } from './spinlock.js';
import type { Recorder } from '../../../common/trace/recorder.js';
import type { Workqueue } from './workqueue.js';

export interface Kernel {
  readonly env: Environment;
  readonly ns: CostNs;
  readonly costs: Costs;
  readonly knobs: DesignKnobs;
  readonly cpus: Cpus;
  readonly epc: Epc;
  readonly wq: Workqueue;
  readonly metrics: CaseMetrics;
  /** Trace recorder (NO_TRACE when tracing is off). */
  readonly rec: Recorder;
  readonly enclaves: Map<number, Enclave>;
  readonly mms: Map<number, Mm>;
  /** isgx's per-process, per-enclave load lists (binding=mm; mainline's list is `epc.active`). */
  readonly loads: LoadLists;
  /** Mainline `sgx_reclaimer_lock`: the active list's spinlock (binding=fd). */
  readonly reclaimerLock: SpinLock;
  /** The EPC free-list spinlock: mainline `sgx_numa_node.lock`, isgx `sgx_free_list_lock`. */
  readonly epcLock: SpinLock;
  /**
   * Allocate one EPC page in task `t`, direct-reclaiming when none is free (reclaim.ts: each
   * driver's rule); `signal` is the mm whose pending signal ends it (null in a kernel thread).
   */
  allocEpc(t: Task, use: 'secs' | 'va' | 'page', signal: Mm | null): ProcessGen<AllocErr>;
  /**
   * Drop a reference to `e` in task `t` (`kref_put(&encl->refcount, sgx_encl_release)`); the last
   * one releases the enclave there (drivers/lifecycle.ts `put`). The reclaimers take one per
   * page (mainline) or per batch (isgx) they hold.
   */
  putEnclave(t: Task, e: Enclave): ProcessGen<void>;
  /** Draw a new lock's holds in the trace (holds.ts); nothing when tracing is off. */
  traceLock(lock: RwSemaphore | Mutex): void;
}

/*
 * Hot per-page loops call the try* forms first and fall back to the generator only when the
 * step must wait: a generator costs an allocation and a resume level per event, and these steps
 * almost never wait. Both forms take the same hold and record the same wait.
 */

/** mmap_lock (read) if it is granted at once (the zero wait is recorded); false otherwise. */
export function tryDownRead(k: Kernel, mm: Mm): boolean {
  if (!mm.lock.tryDownRead()) return false;
  k.metrics.mmapWait.add(0);
  return true;
}

/** mmap_lock (read) with the wait recorded. */
export function* downRead(k: Kernel, t: Task, mm: Mm): ProcessGen<void> {
  if (tryDownRead(k, mm)) return;
  // tryDownRead failed, so downRead() queues (it is never granted at once): cpus.wait()
  // inlined, one generator less per contended hold.
  const start = k.env.now;
  const req = mm.lock.downRead();
  k.cpus.offCpu(t);
  const rec = k.rec;
  if (rec.on) rec.begin(t, `${mm.lock.name} read`);
  yield req;
  if (rec.on) rec.end(t);
  k.metrics.mmapWait.add(k.env.now - start);
}

export function* downWrite(k: Kernel, t: Task, mm: Mm): ProcessGen<void> {
  const req = mm.lock.downWrite();
  const traced = k.rec.on && !req.triggered;
  if (traced) k.rec.begin(t, `${mm.lock.name} write`);
  yield* k.cpus.wait(t, req, k.metrics.mmapWait);
  if (traced) k.rec.end(t);
}

/** encl->lock if it is free (the zero wait is recorded); false otherwise. */
export function tryLockEncl(k: Kernel, e: Enclave): boolean {
  if (!e.mutex.tryLock()) return false;
  k.metrics.mutexWait.add(0);
  return true;
}

/**
 * The waiting half of lockEncl, for hot loops after tryLockEncl failed: queues on encl->lock and
 * leaves the CPU. The caller yields the returned request, then records the wait with waitedEncl.
 */
export function queueEncl(k: Kernel, t: Task, e: Enclave): Event<void> {
  const req = e.mutex.lock();
  k.cpus.offCpu(t);
  if (k.rec.on) k.rec.begin(t, e.mutex.name);
  return req;
}

/** Records an encl->lock wait of `t` that started at `since` (model ns). */
export function waitedEncl(k: Kernel, t: Task, since: number): void {
  k.metrics.mutexWait.add(k.env.now - since);
  if (k.rec.on) k.rec.end(t);
}

/** encl->lock with the wait recorded; no event when uncontended. */
export function* lockEncl(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  if (tryLockEncl(k, e)) return;
  const since = k.env.now;
  yield queueEncl(k, t, e);
  waitedEncl(k, t, since);
}

/**
 * Page `p` gets a shmem backing page (its contents) unless it has one: at ADD_PAGE with
 * source=copy (isgx copy #2), at its first EWB with source=pin (mainline sgx_encl_get_backing);
 * `p` = `e.pages` is the SECS's (`ewbSecsBacking`).
 */
export function addBacking(k: Kernel, e: Enclave, p: number): void {
  let map = e.backedMap;
  if (map === null) {
    map = new Uint8Array(e.pages + 1);
    e.backedMap = map;
  }
  if (map[p] === 1) return;
  map[p] = 1;
  holdBackingPage(k, e);
}

/** One more shmem page in `e`'s backing (freed at release or, mainline, at ELDU; `backing_bytes` is the most held). */
function holdBackingPage(k: Kernel, e: Enclave): void {
  e.backed++;
  const m = k.metrics;
  m.backingNow += 4096;
  if (m.backingNow > m.backingMax) m.backingMax = m.backingNow;
}

/**
 * The PCMD of page `p` is written at its EWB into the backing's PCMD pages, 32 PCMDs of 128 bytes
 * each (mainline `sgx_encl_get_backing`: the PCMD region after the contents of encl->backing;
 * isgx: the separate `encl->pcmd` shmem file): a shmem page at the first EWB of any of its 32
 * pages, freed with the backing at release.
 */
function addPcmd(k: Kernel, e: Enclave, p: number): void {
  let map = e.pcmdMap;
  if (map === null) {
    // Indices 0..pages: the children and the SECS (index PFN_DOWN(size): kernel/secs.ts).
    map = new Uint8Array((e.pages >> 5) + 1);
    e.pcmdMap = map;
  }
  const i = p >> 5;
  const live = map[i]!;
  if (k.knobs.source === 'pin') {
    // mainline: the live PCMDs of the page (at most 32 children and the SECS); ELDU zeroes one.
    map[i] = live + 1;
    if (live > 0) return;
  } else {
    // isgx: the page stays until release.
    if (live > 0) return;
    map[i] = 1;
  }
  e.pcmdPages++;
  holdBackingPage(k, e);
}

/**
 * What an ELDU of child `p` (or of the SECS: `p` = `e.pages`) frees in the backing; returns the
 * shmem pages freed, each charged `backing_free` by the caller. mainline `__sgx_encl_eldu`
 * (torvalds/linux arch/x86/kernel/cpu/sgx/encl.c) zeroes the page's PCMD, truncates its contents
 * page (`sgx_encl_truncate_backing_page(encl, page_index)`) and, when no PCMD of that PCMD page
 * is left (`pcmd_page_empty`, and the reclaimer is not writing one: `reclaimer_writing_to_pcmd`,
 * here a PCMD still counted), the PCMD page too; the backing of a page written back again is
 * allocated again at that EWB. isgx `sgx_eldu` (intel/linux-sgx-driver sgx_util.c) truncates
 * nothing: its shmem copy stays until release.
 */
export function elduBacking(k: Kernel, e: Enclave, p: number): number {
  if (k.knobs.source !== 'pin' || e.released) return 0;
  let freed = 0;
  if (e.backedMap !== null && e.backedMap[p] === 1) {
    e.backedMap[p] = 0;
    freed++;
  }
  const map = e.pcmdMap;
  const i = p >> 5;
  if (map !== null && map[i]! > 0) {
    map[i] = map[i]! - 1;
    if (map[i] === 0) {
      e.pcmdPages--;
      freed++;
    }
  }
  e.backed -= freed;
  k.metrics.backingNow -= freed * 4096;
  return freed;
}

/**
 * What an EWB of page `p` writes to the backing, in both drivers: its contents (a new backing
 * page only with source=pin; source=copy already holds one from the add) and its PCMD. Nothing
 * for a page of an enclave released meanwhile.
 */
export function ewbBacking(k: Kernel, e: Enclave, p: number): void {
  if (e.released) return;
  if (k.knobs.source === 'pin') addBacking(k, e, p);
  addPcmd(k, e, p);
}

/**
 * What the SECS's EWB writes to the backing (kernel/secs.ts): its contents at backing index
 * PFN_DOWN(encl->size), the page after the children's (mainline `sgx_reclaimer_write` →
 * `sgx_encl_get_backing(encl, PFN_DOWN(encl->size), ...)`; isgx `sgx_get_backing` of
 * `encl->secs`, whose address is `base + size`): a new shmem page at its first EWB whatever the
 * source (isgx copies no SECS there at ECREATE), and its PCMD in the PCMD page of that index.
 */
export function ewbSecsBacking(k: Kernel, e: Enclave): void {
  addBacking(k, e, e.pages);
  addPcmd(k, e, e.pages);
}
