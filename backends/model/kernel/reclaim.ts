/**
 * EPC reclaim (reference: sgx-driver.md §2.3, §2.5, §6.1). A batch isolates up to 16 pages from
 * the head of the active list, ages them (young pages rotate to the tail), zaps the PTEs of the
 * rest in every mm that maps them (a TLB shootdown each), then under encl->lock EBLOCK each page,
 * one ETRACK, EWB each page, and for an initialized enclave an IPI to the union of its mms' CPUs.
 * The mm walks follow the binding: mainline's per-page, per-mm mmap_lock holds (reclaim-walk.ts)
 * or the per-mm driver's one owner mmap_sem hold per batch. Direct reclaim runs in the
 * allocating task; ksgxd runs from the low to the high watermark.
 */
import type { ProcessGen } from '../sim/index.js';
import { Task } from './cpus.js';
import { EVICTED, NONE, RECLAIMING, RESIDENT, YOUNG, type Enclave } from './enclave.js';
import { HIGH_WATERMARK, RECLAIM_BATCH, type EpcUse } from './epc.js';
import { downRead, queueEncl, tryLockEncl, waitedEncl, type Kernel } from './kernel.js';
import { ageInMms, ownerWalkCost, zapInMms } from './reclaim-walk.js';

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
        yield k.env.timeout(k.ns.wakeup);
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
        yield* k.cpus.compute(t, k.ns.resched);
        k.cpus.offCpu(t);
        yield k.env.timeout(k.ns.context_switch);
        continue;
      }
      yield* this.batch(t);
      yield* k.cpus.yieldCpu(t);
    }
  }

  /**
   * One reclaim batch in task `t`; returns pages written back. Isolates up to 16 pages from the
   * head of the active list (`SGX_NR_TO_SCAN`, isgx `SGX_NR_SWAP_CLUSTER_MAX`), ages them (young
   * ones rotate to the tail), zaps the rest in the mms that map them, then EBLOCK, ETRACK, EWB.
   */
  *batch(t: Task): ProcessGen<number> {
    const k = this.k;
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
      encls.push(e);
      pages.push(p);
      young.push((st & YOUNG) !== 0);
    }
    const n = encls.length;
    if (n === 0) {
      yield* k.cpus.compute(t, k.ns.resched);
      return 0;
    }
    const rec = k.rec;
    if (rec.on) rec.begin(t, 'reclaim batch');
    epc.inFlight += n;
    const evicted = k.knobs.binding === 'mm' ? yield* this.ownerPipeline(t, encls, pages, young) : yield* this.mmListPipeline(t, encls, pages, young);
    epc.inFlight -= n;
    if (rec.on) rec.end(t, { isolated: n, evicted });
    return evicted;
  }

  /** Mainline (`binding=fd`): per page, age in every mm, then zap in every mm; see reclaim-walk.ts. */
  private *mmListPipeline(t: Task, encls: Enclave[], pages: number[], young: boolean[]): ProcessGen<number> {
    const k = this.k;
    const keep: boolean[] = [];
    for (let i = 0; i < encls.length; i++) {
      const e = encls[i]!;
      const isYoung = e.mms.length > 0 && !e.released && (yield* ageInMms(k, t, e, young[i]!));
      if (isYoung) this.putBack(e, pages[i]!);
      keep.push(!isYoung);
    }
    for (let i = 0; i < encls.length; i++) {
      const e = encls[i]!;
      if (keep[i] && e.mms.length > 0 && !e.released) yield* zapInMms(k, t, e);
    }
    let evicted = 0;
    for (const [e, idx] of groupByEnclave(encls, keep))
      evicted += yield* this.write(
        t,
        e,
        idx.map((i) => pages[i]!),
        true,
      );
    return evicted;
  }

  /**
   * Per-mm (`binding=mm`, isgx `sgx_swap_pages`): the owner's mmap_sem (read) once per victim
   * enclave, held across aging, zapping, EBLOCK, ETRACK and EWB (linux-sgx-driver
   * `sgx_page_cache.c`: `down_read(&encl->mm->mmap_sem)` around isolate and write, or
   * `sgx_pin_mm` in `sgx_write_pages`); the per-page work is the mainline pipeline's with one mm.
   */
  private *ownerPipeline(t: Task, encls: Enclave[], pages: number[], young: boolean[]): ProcessGen<number> {
    const k = this.k;
    const all = encls.map(() => true);
    let evicted = 0;
    for (const [e, idx] of groupByEnclave(encls, all)) {
      const mm = e.mms[0];
      const locked = mm !== undefined && !mm.exited && !e.released;
      if (locked) yield* downRead(k, t, mm);
      const kept: number[] = [];
      for (const i of idx) {
        if (locked && young[i]) this.putBack(e, pages[i]!);
        else kept.push(pages[i]!);
      }
      if (locked) {
        const cost = ownerWalkCost(k, e, idx.length, kept.length);
        yield* k.cpus.compute(t, cost);
        k.metrics.reclaimNs += cost;
      }
      evicted += yield* this.write(t, e, kept, false);
      if (locked) mm.lock.upRead();
    }
    return evicted;
  }

  /** A young page goes back to the tail (or is freed if its enclave was released meanwhile). */
  private putBack(e: Enclave, p: number): void {
    if (e.released) {
      e.state[p] = NONE;
      e.resident--;
      this.k.epc.give('page');
      return;
    }
    e.state[p] = RESIDENT;
    this.k.epc.active.push(e.id, p);
  }

  /**
   * EBLOCK each page, one ETRACK, EWB each page under encl->lock, and for an initialized enclave
   * the IPI to its mms' CPUs (the first EWB after the EBLOCKs is NOT_TRACKED: ETRACK, EWB again,
   * then the IPI if threads may be inside). Per-mm (isgx `sgx_write_pages`) holds encl->lock
   * across the batch's EWBs: one hold. Mainline takes it per page (`sgx_reclaimer_block`, then
   * `sgx_reclaimer_write`): one hold per page, the page's EBLOCK charged with its EWB.
   */
  private *write(t: Task, e: Enclave, list: number[], perPage: boolean): ProcessGen<number> {
    const n = list.length;
    if (n === 0) return 0;
    const k = this.k;
    const ns = k.ns;
    let once = ns.etrack;
    if (e.initialized && e.mms.length > 0) {
      let threads = 0;
      for (const mm of e.mms) threads += mm.threads;
      k.metrics.ipis += Math.min(k.costs.cpus, Math.max(1, threads));
      once += ns.ipi;
    }
    const holds = perPage ? n : 1;
    const per = perPage ? 1 : n;
    const rec = k.rec;
    if (rec.on) rec.begin(t, 'EBLOCK/ETRACK/EWB');
    for (let h = 0; h < holds; h++) {
      // No-wait forms first (kernel.ts, Cpus.burst): no generator per page when nothing waits.
      if (!tryLockEncl(k, e)) {
        const since = k.env.now;
        yield queueEncl(k, t, e); // lockEncl without its generator
        waitedEncl(k, t, since);
      }
      const cost = per * (ns.eblock + ns.ewb) + (h === 0 ? once : 0);
      const work = k.cpus.burst(t, cost);
      if (work !== null) yield work;
      else yield* k.cpus.compute(t, cost);
      k.metrics.reclaimNs += cost;
      for (let j = h * per; j < h * per + per; j++) e.state[list[j]!] = e.released ? NONE : EVICTED;
      e.resident -= per;
      k.epc.give('page', per);
      k.metrics.evictions += per;
      e.mutex.unlock();
    }
    if (rec.on) {
      rec.end(t, { enclave: e.id, pages: n });
      rec.counter('free EPC pages', k.epc.free);
    }
    return n;
  }
}

/**
 * Indices of the kept pages of a batch grouped by enclave, enclaves in order of first appearance.
 * A batch has at most 16 pages and nearly always one enclave: a linear scan, no Map per batch.
 */
function groupByEnclave(encls: Enclave[], keep: boolean[]): Array<[Enclave, number[]]> {
  const out: Array<[Enclave, number[]]> = [];
  for (let i = 0; i < encls.length; i++) {
    if (!keep[i]) continue;
    const e = encls[i]!;
    let g = 0;
    while (g < out.length && out[g]![0] !== e) g++;
    if (g === out.length) out.push([e, []]);
    out[g]![1].push(i);
  }
  return out;
}
