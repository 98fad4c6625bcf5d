import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costRanges, drawProfiles, latinHypercube, withCosts } from '../../backends/model/draws.js';
import { profileCosts, validateProfile } from '../../backends/model/profiles.js';
import { loadProfile } from '../../backends/model/profiles.js';

const RANGES = [
  { key: 'a', low: 10, high: 1000 },
  { key: 'b', low: 1, high: 2 },
  { key: 'c', low: 5, high: 5 },
];

test('Latin hypercube: each cost uses every one of the N log-equal strata exactly once', () => {
  for (const n of [1, 7, 64]) {
    const vs = latinHypercube(42, n, RANGES);
    assert.equal(vs.length, n);
    for (const r of RANGES.slice(0, 2)) {
      const strata = vs.map((v) => Math.floor(((Math.log(v[r.key]!) - Math.log(r.low)) / (Math.log(r.high) - Math.log(r.low))) * n));
      assert.deepEqual(
        [...strata].sort((x, y) => x - y),
        Array.from({ length: n }, (_, i) => i),
        `cost ${r.key}, n=${n}`,
      );
      for (const v of vs) assert.ok(v[r.key]! >= r.low && v[r.key]! <= r.high);
    }
    for (const v of vs) assert.equal(v['c'], 5);
  }
});

test('Latin hypercube: log-uniform, so the geometric midpoint splits the draws in half', () => {
  const vs = latinHypercube(7, 200, RANGES);
  assert.equal(vs.filter((v) => v['a']! < 100).length, 100);
  // A linear-uniform sampler would put ~9 % of draws below 100 on [10, 1000].
});

test('Latin hypercube: seeded, and each cost draws from its own stream', () => {
  assert.deepEqual(latinHypercube(3, 16, RANGES), latinHypercube(3, 16, RANGES));
  assert.notDeepEqual(latinHypercube(3, 16, RANGES), latinHypercube(4, 16, RANGES));
  // Adding or removing a cost leaves the others' draws where they were.
  const without = latinHypercube(
    3,
    16,
    RANGES.filter((r) => r.key !== 'b'),
  );
  assert.deepEqual(
    latinHypercube(3, 16, RANGES).map((v) => v['a']),
    without.map((v) => v['a']),
  );
  // Strata are shuffled independently per cost: the two columns are not in the same order.
  const vs = latinHypercube(3, 16, RANGES);
  const order = (k: string) =>
    vs
      .map((v, i) => [v[k]!, i] as const)
      .sort((x, y) => x[0] - y[0])
      .map((x) => x[1]);
  assert.notDeepEqual(order('a'), order('b'));
});

test('Latin hypercube rejects a bad count or range', () => {
  assert.throws(() => latinHypercube(1, -1, RANGES), /n must be an integer from 0 to 1000/);
  assert.throws(() => latinHypercube(1, 1.5, RANGES), /n must be an integer/);
  assert.throws(() => latinHypercube(1, 4, [{ key: 'z', low: 0, high: 1 }]), /cost 'z' needs 0 < low ≤ high/);
});

test('draw profiles: draw 0 is the nominal document; the others change only the cost values', () => {
  const base = structuredClone(loadProfile('skylake-client').data) as Record<string, Record<string, Record<string, unknown>>>;
  for (const c of Object.values(base['costs']!)) {
    c['low'] = (c['value'] as number) / 2;
    c['high'] = (c['value'] as number) * 2;
  }
  assert.ok('ranges' in costRanges(base));
  const { profiles, vectors } = drawProfiles(base, 9, 5);
  assert.equal(profiles.length, 6);
  assert.equal(vectors.length, 5);
  assert.equal(profiles[0], base);
  for (let d = 1; d <= 5; d++) {
    const doc = validateProfile('draw', profiles[d]);
    const costs = profileCosts(doc);
    assert.equal(costs.ns.eadd, vectors[d - 1]!['eadd']);
    assert.equal(costs.cpus, profileCosts(base).cpus);
    const entry = (profiles[d]!['costs'] as Record<string, Record<string, unknown>>)['eadd']!;
    assert.equal(entry['source'], base['costs']!['eadd']!['source']);
  }
  assert.equal((base['costs']!['eadd']!['value'] as number) > 0, true, 'the nominal document is not modified');
  assert.deepEqual(withCosts(base, {}), base);
  const bare = structuredClone(base);
  delete bare['costs']!['copy_4k']!['low'];
  assert.deepEqual(costRanges(bare), { missing: 'copy_4k' });
  assert.throws(() => drawProfiles(bare, 1, 2), /cost 'copy_4k' has no range/);
});
