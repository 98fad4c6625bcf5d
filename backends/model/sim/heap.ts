/**
 * The event heap: a binary min-heap ordered by (time, key), where the caller packs
 * (priority, insertion sequence) into one float64 `key` (see Environment.schedule).
 *
 * Why this layout: the hot path of the simulator is one push and one pop per event, and a
 * pop sifts through ~log2(n) levels. Entries are three parallel typed arrays (time, key,
 * slot), so sifting moves only unboxed numbers: no entry object per event and no pointer
 * stores (each pointer store into a JS array pays a GC write barrier). The payloads stay
 * put in `items`, addressed by slot; freed slots are reused from a stack.
 */
export class EventHeap<E> {
  private times: Float64Array;
  private keys: Float64Array;
  private slots: Int32Array;
  private items: Array<E | undefined>;
  private free: Int32Array; // stack of unused slots
  private nFree: number;
  private n = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.keys = new Float64Array(cap);
    this.slots = new Int32Array(cap);
    this.items = new Array<E | undefined>(cap).fill(undefined);
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.nFree = cap;
  }

  get size(): number {
    return this.n;
  }

  /** Time of the smallest entry, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? (this.times[0] as number) : Infinity;
  }

  /** Key of the smallest entry; only meaningful when size > 0. */
  peekKey(): number {
    return this.keys[0] as number;
  }

  push(time: number, key: number, item: E): void {
    if (this.nFree === 0) this.grow();
    const slot = this.free[--this.nFree] as number;
    this.items[slot] = item;
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    // Sift the hole up from the end, then drop the new entry in.
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (keys[parent] as number) < key)) break;
      times[i] = pt;
      keys[i] = keys[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
    slots[i] = slot;
  }

  /** Removes and returns the smallest entry's item. Caller must check size > 0 first. */
  pop(): E {
    const times = this.times;
    const keys = this.keys;
    const slots = this.slots;
    const topSlot = slots[0] as number;
    const top = this.items[topSlot] as E;
    this.items[topSlot] = undefined;
    this.free[this.nFree++] = topSlot;
    const last = --this.n;
    if (last > 0) {
      const time = times[last] as number;
      const key = keys[last] as number;
      const slot = slots[last] as number;
      // Sift the hole down from the root, then drop the former last entry in.
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let c = 2 * i + 1;
        let ct = times[c] as number;
        let ck = keys[c] as number;
        const r = c + 1;
        if (r < last) {
          const rt = times[r] as number;
          const rk = keys[r] as number;
          if (rt < ct || (rt === ct && rk < ck)) {
            c = r;
            ct = rt;
            ck = rk;
          }
        }
        if (time < ct || (time === ct && key < ck)) break;
        times[i] = ct;
        keys[i] = ck;
        slots[i] = slots[c] as number;
        i = c;
      }
      times[i] = time;
      keys[i] = key;
      slots[i] = slot;
    }
    return top;
  }

  private grow(): void {
    const old = this.times.length;
    const cap = old * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const k = new Float64Array(cap);
    k.set(this.keys);
    const s = new Int32Array(cap);
    s.set(this.slots);
    this.times = t;
    this.keys = k;
    this.slots = s;
    for (let i = old; i < cap; i++) this.items.push(undefined);
    // All old slots are in use (the stack was empty); the new ones are free.
    const free = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) free[i] = cap - 1 - i;
    this.free = free;
    this.nFree = cap - old;
  }
}
