/** The bounded Levenberg–Marquardt of `eaddbench fit` on problems whose minimum is known. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levenbergMarquardt, solve, type LsqProblem } from '../../bench/fit/least-squares.js';

/** A problem from a residual function, its Jacobian by central differences. */
function problem(f: (x: readonly number[]) => number[], lo: number[], hi: number[]): LsqProblem {
  return {
    lo,
    hi,
    async residualsAndJacobian(x) {
      const r = f(x);
      const J = r.map(() => x.map(() => 0));
      x.forEach((_, i) => {
        const h = 1e-6;
        const up = f(x.map((v, k) => (k === i ? v + h : v)));
        const dn = f(x.map((v, k) => (k === i ? v - h : v)));
        up.forEach((u, j) => (J[j]![i] = (u - dn[j]!) / (2 * h)));
      });
      return { r, J };
    },
    async residuals(xs) {
      return xs.map(f);
    },
  };
}

test('solve: a 3×3 system with a known solution; a singular one gives null', () => {
  const x = solve(
    [
      [2, 1, -1],
      [-3, -1, 2],
      [-2, 1, 2],
    ],
    [8, -11, -3],
  )!;
  [2, 3, -1].forEach((v, i) => assert.ok(Math.abs(x[i]! - v) < 1e-12));
  assert.equal(
    solve(
      [
        [1, 2],
        [2, 4],
      ],
      [1, 2],
    ),
    null,
  );
});

test('linear least squares: the fit of y = 2 + 3t to exact data returns (2, 3)', async () => {
  const t = [0, 1, 2, 3, 4];
  const f = (x: readonly number[]) => t.map((ti) => x[0]! + x[1]! * ti - (2 + 3 * ti));
  const r = await levenbergMarquardt(problem(f, [-10, -10], [10, 10]), [0, 0]);
  assert.ok(Math.abs(r.x[0]! - 2) < 1e-6 && Math.abs(r.x[1]! - 3) < 1e-6, JSON.stringify(r.x));
});

test('Rosenbrock as residuals (10(y − x²), 1 − x): minimum at (1, 1) from (−1.2, 1)', async () => {
  const f = (x: readonly number[]) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!];
  const r = await levenbergMarquardt(problem(f, [-5, -5], [5, 5]), [-1.2, 1], { maxIterations: 200, tolerance: 1e-14 });
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-4 && Math.abs(r.x[1]! - 1) < 1e-4, JSON.stringify(r.x));
});

test('bounds: the unconstrained minimum x = 5 lies outside [0, 2]: the fit stops at the bound 2', async () => {
  const f = (x: readonly number[]) => [x[0]! - 5];
  const r = await levenbergMarquardt(problem(f, [0], [2]), [1]);
  assert.equal(r.x[0], 2);
});
