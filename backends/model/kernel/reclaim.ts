/**
 * EPC reclaim (reference: sgx-driver.md §2.3, §2.5, §6.1): ksgxd from the low to the high
 * watermark, direct reclaim in the allocating task, and the two drivers' allocation rules. A
 * batch follows the binding's driver: mainline `sgx_reclaim_pages` (reclaim-mainline.ts) or isgx
 * `sgx_swap_pages` (reclaim-isgx.ts).
 */
import type { ProcessGen } from '../sim/index.js';
import { Task } from './cpus.js';
import { NONE, RESIDENT, type Enclave } from './enclave.js';
import { HIGH_WATERMARK, type EpcUse } from './epc.js';
import { queueEncl, tryLockEncl, waitedEncl, type Kernel } from './kernel.js';
import type { Mm } from './mm.js';
import { traceIpis } from './ipi-trace.js';
import { isgxBatch } from './reclaim-isgx.js';
import { mainlineBatch } from './reclaim-mainline.js';

/** Why an EPC allocation failed; '' when it did not. */
export type AllocErr = '' | 'ENOMEM' | 'ERESTARTSYS';

export class Reclaimer {
  private sleeping: { wake: () => void } | null = null;
  /** Allocations waiting for a page to be freed (isgx: nothing left to swap). */
  private readonly starved: Array<() => void> = [];
  readonly task = new Task('ksgxd');
  stopping = false;

  constructor(private readonly k: Kernel) {}

  start(): void {
    this.k.epc.onLow = () => this.wake();
    this.k.env.process(this.ksgxd(), 'ksgxd');
  }

  wake(): void {
    const s = this.sleeping;
    if (s) {
      this.sleeping = null;
      s.wake();
    }
  }

  /** Allocations still waiting for a freed page (a livelock of isgx `sgx_alloc_page` when the run stalls). */
  get starving(): number {
    return this.starved.length;
  }

  private *ksgxd(): ProcessGen<void> {
    const k = this.k;
    for (;;) {
      if (k.epc.free >= HIGH_WATERMARK || reclaimable(k) === 0) {
        const ev = k.env.event<void>();
        this.sleeping = { wake: () => ev.succeed() };
        k.cpus.offCpu(this.task);
        yield ev;
        yield k.env.timeout(k.ns.wakeup);
        continue;
      }
      // Untraced, the driver's batch directly: one generator level less per reclaim event.
      yield* k.rec.on ? this.batch(this.task) : driverBatch(k, this.task);
    }
  }

  /**
   * Allocate one EPC page in `t`, direct-reclaiming while none is free; `signal` is the mm whose
   * pending signal ends the wait (null for a kernel thread).
   *
   * Mainline `sgx_alloc_epc_page(owner, reclaim=true)` (arch/x86/kernel/cpu/sgx/main.c): -ENOMEM
   * as soon as `sgx_active_page_list` is empty, even while another reclaimer has pages in flight;
   * -ERESTARTSYS on a pending signal; else `sgx_reclaim_pages()` and `cond_resched()`.
   * isgx `sgx_alloc_page(0)` (intel/linux-sgx-driver sgx_page_cache.c): -ENOMEM only when the VA
   * pages exceed total − 2; -ERESTARTSYS on a pending signal; else `sgx_swap_pages()` and
   * `schedule()`, for as long as it takes. When nothing is left to swap and nothing is in flight
   * the real loop spins until some page is freed: modeled as a wait for the next free page, so a
   * run in which none is ever freed stalls and is reported as that livelock.
   */
  *alloc(t: Task, use: EpcUse, signal: Mm | null): ProcessGen<AllocErr> {
    const k = this.k;
    const epc = k.epc;
    const byMm = k.knobs.binding === 'mm';
    for (;;) {
      if (epc.take(use)) return '';
      if (byMm) {
        if (epc.va > epc.total - 2) return 'ENOMEM';
      } else if (epc.active.length === 0) return 'ENOMEM';
      if (signal?.killed) return 'ERESTARTSYS';
      const evicted = yield* this.batch(t);
      if (byMm && evicted === 0 && epc.free === 0 && (epc.inFlight > 0 || !k.loads.hasCandidate())) {
        // Nothing to swap: another reclaimer holds the candidates, or only dead enclaves have
        // pages. The real loop retries until a page is freed; wait for that free.
        yield* this.starve(t);
        continue;
      }
      yield* k.cpus.yieldCpu(t);
    }
  }

  private *starve(t: Task): ProcessGen<void> {
    const k = this.k;
    k.cpus.offCpu(t);
    const ev = k.env.event<void>();
    this.starved.push(() => ev.succeed());
    k.epc.onGive = () => {
      k.epc.onGive = null;
      for (const wake of this.starved.splice(0)) wake();
    };
    yield ev;
  }

  /** One reclaim batch in task `t`; returns the pages written back. */
  *batch(t: Task): ProcessGen<number> {
    const k = this.k;
    const rec = k.rec;
    if (rec.on) rec.begin(t, 'reclaim batch');
    const evicted = yield* driverBatch(k, t);
    if (rec.on) {
      rec.end(t, { evicted });
      rec.counter('free EPC pages', k.epc.free);
    }
    return evicted;
  }
}

/** The binding's driver's reclaim batch (a generator, not a wrapper around one): isgx or mainline. */
function driverBatch(k: Kernel, t: Task): ProcessGen<number> {
  return k.knobs.binding === 'mm' ? isgxBatch(k, t) : mainlineBatch(k, t);
}

/** Pages on the binding's reclaimable lists (mainline's active list; isgx's load lists). */
export function reclaimable(k: Kernel): number {
  return k.knobs.binding === 'mm' ? k.loads.loaded : k.epc.active.length;
}

/**
 * Put a resident page on the binding's reclaimable list: mainline `sgx_mark_page_reclaimable`
 * (the caller charges its `sgx_reclaimer_lock` hold), isgx `list_add_tail(&epc_page->list,
 * &encl->load_list)` under encl->lock.
 */
export function markReclaimable(k: Kernel, e: Enclave, p: number): void {
  if (k.knobs.binding === 'mm') k.loads.push(e, p);
  else k.epc.active.push(e.id, p);
}

/** A young page goes back to the tail (or is freed if its enclave was released meanwhile). */
export function putBack(k: Kernel, e: Enclave, p: number): void {
  if (e.released) {
    e.state[p] = NONE;
    e.resident--;
    k.epc.give('page');
    return;
  }
  e.state[p] = RESIDENT;
  markReclaimable(k, e, p);
}

/** encl->lock, without a generator when it is free (kernel.ts). */
export function* lock(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  if (tryLockEncl(k, e)) return;
  const since = k.env.now;
  yield queueEncl(k, t, e);
  waitedEncl(k, t, since);
}

/**
 * The IPIs of the first EWB of a batch on an enclave with threads inside: EWB after ETRACK is
 * still SGX_NOT_TRACKED, so both drivers IPI the enclave's CPUs (mainline `sgx_encl_ewb`:
 * `on_each_cpu_mask(sgx_encl_cpumask(encl), ...)`; isgx `sgx_ewb` → `sgx_flush_cpus`) and retry
 * the EWB. No thread inside (every build): no IPI. Returns the extra ns; counts the targets
 * (and traces them: ipi-trace.ts); `t` is the sending task.
 */
export function notTrackedCost(k: Kernel, t: Task, e: Enclave): number {
  if (e.threadsInside === 0) return 0;
  let cpus = 0;
  for (const mm of e.mms) if (!mm.exited) cpus += mm.cpusIn(k.costs.cpus);
  const targets = Math.min(k.costs.cpus, Math.max(1, cpus));
  k.metrics.ipis += targets;
  if (k.rec.on) traceIpis(k, t, e, targets);
  return k.ns.ipi + k.ns.ewb;
}
