/** The spinlock calendar (backends/model/kernel/spinlock.ts): closed forms for holds booked in and out of time order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpinLock } from '../../backends/model/kernel/spinlock.js';

test('an uncontended hold spins 0; a second hold at the same time spins one hold', () => {
  const l = new SpinLock('sgx_reclaimer_lock');
  assert.equal(l.acquire(0, 100, 20), 0);
  assert.equal(l.acquire(0, 100, 20), 20);
  assert.equal(l.acquire(0, 110, 20), 30, 'queued behind both: granted at 140');
  assert.equal(l.spinNs, 50);
  assert.equal(l.contended, 2);
  assert.equal(l.holds, 3);
});

test('a hold booked later in event order but earlier in time fits the gap before a booked one', () => {
  const l = new SpinLock('x');
  assert.equal(l.acquire(0, 150, 10), 0); // booked near the end of a burst
  assert.equal(l.acquire(20, 125, 10), 0, '125..135 is free before 150');
  assert.equal(l.acquire(20, 145, 10), 15, '145..155 overlaps 150..160: granted at 160');
  assert.equal(l.acquire(20, 135, 10), 0, '135..145 is still free: the 145 hold moved to 160');
  assert.equal(l.acquire(20, 140, 10), 30, 'no 10 ns gap is left before 170');
});

test('holds that ended are pruned; n simultaneous holds spin 0 + h + 2h + … (n(n−1)/2 · h in total)', () => {
  const l = new SpinLock('x');
  l.acquire(0, 0, 5);
  assert.equal(l.pending(4), 1);
  assert.equal(l.pending(5), 0);
  const n = 8;
  const h = 7;
  for (let i = 0; i < n; i++) assert.equal(l.acquire(100, 100, h), i * h);
  assert.equal(l.spinNs, ((n * (n - 1)) / 2) * h);
});
