/**
 * Metric collection for one case: exact samples up to a bound, then a log-linear histogram
 * (relative error below 1 %), so per-page samples of a 64 GiB build stay small. Pure and
 * deterministic: percentiles are nearest-rank.
 */

const EXACT_LIMIT = 1 << 17;
const SUB = 128; // sub-buckets per power of two
/** Powers of two above SUB the histogram covers: values up to 128 · 2^56 ns (far beyond any case). */
const MAX_EXP = 56;
const BUCKETS = SUB + (MAX_EXP + 1) * SUB;

export class Samples {
  private exact: Float64Array | null = new Float64Array(256);
  private n = 0;
  /** Counts per bucket (a dense array: a few thousand buckets, cheaper than a Map per sample). */
  private hist: Float64Array | null = null;
  private _max = 0;
  private _sum = 0;

  get count(): number {
    return this.n;
  }
  get max(): number {
    return this._max;
  }
  get mean(): number {
    return this.n === 0 ? 0 : this._sum / this.n;
  }

  add(v: number): void {
    this.n++;
    this._sum += v;
    if (v > this._max) this._max = v;
    if (this.exact !== null) {
      if (this.n > this.exact.length) {
        if (this.n > EXACT_LIMIT) {
          this.toHistogram();
          this.bucketAdd(v);
          return;
        }
        const grown = new Float64Array(this.exact.length * 2);
        grown.set(this.exact);
        this.exact = grown;
      }
      this.exact[this.n - 1] = v;
      return;
    }
    this.bucketAdd(v);
  }

  private toHistogram(): void {
    this.hist = new Float64Array(BUCKETS);
    const ex = this.exact as Float64Array;
    for (let i = 0; i < this.n - 1; i++) this.bucketAdd(ex[i]!);
    this.exact = null;
  }

  private bucketAdd(v: number): void {
    (this.hist as Float64Array)[bucketOf(v)]! += 1;
  }

  /** Nearest-rank percentile (q in 0..100); 0 when empty. */
  percentile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((q / 100) * this.n));
    if (this.exact !== null) {
      const sorted = this.exact.slice(0, this.n).sort();
      return sorted[rank - 1]!;
    }
    const h = this.hist as Float64Array;
    let seen = 0;
    for (let k = 0; k < h.length; k++) {
      seen += h[k]!;
      if (seen >= rank) return Math.min(valueAt(k), this._max);
    }
    return this._max;
  }
}

/** 2^e for e in 0..MAX_EXP: a table lookup instead of `2 ** e` on every sample (exact either way). */
const POW2 = Float64Array.from({ length: MAX_EXP + 1 }, (_, e) => 2 ** e);

function bucketOf(v: number): number {
  if (v < SUB) return Math.floor(v);
  const q = v / SUB;
  // floor(log2(q)) from the bit length when q fits 32 bits (every ns value below ~9 minutes).
  const e = Math.min(MAX_EXP, q < 4294967296 ? 31 - Math.clz32(q) : Math.floor(Math.log2(q)));
  const step = POW2[e]!; // the bucket width, base / SUB
  return SUB + e * SUB + Math.floor((v - SUB * step) / step);
}

function valueAt(k: number): number {
  if (k < SUB) return k;
  const e = Math.floor((k - SUB) / SUB);
  const base = SUB * 2 ** e;
  return base + (k - SUB - e * SUB + 0.5) * (base / SUB);
}

/** A time-weighted level (queue depth): max and mean over [0, end]. */
export class Level {
  private value = 0;
  private since = 0;
  private area = 0;
  maxValue = 0;

  change(now: number, delta: number): void {
    this.area += this.value * (now - this.since);
    this.since = now;
    this.value += delta;
    if (this.value > this.maxValue) this.maxValue = this.value;
  }

  get current(): number {
    return this.value;
  }

  mean(end: number): number {
    const area = this.area + this.value * (end - this.since);
    return end > 0 ? area / end : 0;
  }
}

/** Everything one case records. */
export class CaseMetrics {
  readonly buildTimes = new Samples();
  readonly ioctl = new Samples();
  readonly ready = new Samples();
  readonly clientReady = new Samples();
  readonly mmapWait = new Samples();
  readonly mutexWait = new Samples();
  readonly app = new Samples();
  readonly ecreate = new Samples();
  readonly einit = new Samples();
  readonly teardown = new Samples();
  /** Destroy phase (`destroy` op): its start to the enclave's release done, per enclave. */
  readonly destroy = new Samples();
  /** First ECREATE ioctl to the release done, per destroyed enclave. */
  readonly lifecycle = new Samples();
  readonly queue = new Level();
  workerBusy = 0;
  workers = 0;
  /** EWBs (SECS included) and ELDUs (SECS reloads included). */
  evictions = 0;
  eldu = 0;
  /** Of those, the SECS write-backs and reloads (kernel/secs.ts; not a reported metric). */
  secsEvictions = 0;
  secsReloads = 0;
  ipis = 0;
  /** Add ioctls that ended in ENOMEM. */
  enomem = 0;
  /** Bytes of shmem backing the enclaves hold now, and the most at any time. */
  backingNow = 0;
  backingMax = 0;
  vaPages = 0;
  reclaimNs = 0;
  ebusy = 0;
  pagesAdded = 0;
  firstStart = Infinity;
  lastPageDone = 0;
  /** Pages per built enclave (for per_page_time). */
  pagesPerBuild = new Samples();
}
