/**
 * Cost draws: the uncertainty of a profile's costs as N cost vectors (`run --draws N`).
 *
 * Latin hypercube sampling (McKay, Beckman & Conover, "A comparison of three methods for
 * selecting values of input variables in the analysis of output from a computer code",
 * Technometrics 21(2), 1979): each cost's range is cut into N strata of equal probability and
 * every stratum is used by exactly one draw, in an order shuffled independently per cost. Within
 * a cost's `[low, high]` the draws are log-uniform (uniform in ln value): a range like 50–800 ns
 * is a factor of uncertainty, not an additive error.
 *
 * Draw 0 is the nominal profile; draws 1..N are the sampled vectors. The vectors depend only on
 * (seed, N, the ranges): never on the designs, workloads, shards or pool size of a run, so the
 * same draw index means the same cost vector for every case and comparisons are paired. Each
 * cost has its own stream (`Prng(seed, "cost-draws").fork(cost)`), so adding a cost to the
 * profile does not move the draws of the others.
 */
import { Prng } from './sim/prng.js';
import { COST_FIELDS } from './profiles.js';
import type { ProfileData } from '../types.js';

/** Most draws one run may ask for (each draw is a full copy of the sweep). */
export const MAX_DRAWS = 1000;

export interface Range {
  readonly key: string;
  readonly low: number;
  readonly high: number;
}

/** One sampled cost vector: cost name → value (ns). */
export type CostVector = Readonly<Record<string, number>>;

/** A uniformly random permutation of 0..n-1 (Fisher–Yates, Durstenfeld's form). */
function permutation(rng: Prng, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * The N sampled vectors (index 0 of the result is draw 1). Each cost's values fall one in each
 * of the N log-equal strata of `[low, high]`; a cost with low = high takes that value.
 */
export function latinHypercube(seed: number, n: number, ranges: readonly Range[]): CostVector[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DRAWS) throw new RangeError(`latinHypercube: n must be an integer from 0 to ${MAX_DRAWS}, got ${n}`);
  const root = new Prng(seed, 'cost-draws');
  const columns = ranges.map((r) => {
    if (!(r.low > 0 && r.low <= r.high && Number.isFinite(r.high)))
      throw new RangeError(`latinHypercube: cost '${r.key}' needs 0 < low ≤ high, got ${r.low}–${r.high}`);
    const rng = root.fork(r.key);
    const strata = permutation(rng, n);
    const lnLow = Math.log(r.low);
    const span = Math.log(r.high) - lnLow;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = (strata[i]! + rng.next()) / n;
      // exp(ln) can land one ulp outside the range; the range is the contract.
      out[i] = Math.min(r.high, Math.max(r.low, Math.exp(lnLow + u * span)));
    }
    return out;
  });
  const vectors: CostVector[] = [];
  for (let i = 0; i < n; i++) vectors.push(Object.fromEntries(ranges.map((r, k) => [r.key, columns[k]![i]!])));
  return vectors;
}

/** The ranges of a profile's costs in COST_FIELDS order, or the first cost without one. */
export function costRanges(data: ProfileData): { readonly ranges: readonly Range[] } | { readonly missing: string } {
  const costs = data['costs'] as Record<string, { low?: unknown; high?: unknown }>;
  const ranges: Range[] = [];
  for (const def of COST_FIELDS) {
    const c = costs[def.key];
    const low = c?.low;
    const high = c?.high;
    if (typeof low !== 'number' || typeof high !== 'number') return { missing: def.key };
    ranges.push({ key: def.key, low, high });
  }
  return { ranges };
}

/** The profile document with each cost's `value` replaced by the vector's (other fields kept). */
export function withCosts(data: ProfileData, vector: CostVector): ProfileData {
  const costs = data['costs'] as Record<string, Record<string, unknown>>;
  const next: Record<string, Record<string, unknown>> = {};
  for (const [key, entry] of Object.entries(costs)) next[key] = key in vector ? { ...entry, value: vector[key] } : entry;
  return { ...data, costs: next };
}

/**
 * The profile documents of draws 0..n: index 0 is `data` itself, index d the d-th sampled
 * vector. Throws RangeError naming the first cost without a range.
 */
export function drawProfiles(
  data: ProfileData,
  seed: number,
  n: number,
): { readonly profiles: readonly ProfileData[]; readonly vectors: readonly CostVector[] } {
  if (n === 0) return { profiles: [data], vectors: [] };
  const r = costRanges(data);
  if ('missing' in r) throw new RangeError(`cost '${r.missing}' has no range (low and high)`);
  const vectors = latinHypercube(seed, n, r.ranges);
  return { profiles: [data, ...vectors.map((v) => withCosts(data, v))], vectors };
}
