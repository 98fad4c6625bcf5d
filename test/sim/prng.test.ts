import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, Mutex, Prng, type ProcessGen } from '../../backends/model/sim/index.js';

function draws(g: Prng, n: number): number[] {
  return Array.from({ length: n }, () => g.uint32());
}

test('same seed and stream → same numbers; other seeds, streams and forks differ', () => {
  assert.deepEqual(draws(new Prng(7, 'a'), 50), draws(new Prng(7, 'a'), 50));
  assert.notDeepEqual(draws(new Prng(7, 'a'), 50), draws(new Prng(7, 'b'), 50));
  assert.notDeepEqual(draws(new Prng(7, 'a'), 50), draws(new Prng(8, 'a'), 50));
  assert.notDeepEqual(draws(new Prng(2 ** 32 + 7), 50), draws(new Prng(7), 50));
  // A fork depends on the seed and label path only, not on how far the parent has drawn.
  const p1 = new Prng(3, 'root');
  const p2 = new Prng(3, 'root');
  draws(p2, 10);
  assert.deepEqual(draws(p1.fork('x'), 20), draws(p2.fork('x'), 20));
  assert.deepEqual(draws(p1.fork('x'), 20), draws(new Prng(3, 'root/x'), 20));
  assert.notDeepEqual(draws(p1.fork('x'), 20), draws(p1.fork('y'), 20));
});

test('known-answer: xoshiro128** from state {1,2,3,4} matches the reference outputs', () => {
  // Reference: the authors' C implementation (prng.di.unimi.it/xoshiro128starstar.c) with s = {1, 2, 3, 4}.
  const g = Prng.fromState([1, 2, 3, 4]);
  assert.deepEqual(draws(g, 8), [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  // Seeding is pinned too: a change here silently changes every seeded run.
  assert.deepEqual(draws(new Prng(1), 3), [1238187760, 2406042138, 432482360]);
});

test('next() is uniform in [0,1); int(n) covers 0..n-1 evenly; exponential has the right mean', () => {
  const g = new Prng(11, 'stats');
  const n = 200_000;
  let sum = 0;
  let min = 1;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const u = g.next();
    sum += u;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  assert.ok(min >= 0 && max < 1);
  assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[g.int(6)]! += 1;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `bucket ${c}`);
  let es = 0;
  for (let i = 0; i < n; i++) es += g.exponential(1 / 250);
  assert.ok(Math.abs(es / n / 250 - 1) < 0.01, `exp mean ${es / n}`);
  assert.throws(() => new Prng(-1), RangeError);
  assert.throws(() => new Prng(1.5), RangeError);
  assert.throws(() => g.int(0), RangeError);
  assert.throws(() => g.exponential(0), RangeError);
});

/** A small contended simulation whose trace depends on every random draw. */
function trace(seed: number): string[] {
  const env = new Environment();
  const m = new Mutex(env, 'm');
  const root = new Prng(seed, 'trace');
  const log: string[] = [];
  for (let i = 0; i < 5; i++) {
    const g = root.fork(`p${i}`);
    env.process(
      (function* (): ProcessGen<void> {
        for (let k = 0; k < 20; k++) {
          yield env.timeout(Math.round(g.exponential(1 / 100)));
          yield m.lock();
          log.push(`${env.now} p${i}`);
          yield env.timeout(Math.round(g.exponential(1 / 30)));
          m.unlock();
        }
      })(),
      `p${i}`,
    );
  }
  env.run();
  return log;
}

test('simulation traces are reproducible from the seed', () => {
  const a = trace(99);
  assert.equal(a.length, 100);
  assert.deepEqual(trace(99), a);
  assert.notDeepEqual(trace(100), a);
});
