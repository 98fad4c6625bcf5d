import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, Mutex, RwSemaphore, DeadlockError, processWaitable, type Process, type ProcessGen } from '../../backends/model/sim/index.js';

/** A process that ticks forever, so the heap never drains: detection must not rely on draining. */
function background(env: Environment): void {
  env.process(
    (function* (): ProcessGen<void> {
      for (;;) yield env.timeout(7);
    })(),
    'ticker',
  );
}

function catchDeadlock(env: Environment): DeadlockError {
  try {
    env.run();
  } catch (e) {
    if (e instanceof DeadlockError) return e;
    throw e;
  }
  assert.fail('run() returned without a DeadlockError');
}

test('ABBA on two mutexes: run() stops at the deadlock and names both processes and locks', () => {
  const env = new Environment();
  const a = new Mutex(env, 'lockA');
  const b = new Mutex(env, 'lockB');
  function* take(first: Mutex, second: Mutex): ProcessGen<void> {
    yield first.lock();
    yield env.timeout(5);
    yield second.lock();
    second.unlock();
    first.unlock();
  }
  env.process(take(a, b), 'P1');
  env.process(take(b, a), 'P2');
  background(env);
  const err = catchDeadlock(env);
  assert.equal(env.now, 5);
  assert.equal(err.at, 5);
  assert.match(err.message, /P1 holds lockA and waits for lockB \[lock\]/);
  assert.match(err.message, /P2 holds lockB and waits for lockA \[lock\]/);
  assert.deepEqual(
    [...err.cycle].sort((x, y) => x.process.localeCompare(y.process)),
    [
      { process: 'P1', waitsFor: 'lockB', what: 'lock', heldBy: ['P2'] },
      { process: 'P2', waitsFor: 'lockA', what: 'lock', heldBy: ['P1'] },
    ],
  );
  // The environment stays stopped: running again reports the same deadlock.
  assert.throws(() => env.run(), DeadlockError);
});

test('rwsem held for write + waiting for a worker that waits for the rwsem for read is a cycle', () => {
  const env = new Environment();
  const mmapSem = new RwSemaphore(env, 'mmap_sem(mm1)');
  let worker: ReturnType<Environment['process']> | undefined;
  function* workerBody(): ProcessGen<void> {
    yield env.timeout(3);
    yield mmapSem.downRead(); // blocks: P1 holds it for write
    mmapSem.upRead();
  }
  function* p1(): ProcessGen<void> {
    yield mmapSem.downWrite();
    worker = env.process(workerBody(), 'worker0');
    yield env.timeout(10);
    // flush_work(worker0) while holding mmap_sem for write
    const w = worker;
    env.waitFor.block(env.activeProcess!, processWaitable(w, 'flush_work(worker0)'), 'flush');
    yield w;
    mmapSem.upWrite();
  }
  env.process(p1(), 'P1');
  background(env);
  const err = catchDeadlock(env);
  assert.equal(env.now, 10);
  assert.match(err.message, /P1 holds mmap_sem\(mm1\) \[write\] and waits for flush_work\(worker0\) \[flush\]/);
  assert.match(err.message, /worker0 has not finished \(flush_work\(worker0\)\) and waits for mmap_sem\(mm1\) \[read\]/);
  assert.deepEqual(err.cycle.map((e) => e.process).sort(), ['P1', 'worker0']);
  assert.deepEqual(err.cycle.find((e) => e.process === 'worker0')?.heldBy, ['P1']);
});

test('locking a held mutex again is a one-process cycle', () => {
  const env = new Environment();
  const m = new Mutex(env, 'm');
  env.process(
    (function* (): ProcessGen<void> {
      yield m.lock();
      yield m.lock();
    })(),
    'self',
  );
  const err = catchDeadlock(env);
  assert.match(err.message, /self holds m and waits for m \[lock\]/);
});

test('a chain that is not a cycle is not a deadlock; the stuck waiter is listed after the heap drains', () => {
  const env = new Environment();
  const m = new Mutex(env, 'm');
  env.process(
    (function* (): ProcessGen<void> {
      yield m.lock(); // and exits without unlocking
    })(),
    'leaker',
  );
  const order: string[] = [];
  for (const name of ['W1', 'W2']) {
    env.process(
      (function* (): ProcessGen<void> {
        yield env.timeout(1);
        yield m.lock();
        order.push(name);
      })(),
      name,
    );
  }
  env.run(); // no cycle: returns
  assert.deepEqual(order, []);
  assert.deepEqual(
    env.waitFor.blocked().map((p) => p.name),
    ['W1', 'W2'],
  );
  assert.deepEqual(env.waitFor.edges()[0], { process: 'W1', waitsFor: 'm', what: 'lock', heldBy: ['leaker'] });
});

test('waits that resolve are removed from the graph (no false positive on reuse)', () => {
  const env = new Environment();
  const a = new Mutex(env, 'a');
  const b = new Mutex(env, 'b');
  // P1 takes a then b; P2 takes b then a, but only after P1 is done: no overlap, no deadlock.
  env.process(
    (function* (): ProcessGen<void> {
      yield a.lock();
      yield b.lock();
      yield env.timeout(5);
      b.unlock();
      a.unlock();
    })(),
    'P1',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(1);
      yield b.lock(); // waits for P1
      yield a.lock();
      a.unlock();
      b.unlock();
    })(),
    'P2',
  );
  env.run();
  assert.equal(env.now, 5);
  assert.deepEqual(env.waitFor.blocked(), []);
});

test('a cycle that forms without a new block() is reported when the heap drains', () => {
  const env = new Environment();
  const m = new Mutex(env, 'm');
  // A waitable whose holder becomes known only later (a completion someone claims).
  let owner: Process | null = null;
  const completion = { name: 'completion(c2)', holders: () => (owner === null ? [] : [owner]) };
  env.process(
    (function* (): ProcessGen<void> {
      yield m.lock();
      env.waitFor.block(env.activeProcess as Process, completion, 'wait');
      yield env.event(); // never fires
    })(),
    'Q1',
  );
  const q2 = env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(1);
      yield m.lock(); // Q2 → m → Q1 → completion (no holder yet): no cycle at this block
    })(),
    'Q2',
  );
  env.timeout(2).callbacks?.push(() => {
    owner = q2; // the cycle closes here, with no block() to notice it
  });
  let err: unknown;
  try {
    env.run(100);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DeadlockError, 'a drained heap with a cycle must throw');
  assert.match(err.message, /Q1 holds m and waits for completion\(c2\) \[wait\]/);
  assert.match(err.message, /Q2 holds completion\(c2\) and waits for m \[lock\]/);
});
