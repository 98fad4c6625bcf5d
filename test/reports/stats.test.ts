import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../common/prng.js';
import {
  bootstrapMedianChange,
  changeVerdict,
  mannWhitneyU,
  median,
  normalSf,
  quantile,
  relativeChange,
  sorted,
  thresholdVerdict,
} from '../../reports/stats.js';

const close = (actual: number, expected: number, rel = 1e-6): void => {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-12, `${actual} ≉ ${expected}`);
};

test('mannWhitneyU matches scipy.stats.mannwhitneyu (two-sided, method=auto)', () => {
  // Reference values: SciPy 1.17.1.
  const cases: Array<[number[], number[], number, number, string]> = [
    [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0, 0.007936507936507936, 'exact'],
    [[1.1, 2.2, 3.3, 4.4], [0.5, 2.5, 3.5, 5.5, 6.5], 7, 0.5555555555555556, 'exact'],
    [[1, 2, 2, 3, 3, 3, 4], [3, 4, 4, 5, 5, 6], 3.5, 0.012999854364387305, 'asymptotic'],
    [
      [10.0, 10.5, 11.2, 9.8, 10.1, 10.4, 10.9, 11.1, 9.9, 10.0],
      [11.0, 11.6, 12.2, 10.8, 11.3, 11.9, 11.5, 12.0, 11.1, 11.4],
      6.5,
      0.001142171259985192,
      'asymptotic',
    ],
    [Array.from({ length: 20 }, (_, i) => i + 1), Array.from({ length: 20 }, (_, i) => i + 5.5), 120, 0.03151710207456157, 'asymptotic'],
  ];
  for (const [x, y, u, p, method] of cases) {
    const r = mannWhitneyU(x, y);
    assert.equal(r.u, u);
    assert.equal(r.method, method);
    close(r.p, p, 1e-5);
  }
});

test('normalSf matches scipy.stats.norm.sf', () => {
  close(normalSf(1.96), 0.024997895148220435, 1e-6);
  close(normalSf(0.5), 0.3085375387259869, 1e-6);
  close(normalSf(-1), 0.8413447460685429, 1e-6);
  close(normalSf(3.2), 0.0006871379379158471, 1e-5);
});

test('quantile interpolates like numpy.quantile', () => {
  const xs = sorted([10, 1, 3, 2, 4]);
  assert.equal(quantile(xs, 0.25), 2);
  assert.equal(median(xs), 3);
  close(quantile(xs, 0.9), 7.6);
  assert.ok(Number.isNaN(median(sorted([]))));
});

test('mulberry32 is deterministic and seed-dependent', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const sa = [a(), a(), a()];
  assert.deepEqual(sa, [b(), b(), b()]);
  assert.notDeepEqual(sa, [c(), c(), c()]);
  for (const v of sa) assert.ok(v >= 0 && v < 1);
});

test('bootstrap interval brackets the estimate and separates a +10 % shift from noise', () => {
  const rand = mulberry32(7);
  const base = Array.from({ length: 12 }, () => 100 + rand() * 4);
  const next = base.map((v) => v * 1.1);
  const ci = bootstrapMedianChange(base, next, { seed: 1 });
  close(ci.estimate, 0.1, 1e-9);
  assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
  assert.ok(ci.lower > 0.05, `lower ${ci.lower} should exceed the 5 % noise threshold`);
  assert.deepEqual(bootstrapMedianChange(base, next, { seed: 1 }), ci, 'same seed, same interval');
  const same = bootstrapMedianChange(base, base, { seed: 1 });
  assert.ok(same.lower < 0 && same.upper > 0);
});

test('relativeChange handles zero baselines', () => {
  assert.equal(relativeChange(0, 0), 0);
  assert.equal(relativeChange(0, 3), Infinity);
  close(relativeChange(200, 150), -0.25);
});

test('changeVerdict follows criterion: significance and the whole interval beyond noise', () => {
  const up = { lower: 0.08, estimate: 0.1, upper: 0.12 };
  assert.equal(changeVerdict(up, 0.01, 0.05, 'lower'), 'regressed');
  assert.equal(changeVerdict(up, 0.01, 0.05, 'higher'), 'improved');
  assert.equal(changeVerdict(up, 0.2, 0.05, 'lower'), 'within noise', 'not significant');
  assert.equal(changeVerdict({ lower: 0.03, estimate: 0.1, upper: 0.12 }, 0.01, 0.05, 'lower'), 'within noise', 'interval crosses noise');
  assert.equal(changeVerdict({ lower: -0.2, estimate: -0.1, upper: -0.06 }, 0.001, 0.05, 'lower'), 'improved');
});

test('thresholdVerdict judges deterministic changes by direction', () => {
  assert.equal(thresholdVerdict(0.02, 0.01, 'lower'), 'regressed');
  assert.equal(thresholdVerdict(-0.02, 0.01, 'lower'), 'improved');
  assert.equal(thresholdVerdict(-0.02, 0.01, 'higher'), 'regressed');
  assert.equal(thresholdVerdict(0.01, 0.01, 'higher'), 'within noise');
});
