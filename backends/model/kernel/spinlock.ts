/**
 * A kernel spinlock held for short, known times inside longer CPU bursts (mainline
 * `sgx_reclaimer_lock` in arch/x86/kernel/cpu/sgx/main.c, taken by `sgx_mark_page_reclaimable`
 * once per added page and by `sgx_reclaim_pages` once per batch; the EPC section's free-list
 * lock `sgx_numa_node.lock`, taken by `__sgx_alloc_epc_page_from_node` once per allocation).
 *
 * A hold does not get a model event of its own: the holder books an interval on the lock's
 * calendar at the model time it takes the lock (inside its burst), and spins until the first
 * free gap. The returned spin time is added to the holder's burst. Bookings are made in event
 * order, not in time order (a burst books a hold near its end), so the calendar keeps every
 * interval that has not ended yet and fits a new hold into the first gap at or after its time.
 */
export class SpinLock {
  /**
   * Booked holds, sorted by start and never overlapping (so ends are sorted too):
   * starts[i] .. ends[i] (model ns) for i ≥ head. Entries before `head` have ended.
   */
  private starts: number[] = [];
  private ends: number[] = [];
  private head = 0;
  /** Total spin time over the case (ns) and the number of holds that spun. */
  spinNs = 0;
  contended = 0;
  holds = 0;

  constructor(readonly name: string) {}

  /**
   * Take the lock at model time `at` (≥ `now`) for `hold` ns; returns the ns spun before it was
   * granted. Intervals that ended by `now` are dropped first: no later booking can precede `now`.
   */
  acquire(now: number, at: number, hold: number): number {
    this.prune(now);
    this.holds++;
    const s = this.starts;
    const e = this.ends;
    const n = e.length;
    // Uncontended and in time order (the common case): after every booking.
    if (n === this.head || e[n - 1]! <= at) {
      s.push(at);
      e.push(at + hold);
      return 0;
    }
    let start = at;
    let i = this.head;
    // Skip bookings that end before `start`; then slide past each one that overlaps.
    while (i < n && e[i]! <= start) i++;
    while (i < n && s[i]! < start + hold) {
      if (e[i]! > start) start = e[i]!;
      i++;
    }
    s.splice(i, 0, start);
    e.splice(i, 0, start + hold);
    const spin = start - at;
    if (spin > 0) {
      this.spinNs += spin;
      this.contended++;
    }
    return spin;
  }

  /** Holds booked and not yet ended at `now` (for tests). */
  pending(now: number): number {
    this.prune(now);
    return this.starts.length - this.head;
  }

  private prune(now: number): void {
    const e = this.ends;
    let h = this.head;
    while (h < e.length && e[h]! <= now) h++;
    // Drop ended entries in one splice now and then, not per call.
    if (h > 256) {
      this.starts.splice(0, h);
      e.splice(0, h);
      h = 0;
    }
    this.head = h;
  }
}
