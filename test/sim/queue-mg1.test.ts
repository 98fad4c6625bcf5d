import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateQueue, closedForm } from './queueing.js';

// Long runs against Pollaczek–Khinchine. Mean service 1 µs, ρ = 0.5. With 1.5 M customers the
// run-to-run spread of the mean wait (measured over 6 seeds) is ≈ 0.5 % (one sd), so the 2 %
// tolerance sits near 4 sd: a correct core passes for any seed, a wrong queue order or clock
// does not. Seeds are fixed, so the figures below are reproducible to the last digit.
const MEAN_S = 1000; // ns
const MU = 1 / MEAN_S;
const RHO = 0.5;
const LAMBDA = RHO * MU;
const CUSTOMERS = 1_500_000;
const SEED = 2024;

function relErr(x: number, ref: number): number {
  return x / ref - 1;
}

test('M/M/1: mean wait and utilization within 2 % of Pollaczek–Khinchine', (t) => {
  const r = simulateQueue({ seed: SEED, lambda: LAMBDA, c: 1, customers: CUSTOMERS, service: (g) => g.exponential(MU) });
  const wq = closedForm.mg1Wq(LAMBDA, MEAN_S, 2 * MEAN_S * MEAN_S); // E[S²] = 2/μ² → ρ/(μ−λ) = 1000 ns
  t.diagnostic(`M/M/1 rho=${RHO}: Wq ${r.meanWait.toFixed(2)} ns (model) vs ${wq} ns; utilization ${r.utilization.toFixed(4)} vs ${RHO}`);
  assert.ok(Math.abs(relErr(r.meanWait, wq)) < 0.02, `Wq ${r.meanWait} vs ${wq}`);
  assert.ok(Math.abs(relErr(r.utilization, RHO)) < 0.02, `utilization ${r.utilization}`);
});

test('M/D/1: mean wait and utilization within 2 % of Pollaczek–Khinchine', (t) => {
  const r = simulateQueue({ seed: SEED, lambda: LAMBDA, c: 1, customers: CUSTOMERS, service: () => MEAN_S });
  const wq = closedForm.mg1Wq(LAMBDA, MEAN_S, MEAN_S * MEAN_S); // half the M/M/1 wait: 500 ns
  t.diagnostic(`M/D/1 rho=${RHO}: Wq ${r.meanWait.toFixed(2)} ns (model) vs ${wq} ns; utilization ${r.utilization.toFixed(4)} vs ${RHO}`);
  assert.ok(Math.abs(relErr(r.meanWait, wq)) < 0.02, `Wq ${r.meanWait} vs ${wq}`);
  assert.ok(Math.abs(relErr(r.utilization, RHO)) < 0.02, `utilization ${r.utilization}`);
});
