/** The bounded Levenberg–Marquardt of `eaddbench fit` on problems whose minimum is known. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broyden, levenbergMarquardt, solve, type LsqProblem } from '../../bench/fit/least-squares.js';

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

test('broyden: the updated Jacobian satisfies the secant condition J′d = r′ − r, and is exact on a linear problem', () => {
  const J = [
    [1, 2],
    [3, 4],
    [0, 1],
  ];
  const d = [0.5, -0.25];
  const r = [1, 2, 3];
  const rNext = [2, 0, 5];
  const U = broyden(J, d, r, rNext);
  U.forEach((row, k) => assert.ok(Math.abs(row[0]! * d[0]! + row[1]! * d[1]! - (rNext[k]! - r[k]!)) < 1e-12, `row ${k}`));
  // r = A x − b is linear: the true J is A, and an update along any step leaves it A.
  const A = [
    [2, -1],
    [1, 3],
  ];
  const at = (x: readonly number[]) => A.map((row) => row[0]! * x[0]! + row[1]! * x[1]! - 1);
  const same = broyden(A, [0.3, 0.7], at([0, 0]), at([0.3, 0.7]));
  same.forEach((row, k) => row.forEach((v, i) => assert.ok(Math.abs(v - A[k]![i]!) < 1e-12)));
});

test('jacobianEvery: Broyden steps between Jacobians reach the same minima (Rosenbrock, a bound) with fewer Jacobians', async () => {
  const counted = (f: (x: readonly number[]) => number[], lo: number[], hi: number[]) => {
    const p = problem(f, lo, hi);
    const c = { n: 0 };
    return {
      c,
      p: {
        ...p,
        async residualsAndJacobian(x: readonly number[]) {
          c.n++;
          return p.residualsAndJacobian(x);
        },
      },
    };
  };
  const rosen = (x: readonly number[]) => [10 * (x[1]! - x[0]! ** 2), 1 - x[0]!];
  const every1 = counted(rosen, [-5, -5], [5, 5]);
  const every3 = counted(rosen, [-5, -5], [5, 5]);
  const a = await levenbergMarquardt(every1.p, [-1.2, 1], { maxIterations: 200, tolerance: 1e-14 });
  const b = await levenbergMarquardt(every3.p, [-1.2, 1], { maxIterations: 400, tolerance: 1e-14, jacobianEvery: 3 });
  for (const r of [a, b]) assert.ok(Math.abs(r.x[0]! - 1) < 1e-4 && Math.abs(r.x[1]! - 1) < 1e-4, JSON.stringify(r.x));
  assert.ok(every3.c.n < every1.c.n, `Jacobians: ${every3.c.n} with updates vs ${every1.c.n} without`);
  // The J returned is a real one at the solution.
  const real = await problem(rosen, [-5, -5], [5, 5]).residualsAndJacobian(b.x);
  b.J.forEach((row, k) => row.forEach((v, i) => assert.ok(Math.abs(v - real.J[k]![i]!) < 1e-6)));
  const bound = await levenbergMarquardt(
    problem((x) => [x[0]! - 5, 0.1 * (x[0]! - 5) ** 2], [0], [2]),
    [1],
    { jacobianEvery: 3 },
  );
  assert.equal(bound.x[0], 2);
});
