import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateQueue, closedForm } from './queueing.js';

// M/M/4 against Erlang C, four servers as one Resource. ρ = 0.5 gave the smallest relative
// spread of the mean wait among ρ ∈ {0.3, 0.5, 0.7, 0.85} (6 seeds × 1 M customers each:
// sd 1.8, 1.2, 1.4, 2.5 %); with 3 M customers it is ≈ 0.7 %, so 2 % is ≈ 3 sd.
const MEAN_S = 1000; // ns
const MU = 1 / MEAN_S;
const C = 4;
const RHO = 0.5;
const LAMBDA = RHO * C * MU;
const CUSTOMERS = 3_000_000;
const SEED = 2024;

test('M/M/4: mean wait (Erlang C) and utilization within 2 %', (t) => {
  const r = simulateQueue({ seed: SEED, lambda: LAMBDA, c: C, customers: CUSTOMERS, service: (g) => g.exponential(MU) });
  const wq = closedForm.mmcWq(LAMBDA, MU, C); // C(4, 2) = 0.1739 → 86.96 ns
  t.diagnostic(
    `M/M/4 rho=${RHO}: Wq ${r.meanWait.toFixed(3)} ns (model) vs ${wq.toFixed(3)} ns; utilization ${r.utilization.toFixed(4)} vs ${RHO}; ${r.events} events`,
  );
  assert.ok(Math.abs(r.meanWait / wq - 1) < 0.02, `Wq ${r.meanWait} vs ${wq}`);
  assert.ok(Math.abs(r.utilization / RHO - 1) < 0.02, `utilization ${r.utilization}`);
});

test('closed forms agree with hand-computed values', () => {
  // Erlang C for c = 4, a = 2: (16/24)/(1−0.5) / (1 + 2 + 2 + 4/3 + (16/24)/(1−0.5)) = 0.17391
  assert.ok(Math.abs(closedForm.mmcWq(0.002, 0.001, 4) - 0.17391304 / 0.002) < 1e-3);
  // c = 1 reduces to M/M/1: ρ/(μ−λ)
  assert.ok(Math.abs(closedForm.mmcWq(0.0005, 0.001, 1) - 1000) < 1e-9);
  assert.equal(closedForm.mg1Wq(0.0005, 1000, 2e6), 1000);
});
