/**
 * Bounded Levenberg–Marquardt for small problems (tens of variables): minimises ½‖r(x)‖² with
 * lo ≤ x ≤ hi, the Jacobian given by the caller (the fit computes it by finite differences in
 * batches, so every model run of one Jacobian goes through the pool at once). Steps that leave
 * the box are projected back onto it; a variable at a bound whose gradient points outwards is
 * frozen for that step.
 */

export interface LsqProblem {
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  /** Residuals and their Jacobian (rows: residuals, columns: variables) at x. */
  residualsAndJacobian(x: readonly number[]): Promise<{ r: number[]; J: number[][] }>;
  /** Residuals alone at each x (to judge trial steps; evaluated together). */
  residuals(xs: readonly (readonly number[])[]): Promise<number[][]>;
}

export interface LsqResult {
  readonly x: number[];
  readonly cost: number;
  readonly iterations: number;
  /** J at the solution (for the covariance and the identifiability check). */
  readonly J: number[][];
  readonly r: number[];
}

export const half = (r: readonly number[]): number => 0.5 * r.reduce((s, v) => s + v * v, 0);

/** Solves A x = b (A square) by Gaussian elimination with partial pivoting; null when singular. */
export function solve(A: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[p]![c]!)) p = i;
    if (Math.abs(m[p]![c]!) < 1e-300) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = m[i]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let j = c; j <= n; j++) m[i]![j]! -= f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** JᵀJ and Jᵀr. */
export function normal(J: readonly (readonly number[])[], r: readonly number[]): { JtJ: number[][]; Jtr: number[] } {
  const n = J[0]?.length ?? 0;
  const JtJ = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const Jtr = new Array<number>(n).fill(0);
  for (let k = 0; k < J.length; k++) {
    const row = J[k]!;
    for (let i = 0; i < n; i++) {
      Jtr[i]! += row[i]! * r[k]!;
      for (let j = 0; j < n; j++) JtJ[i]![j]! += row[i]! * row[j]!;
    }
  }
  return { JtJ, Jtr };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * Broyden's rank-one update of J after the step d = x' − x with residuals r → r':
 * J + (r' − r − J d) dᵀ / dᵀd, so that J' d = r' − r. No new evaluation of the residuals.
 */
export function broyden(J: readonly (readonly number[])[], d: readonly number[], r: readonly number[], rNext: readonly number[]): number[][] {
  const dd = d.reduce((s, v) => s + v * v, 0);
  if (!(dd > 0)) return J.map((row) => [...row]);
  return J.map((row, k) => {
    const u = rNext[k]! - r[k]! - row.reduce((s, v, i) => s + v * d[i]!, 0);
    return row.map((v, i) => v + (u * d[i]!) / dd);
  });
}

/**
 * `jacobianEvery` N > 1: the caller's Jacobian is taken at the start and after every N-th
 * accepted step; in between, Broyden updates stand in for it (one trial batch per iteration
 * instead of a trial batch and a Jacobian). A failed step or convergence with an updated J
 * takes a fresh one first, so the result (and the J returned) is that of a real Jacobian.
 */
export async function levenbergMarquardt(
  p: LsqProblem,
  x0: readonly number[],
  opts: { maxIterations?: number; tolerance?: number; jacobianEvery?: number } = {},
): Promise<LsqResult> {
  const maxIt = opts.maxIterations ?? 30;
  const tol = opts.tolerance ?? 1e-6;
  const every = Math.max(1, Math.floor(opts.jacobianEvery ?? 1));
  let x = x0.map((v, i) => clamp(v, p.lo[i]!, p.hi[i]!));
  let { r, J } = await p.residualsAndJacobian(x);
  // Accepted steps since J was last taken for real (0: J is the caller's own).
  let sinceJacobian = 0;
  let cost = half(r);
  let lambda = 1e-2;
  let it = 0;
  for (; it < maxIt; it++) {
    const { JtJ, Jtr } = normal(J, r);
    const n = x.length;
    // Variables held at a bound by the gradient do not move in this step.
    const free = x.map((v, i) => !((v <= p.lo[i]! && Jtr[i]! > 0) || (v >= p.hi[i]! && Jtr[i]! < 0)));
    // Three damping levels tried together (one pool batch): the best that lowers the cost wins.
    const lambdas = [lambda, lambda * 10, lambda * 100];
    const trials: number[][] = [];
    for (const l of lambdas) {
      const A = JtJ.map((row, i) => row.map((v, j) => (free[i] && free[j] ? v + (i === j ? l * (v + 1e-12) : 0) : i === j ? 1 : 0)));
      const b = Jtr.map((v, i) => (free[i] ? -v : 0));
      const d = solve(A, b) ?? new Array<number>(n).fill(0);
      trials.push(x.map((v, i) => clamp(v + d[i]!, p.lo[i]!, p.hi[i]!)));
    }
    const rs = await p.residuals(trials);
    let best = -1;
    for (let k = 0; k < trials.length; k++) if (half(rs[k]!) < cost && (best < 0 || half(rs[k]!) < half(rs[best]!))) best = k;
    if (best < 0) {
      if (sinceJacobian > 0) {
        // The updated J may be what failed: take a real one before damping harder.
        ({ r, J } = await p.residualsAndJacobian(x));
        sinceJacobian = 0;
        continue;
      }
      lambda *= 1000;
      if (lambda > 1e8) break;
      continue;
    }
    const next = half(rs[best]!);
    const step = Math.max(...trials[best]!.map((v, i) => Math.abs(v - x[i]!)));
    const prev = x;
    x = trials[best]!;
    lambda = Math.max(1e-7, lambdas[best]! / 10);
    const improved = (cost - next) / Math.max(cost, 1e-300);
    const converged = improved < tol || step < 1e-9;
    sinceJacobian++;
    if (converged || sinceJacobian >= every) {
      ({ r, J } = await p.residualsAndJacobian(x));
      sinceJacobian = 0;
    } else {
      J = broyden(
        J,
        x.map((v, i) => v - prev[i]!),
        r,
        rs[best]!,
      );
      r = rs[best]!;
    }
    cost = half(r);
    if (converged) {
      it++;
      break;
    }
  }
  if (sinceJacobian > 0) ({ r, J } = await p.residualsAndJacobian(x));
  return { x, cost: half(r), iterations: it, J, r };
}
