/**
 * The event heap: a binary min-heap ordered by (time, key), where the caller packs
 * (priority, insertion sequence) into one float64 `key` (see Environment.schedule).
 *
 * Why parallel typed arrays: the hot path of the simulator is one push and one pop per
 * event. Keeping the two sort keys in Float64Arrays avoids an entry object per event and
 * keeps comparisons on unboxed doubles; the payloads sit in a plain array alongside.
 */
export class EventHeap<E> {
  private times: Float64Array;
  private keys: Float64Array;
  private items: Array<E | undefined>;
  private n = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity | 0);
    this.times = new Float64Array(cap);
    this.keys = new Float64Array(cap);
    this.items = new Array<E | undefined>(cap).fill(undefined);
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
    if (this.n === this.times.length) this.grow();
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    // Sift the hole up from the end, then drop the new entry in.
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (keys[parent] as number) < key)) break;
      times[i] = pt;
      keys[i] = keys[parent] as number;
      items[i] = items[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
    items[i] = item;
  }

  /** Removes and returns the smallest entry's item. Caller must check size > 0 first. */
  pop(): E {
    const times = this.times;
    const keys = this.keys;
    const items = this.items;
    const top = items[0] as E;
    const last = --this.n;
    if (last === 0) {
      items[0] = undefined;
      return top;
    }
    const time = times[last] as number;
    const key = keys[last] as number;
    const item = items[last];
    items[last] = undefined;
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
      items[i] = items[c];
      i = c;
    }
    times[i] = time;
    keys[i] = key;
    items[i] = item;
    return top;
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    const k = new Float64Array(cap);
    k.set(this.keys);
    this.times = t;
    this.keys = k;
    const items = this.items;
    for (let i = items.length; i < cap; i++) items.push(undefined);
  }
}
