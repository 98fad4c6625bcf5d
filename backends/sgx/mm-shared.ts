/**
 * State the threads of one process (one mm) share, in one SharedArrayBuffer so it can be
 * posted to every worker thread: control flags, barrier counters and the mm's enclave table.
 * Enclaves are shared as fd numbers (the threads share the fd table), base and size; the
 * `held`/`closed` flags are claimed with compare-exchange so exactly one thread munmaps the
 * range and closes the fd, whichever thread tears down.
 */

/** What is posted to each thread: the buffer plus the names its indices stand for. */
export interface MmSharedInit {
  readonly sab: SharedArrayBuffer;
  readonly barriers: readonly string[];
  readonly enclaves: readonly number[];
}

const CTL = 4;
/** ctl[0]: background stop; ctl[1]: a thread failed; ctl[2]: a thread ran `exit`; ctl[3]: threads at the start gate. */
export const STOP = 0;
export const ABORT = 1;
export const EXITED = 2;
const GATE = 3;
const SLOT = 8;
// Enclave slot fields.
const PUBLISHED = 0;
const FD = 1;
const BASE_HI = 2;
const BASE_LO = 3;
const SIZE_PAGES = 4;
const MAPPED = 5;
const HELD = 6;
const CLOSED = 7;

export class AbortedByOtherThread extends Error {}

export function createMmShared(barriers: readonly string[], enclaves: readonly number[]): MmSharedInit {
  const sab = new SharedArrayBuffer(4 * (CTL + barriers.length + SLOT * enclaves.length));
  return { sab, barriers: [...barriers], enclaves: [...enclaves] };
}

/** An enclave as another thread of the mm sees it. */
export interface SharedEnclaveInfo {
  readonly fd: number;
  readonly base: bigint;
  readonly size: number;
}

/** Claims on one enclave's shared resources (see Enclave's `guard`). */
export interface EnclaveGuard {
  /** True for exactly one caller: that one munmaps the range. */
  claimRange(): boolean;
  /** True for exactly one caller: that one closes the fd. */
  claimFd(): boolean;
  /** True once a thread has claimed the fd (it closes it, or has closed it). */
  isClosed(): boolean;
  /** True once the range was mapped and a thread has claimed it for munmap. */
  isUnmapped(): boolean;
  isMapped(): boolean;
  setMapped(): void;
}

export class MmShared {
  readonly ctl: Int32Array;
  private readonly bar: Int32Array;
  private readonly enc: Int32Array;
  constructor(readonly init: MmSharedInit) {
    this.ctl = new Int32Array(init.sab, 0, CTL);
    this.bar = new Int32Array(init.sab, 4 * CTL, init.barriers.length);
    this.enc = new Int32Array(init.sab, 4 * (CTL + init.barriers.length), SLOT * init.enclaves.length);
  }
  flag(i: number): boolean {
    return Atomics.load(this.ctl, i) !== 0;
  }
  raise(i: number): void {
    Atomics.store(this.ctl, i, 1);
    Atomics.notify(this.ctl, i);
    // Threads waiting at a barrier poll the abort flag; wake them now.
    for (let b = 0; b < this.bar.length; b++) Atomics.notify(this.bar, b);
  }

  /**
   * Waits until `count` threads arrived at barrier `name`. A failed thread (ABORT) releases
   * everyone with AbortedByOtherThread, so no thread waits forever.
   */
  barrier(name: string, count: number): void {
    const i = this.init.barriers.indexOf(name);
    if (i < 0) throw new Error(`barrier '${name}' is not known to this mm`);
    let n = Atomics.add(this.bar, i, 1) + 1;
    if (n >= count) {
      Atomics.notify(this.bar, i);
      return;
    }
    while (n < count) {
      if (this.flag(ABORT)) throw new AbortedByOtherThread(`barrier '${name}': another thread of the process failed`);
      Atomics.wait(this.bar, i, n, 50);
      n = Atomics.load(this.bar, i);
    }
  }

  /**
   * Waits until all `threads` threads of the process are running, so the scripts' start
   * times and the background's schedule share one origin (worker start-up is not part of the
   * case). Gives up when a thread fails.
   */
  startGate(threads: number): void {
    let n = Atomics.add(this.ctl, GATE, 1) + 1;
    if (n >= threads) {
      Atomics.notify(this.ctl, GATE);
      return;
    }
    while (n < threads && !this.flag(ABORT) && !this.flag(STOP)) {
      Atomics.wait(this.ctl, GATE, n, 50);
      n = Atomics.load(this.ctl, GATE);
    }
  }

  private slot(enclave: number): number {
    const i = this.init.enclaves.indexOf(enclave);
    if (i < 0) throw new Error(`enclave ${enclave} is not known to this mm`);
    return i * SLOT;
  }
  publish(enclave: number, info: SharedEnclaveInfo, mapped: boolean): void {
    const s = this.slot(enclave);
    Atomics.store(this.enc, s + FD, info.fd);
    Atomics.store(this.enc, s + BASE_HI, Number(info.base >> 32n));
    Atomics.store(this.enc, s + BASE_LO, Number(info.base & 0xffff_ffffn) | 0);
    Atomics.store(this.enc, s + SIZE_PAGES, info.size / 4096);
    Atomics.store(this.enc, s + MAPPED, mapped ? 1 : 0);
    Atomics.store(this.enc, s + HELD, 1);
    Atomics.store(this.enc, s + CLOSED, 0);
    Atomics.store(this.enc, s + PUBLISHED, 1);
  }
  /** The enclave another thread published, or undefined. */
  lookup(enclave: number): SharedEnclaveInfo | undefined {
    if (!this.init.enclaves.includes(enclave)) return undefined;
    const s = this.slot(enclave);
    if (Atomics.load(this.enc, s + PUBLISHED) === 0) return undefined;
    const base = (BigInt(Atomics.load(this.enc, s + BASE_HI) >>> 0) << 32n) | BigInt(Atomics.load(this.enc, s + BASE_LO) >>> 0);
    return { fd: Atomics.load(this.enc, s + FD), base, size: Atomics.load(this.enc, s + SIZE_PAGES) * 4096 };
  }
  guard(enclave: number): EnclaveGuard {
    const s = this.slot(enclave);
    const e = this.enc;
    return {
      claimRange: () => Atomics.compareExchange(e, s + HELD, 1, 0) === 1,
      claimFd: () => Atomics.compareExchange(e, s + CLOSED, 0, 1) === 0,
      isClosed: () => Atomics.load(e, s + CLOSED) === 1,
      isUnmapped: () => Atomics.load(e, s + MAPPED) === 1 && Atomics.load(e, s + HELD) === 0,
      isMapped: () => Atomics.load(e, s + MAPPED) === 1 && Atomics.load(e, s + HELD) === 1,
      setMapped: () => void Atomics.store(e, s + MAPPED, 1),
    };
  }
}
