/**
 * The no-wait forms (tryDownRead, tryRequest, tryLock) behave exactly like the waiting forms
 * when those would be granted at once, and change nothing when they would have to wait.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, Mutex, RwSemaphore, Resource, type ProcessGen } from '../../backends/model/sim/index.js';

/** Run `body` as a process at time `at` and return its log. */
function at(env: Environment, time: number, name: string, body: () => ProcessGen<void>): void {
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(time);
      yield* body();
    })(),
    name,
  );
}

test('rwsem: tryDownRead takes a read hold only when down_read would be granted at once', () => {
  const env = new Environment();
  const sem = new RwSemaphore(env, 'mmap_lock');
  const seen: string[] = [];
  at(env, 0, 'R1', function* () {
    assert.equal(sem.tryDownRead(), true); // free: granted, no event needed
    assert.equal(sem.readers, 1);
    yield env.timeout(10);
    sem.upRead();
  });
  at(env, 1, 'W', function* () {
    yield sem.downWrite(); // queues behind R1
    seen.push(`${env.now} W write`);
    yield env.timeout(5);
    sem.upWrite();
  });
  at(env, 2, 'R2', function* () {
    // A writer waits: down_read would queue, so the no-wait form must refuse and change nothing.
    assert.equal(sem.tryDownRead(), false);
    assert.equal(sem.readers, 1);
    assert.equal(sem.waiting, 1);
    yield sem.downRead();
    seen.push(`${env.now} R2 read`);
    sem.upRead();
  });
  env.run();
  assert.deepEqual(seen, ['10 W write', '15 R2 read']);
  assert.equal(sem.readers, 0);
  assert.equal(sem.writer, null);
});

test('rwsem: a read hold taken without waiting is released and handed off like any other', () => {
  const env = new Environment();
  const sem = new RwSemaphore(env, 's');
  const order: string[] = [];
  at(env, 0, 'A', function* () {
    assert.ok(sem.tryDownRead());
    assert.ok(sem.tryDownRead()); // a second reader shares it
    yield env.timeout(3);
    sem.upRead();
    sem.upRead();
    order.push(`${env.now} A released both`);
  });
  at(env, 1, 'W', function* () {
    yield sem.downWrite();
    order.push(`${env.now} W write`);
    sem.upWrite();
  });
  env.run();
  assert.deepEqual(order, ['3 A released both', '3 W write']);
});

test('resource: tryRequest grants a free unit and refuses (unchanged) when full or queued', () => {
  const env = new Environment();
  const cpus = new Resource(env, 2, 'cpus');
  const log: string[] = [];
  at(env, 0, 'T1', function* () {
    assert.ok(cpus.tryRequest());
    yield env.timeout(10);
    cpus.release();
  });
  at(env, 0, 'T2', function* () {
    assert.ok(cpus.tryRequest());
    assert.equal(cpus.inUse, 2);
    yield env.timeout(20);
    cpus.release();
  });
  at(env, 1, 'T3', function* () {
    assert.equal(cpus.tryRequest(), false);
    assert.equal(cpus.inUse, 2);
    assert.equal(cpus.queueLength, 0);
    yield cpus.request();
    log.push(`${env.now} T3`);
    cpus.release();
  });
  env.run();
  assert.deepEqual(log, ['10 T3']);
  assert.equal(cpus.inUse, 0);
});

test('mutex: tryLock succeeds only when free and leaves waiters in order', () => {
  const env = new Environment();
  const m = new Mutex(env, 'encl->lock');
  const log: string[] = [];
  at(env, 0, 'A', function* () {
    assert.ok(m.tryLock());
    yield env.timeout(5);
    m.unlock();
  });
  at(env, 1, 'B', function* () {
    assert.equal(m.tryLock(), false);
    yield m.lock();
    log.push(`${env.now} B`);
    yield env.timeout(1);
    m.unlock();
  });
  at(env, 2, 'C', function* () {
    yield m.lock();
    log.push(`${env.now} C`);
    m.unlock();
  });
  env.run();
  assert.deepEqual(log, ['5 B', '6 C']);
});
