/**
 * The EPC page pool: counts by use (free, SECS, VA, enclave pages), free-page watermarks
 * (low 32, high 64: SGX_NR_LOW_PAGES / SGX_NR_HIGH_PAGES in arch/x86/kernel/cpu/sgx/sgx.h),
 * and the active (reclaimable) list as a FIFO ring of (enclave, page) pairs in typed arrays.
 */

export const LOW_WATERMARK = 32;
export const HIGH_WATERMARK = 64;
export const RECLAIM_BATCH = 16;
export const VA_SLOTS = 512;

/** A growable FIFO of int pairs. The capacity stays a power of two, so indices wrap with a mask. */
export class PairRing {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private head = 0;
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(x: number, y: number): void {
    if (this.n === this.a.length) this.grow();
    const i = (this.head + this.n) & (this.a.length - 1);
    this.a[i] = x;
    this.b[i] = y;
    this.n++;
  }

  /** Pops the head into out[0], out[1]; false when empty. */
  shift(out: Int32Array): boolean {
    if (this.n === 0) return false;
    out[0] = this.a[this.head]!;
    out[1] = this.b[this.head]!;
    this.head = (this.head + 1) & (this.a.length - 1);
    this.n--;
    return true;
  }

  private grow(): void {
    const cap = this.a.length * 2;
    const a = new Int32Array(cap);
    const b = new Int32Array(cap);
    for (let k = 0; k < this.n; k++) {
      const i = (this.head + k) & (this.a.length - 1);
      a[k] = this.a[i]!;
      b[k] = this.b[i]!;
    }
    this.a = a;
    this.b = b;
    this.head = 0;
  }
}

export type EpcUse = 'secs' | 'va' | 'page';

export class Epc {
  free: number;
  secs = 0;
  va = 0;
  pages = 0;
  readonly active = new PairRing();
  /** Pages isolated by reclaimers right now. */
  inFlight = 0;
  /** Called when an allocation leaves fewer than LOW_WATERMARK free pages. */
  onLow: () => void = () => {};
  /** Called once at the next give (set while an allocation waits for a freed page). */
  onGive: (() => void) | null = null;

  constructor(readonly total: number) {
    this.free = total;
  }

  /** Take a free page for `use`; false when none is free. */
  take(use: EpcUse): boolean {
    if (this.free === 0) return false;
    this.free--;
    // Plain field updates: a computed key (this[use]) is a slow keyed access on every page.
    if (use === 'page') this.pages++;
    else if (use === 'va') this.va++;
    else this.secs++;
    if (this.free < LOW_WATERMARK) this.onLow();
    return true;
  }

  give(use: EpcUse, n = 1): void {
    this.free += n;
    if (use === 'page') this.pages -= n;
    else if (use === 'va') this.va -= n;
    else this.secs -= n;
    if (this.onGive !== null) this.onGive();
  }

  /** Conservation: free + enclave pages + VA + SECS = total. */
  conserved(): boolean {
    return this.free + this.pages + this.va + this.secs === this.total && this.free >= 0;
  }
}
