/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, "Scrambled linear
 * pseudorandom number generators", 2021; prng.di.unimi.it) with its 128-bit state filled
 * by splitmix32-style mixing of (seed, stream label). Never seeded from a clock: the seed
 * is a required argument, so every run is reproducible.
 *
 * A stream label gives an independent sub-stream: Prng(seed, "arrivals") and
 * Prng(seed, "service") do not share draws, and fork(label) derives a child from the
 * seed and the label path alone (not from how many draws the parent has made).
 */
export class Prng {
  readonly seed: number;
  readonly stream: string;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`Prng: seed must be a safe integer >= 0, got ${seed}`);
    this.seed = seed;
    this.stream = stream;
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    // Two independent 32-bit accumulators give 64 bits of (seed, label) entropy.
    let a = mix32(lo ^ 0x6a09e667);
    a = mix32(a ^ hi);
    a = mix32(a ^ fnv1a(stream, 0x811c9dc5));
    let b = mix32(hi ^ 0xbb67ae85);
    b = mix32(b ^ lo);
    b = mix32(b ^ fnv1a(stream, 0x01000193));
    this.s0 = mix32(a + 0x9e3779b9);
    this.s1 = mix32(b + 0x3c6ef372);
    this.s2 = mix32((a ^ b) + 0xdaa66d2b);
    this.s3 = mix32(a + b + 0x78dde6e4);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator with the given raw xoshiro128** state (for known-answer tests). */
  static fromState(state: readonly [number, number, number, number]): Prng {
    const g = new Prng(0, 'raw-state');
    [g.s0, g.s1, g.s2, g.s3] = state.map((x) => x | 0) as [number, number, number, number];
    return g;
  }

  /** Next 32 random bits as an unsigned integer. */
  uint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = rotl(n3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  next(): number {
    const a = this.uint32() >>> 5; // 27 bits
    const b = this.uint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling) for n <= 2^32. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Prng.int: n must be a safe integer >= 1, got ${n}`);
    if (n > 2 ** 32) return Math.floor(this.next() * n);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /** Exponentially distributed delay in ns for a rate in events per ns (mean 1/rate). Not rounded. */
  exponential(ratePerNs: number): number {
    if (!(ratePerNs > 0 && ratePerNs !== Infinity)) throw new RangeError(`Prng.exponential: rate must be > 0 per ns, got ${ratePerNs}`);
    return -Math.log(1 - this.next()) / ratePerNs;
  }

  /** An independent generator for the sub-stream `label`, derived from the seed and stream path only. */
  fork(label: string): Prng {
    return new Prng(this.seed, this.stream === '' ? label : `${this.stream}/${label}`);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit finalizer (the murmur3/splitmix32 family of xorshift-multiply mixers). */
function mix32(x: number): number {
  x |= 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) | 0;
}

/** FNV-1a over UTF-16 code units, with a caller-chosen offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
