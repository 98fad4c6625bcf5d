/**
 * EPC reclaim (reference: sgx-driver.md §2.3, §2.5, §6.1). A batch isolates up to 16 pages from
 * the head of the active list (young pages rotate to the tail), then per victim enclave: for
 * each mm on its list, mmap_lock (read), age and zap the PTEs (TLB shootdown IPIs to that mm's
 * CPUs); then under encl->lock EBLOCK each page, one ETRACK, EWB each page, and for an
 * initialized enclave an IPI to the union of its mms' CPUs. Direct reclaim runs in the
 * allocating task; ksgxd runs from the low to the high watermark.
 */
import type { ProcessGen } from '../sim/index.js';
import { Task } from './cpus.js';
import { EVICTED, NONE, RECLAIMING, RESIDENT, YOUNG, type Enclave } from './enclave.js';
import { HIGH_WATERMARK, RECLAIM_BATCH, type EpcUse } from './epc.js';
import { downRead, lockEncl, type Kernel } from './kernel.js';

const pair = new Int32Array(2);

export class Reclaimer {
  private sleeping: { wake: () => void } | null = null;
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

  private *ksgxd(): ProcessGen<void> {
    const k = this.k;
    for (;;) {
      if (k.epc.free >= HIGH_WATERMARK || k.epc.active.length === 0) {
        const ev = k.env.event<void>();
        this.sleeping = { wake: () => ev.succeed() };
        k.cpus.offCpu(this.task);
        yield ev;
        yield k.env.timeout(k.ns['wakeup']!);
        continue;
      }
      yield* this.batch(this.task);
    }
  }

  /** Allocate one EPC page, direct-reclaiming in `t` while none is free; false on ENOMEM. */
  *alloc(t: Task, use: EpcUse): ProcessGen<boolean> {
    const k = this.k;
    for (;;) {
      if (k.epc.take(use)) return true;
      if (k.epc.active.length === 0) {
        if (k.epc.inFlight === 0) return false;
        // Another reclaimer holds the only candidates: let it finish.
        yield* k.cpus.compute(t, k.ns['resched']!);
        k.cpus.offCpu(t);
        yield k.env.timeout(k.ns['context_switch']!);
        continue;
      }
      yield* this.batch(t);
      yield* k.cpus.yieldCpu(t);
    }
  }

  /** One reclaim batch in task `t`; returns pages written back. */
  *batch(t: Task): ProcessGen<number> {
    const k = this.k;
    const ns = k.ns;
    const epc = k.epc;
    const victims: Enclave[] = [];
    const byEncl = new Map<Enclave, number[]>();
    let taken = 0;
    let scanned = 0;
    while (taken < RECLAIM_BATCH && scanned < RECLAIM_BATCH * 4 && epc.active.shift(pair)) {
      scanned++;
      const e = k.enclaves.get(pair[0]!);
      const p = pair[1]!;
      if (!e || e.released) continue;
      const st = e.state[p]!;
      if ((st & 0x7f) !== RESIDENT) continue; // stale entry
      if (st & YOUNG) {
        e.state[p] = RESIDENT;
        epc.active.push(e.id, p);
        continue;
      }
      e.state[p] = RECLAIMING;
      let list = byEncl.get(e);
      if (!list) {
        list = [];
        byEncl.set(e, list);
        victims.push(e);
      }
      list.push(p);
      taken++;
    }
    if (taken === 0) {
      yield* k.cpus.compute(t, ns['resched']!);
      return 0;
    }
    epc.inFlight += taken;
    for (const e of victims) {
      const pages = byEncl.get(e)!;
      const n = pages.length;
      // Age and zap in every mm that maps the enclave (mmap_lock read on each).
      for (const mm of [...e.mms]) {
        yield* downRead(k, t, mm);
        const cost = n * (ns['age']! + ns['pte_zap']!);
        yield* k.cpus.compute(t, cost);
        k.metrics.reclaimNs += cost;
        const shootdown = mm.cpusIn(k.costs.cpus);
        k.metrics.ipis += shootdown;
        mm.lock.upRead();
      }
      yield* lockEncl(k, t, e);
      let cost = n * (ns['eblock']! + ns['ewb']!) + ns['etrack']!;
      if (e.initialized && e.mms.length > 0) {
        let threads = 0;
        for (const mm of e.mms) threads += mm.threads;
        const targets = Math.min(k.costs.cpus, Math.max(1, threads));
        k.metrics.ipis += targets;
        cost += ns['ipi']!;
      }
      yield* k.cpus.compute(t, cost);
      k.metrics.reclaimNs += cost;
      for (const p of pages) e.state[p] = e.released ? NONE : EVICTED;
      e.resident -= n;
      epc.give('page', n);
      k.metrics.evictions += n;
      e.mutex.unlock();
    }
    epc.inFlight -= taken;
    return taken;
  }
}
