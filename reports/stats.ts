/**
 * Pure statistics for the regression gate (criterion.rs keeps these apart from everything
 * else, and so do we): a seeded PRNG, medians, a percentile-bootstrap confidence interval of
 * the relative change in the median, and the Mann–Whitney U rank test.
 *
 * Reference values in test/reports/stats.test.ts come from SciPy 1.17
 * (`scipy.stats.mannwhitneyu`, `scipy.stats.norm.sf`).
 */
import { mulberry32 } from '../common/prng.js';

/** Numbers sorted ascending; the brand keeps unsorted arrays out of order statistics. */
export type Sorted = readonly number[] & { readonly __sorted: true };

export function sorted(xs: readonly number[]): Sorted {
  return [...xs].sort((a, b) => a - b) as unknown as Sorted;
}

/** Linear-interpolation quantile (NumPy's default, type 7); q in [0, 1]. NaN when empty. */
export function quantile(xs: Sorted, q: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

export function median(xs: Sorted): number {
  return quantile(xs, 0.5);
}

/** new / base − 1, with 0/0 = 0 and x/0 = ±Infinity (a metric that appears from nothing). */
export function relativeChange(base: number, next: number): number {
  if (base === 0) return next === 0 ? 0 : next > 0 ? Infinity : -Infinity;
  return next / base - 1;
}

export interface Interval {
  readonly lower: number;
  readonly estimate: number;
  readonly upper: number;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 10000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly confidence?: number;
  /** PRNG seed (default 0x5eed); fixed so the gate's output is reproducible. */
  readonly seed?: number;
}

/**
 * Percentile-bootstrap interval of the relative change of the median, median(next)/median(base) − 1:
 * both samples are resampled independently with replacement.
 */
export function bootstrapMedianChange(base: readonly number[], next: readonly number[], opts: BootstrapOptions = {}): Interval {
  if (base.length === 0 || next.length === 0) throw new RangeError('bootstrapMedianChange needs two non-empty samples');
  const resamples = opts.resamples ?? 10000;
  const confidence = opts.confidence ?? 0.95;
  const rand = mulberry32(opts.seed ?? 0x5eed);
  const estimate = relativeChange(median(sorted(base)), median(sorted(next)));
  const changes = new Float64Array(resamples);
  const bufA = new Float64Array(base.length);
  const bufB = new Float64Array(next.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < base.length; i++) bufA[i] = base[Math.floor(rand() * base.length)]!;
    for (let i = 0; i < next.length; i++) bufB[i] = next[Math.floor(rand() * next.length)]!;
    bufA.sort();
    bufB.sort();
    changes[r] = relativeChange(typedMedian(bufA), typedMedian(bufB));
  }
  changes.sort();
  const alpha = (1 - confidence) / 2;
  const cs = Array.from(changes) as unknown as Sorted;
  return { lower: quantile(cs, alpha), estimate, upper: quantile(cs, 1 - alpha) };
}

function typedMedian(xs: Float64Array): number {
  const n = xs.length;
  const mid = n >> 1;
  return n % 2 === 1 ? xs[mid]! : (xs[mid - 1]! + xs[mid]!) / 2;
}

/** Complementary error function; Numerical Recipes' erfcc, fractional error < 1.2e-7. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the standard normal distribution, P(Z > z). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

export interface RankTest {
  /** U of the first sample: its rank sum minus n1(n1+1)/2. */
  readonly u: number;
  /** Two-sided p-value. */
  readonly p: number;
  readonly method: 'exact' | 'asymptotic';
}

/**
 * Two-sided Mann–Whitney U test, choosing the method as SciPy's `method='auto'` does: the exact
 * distribution when a sample has at most 8 values and there are no ties, otherwise the normal
 * approximation with tie correction and continuity correction.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): RankTest {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');
  const all = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))].sort((a, b) => a.v - b.v);
  const n = n1 + n2;
  let rankSum = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.first) rankSum += rank;
    i = j + 1;
  }
  const u1 = rankSum - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  if (Math.min(n1, n2) <= 8 && tieTerm === 0) {
    return { u: u1, p: Math.min(1, 2 * exactUpperTail(n1, n2, u)), method: 'exact' };
  }
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return { u: u1, p: 1, method: 'asymptotic' };
  const z = (u - mu - 0.5) / sigma;
  return { u: u1, p: Math.min(1, 2 * normalSf(z)), method: 'asymptotic' };
}

/** P(U ≥ u) under the null for sample sizes m, n without ties, by counting rank arrangements. */
function exactUpperTail(m: number, n: number, u: number): number {
  // counts[k] = number of ways U = k; built by adding one value of the first sample at a time
  // (the recurrence f(m, n, k) = f(m−1, n, k−n) + f(m, n−1, k)).
  const maxU = m * n;
  let prev: number[][] = [];
  // f(0, j, k) = 1 if k = 0.
  for (let j = 0; j <= n; j++) prev.push([1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const row = new Array<number>(i * j + 1).fill(0);
      const a = prev[j]!; // f(i−1, j, ·) shifted by j
      const b = cur[j - 1]!; // f(i, j−1, ·)
      for (let k = 0; k < a.length; k++) row[k + j]! += a[k]!;
      for (let k = 0; k < b.length; k++) row[k]! += b[k]!;
      cur.push(row);
    }
    prev = cur;
  }
  const counts = prev[n]!;
  let total = 0;
  let tail = 0;
  for (let k = 0; k <= maxU; k++) {
    const c = counts[k] ?? 0;
    total += c;
    if (k >= u) tail += c;
  }
  return tail / total;
}

export type ChangeVerdict = 'improved' | 'regressed' | 'within noise';

/**
 * criterion.rs' rule: a change counts only when the rank test rejects "no difference" (p < alpha)
 * AND the whole interval of the relative change lies beyond the noise threshold; its sign and
 * the metric's better direction then say improved or regressed.
 */
export function changeVerdict(ci: Interval, p: number, noise: number, better: 'higher' | 'lower', alpha = 0.05): ChangeVerdict {
  if (!(p < alpha)) return 'within noise';
  const up = ci.lower > noise;
  const down = ci.upper < -noise;
  if (!up && !down) return 'within noise';
  return up === (better === 'higher') ? 'improved' : 'regressed';
}

/** Deterministic (model) rows: any change beyond the threshold in the bad direction regresses. */
export function thresholdVerdict(change: number, threshold: number, better: 'higher' | 'lower'): ChangeVerdict {
  if (Math.abs(change) <= threshold) return 'within noise';
  return change > 0 === (better === 'higher') ? 'improved' : 'regressed';
}

/** The p5–p95 spread of a sample (type-7 quantiles), with its size. */
export interface Spread {
  readonly p5: number;
  readonly p95: number;
  readonly n: number;
}

export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = sorted(xs);
  return { p5: quantile(s, 0.05), p95: quantile(s, 0.95), n: xs.length };
}

/** Average ranks (1-based; tied values share the mean of their ranks). */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(xs.length).fill(0);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.v === order[i]!.v) j++;
    for (let k = i; k <= j; k++) out[order[k]!.i] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Pearson's correlation; NaN when either sample is constant or they differ in length. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n !== y.length || n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation (Pearson's on average ranks, as scipy.stats.spearmanr). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}
