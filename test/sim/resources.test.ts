import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, Mutex, RwSemaphore, Resource, Store, type ProcessGen } from '../../backends/model/sim/index.js';

/** A process that starts at `start`, takes the lock, holds it for `hold` ns, and logs both edges. */
function rwUser(env: Environment, sem: RwSemaphore, log: string[], name: string, write: boolean, start: number, hold: number): void {
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(start);
      yield write ? sem.downWrite() : sem.downRead();
      log.push(`${env.now} ${name} got ${write ? 'write' : 'read'}`);
      yield env.timeout(hold);
      if (write) sem.upWrite();
      else sem.upRead();
      log.push(`${env.now} ${name} released`);
    })(),
    name,
  );
}

test('rwsem: a waiting writer blocks a later reader (writer preference)', () => {
  const env = new Environment();
  const sem = new RwSemaphore(env, 'mmap_sem');
  const log: string[] = [];
  rwUser(env, sem, log, 'R1', false, 0, 10); // holds read 0..10
  rwUser(env, sem, log, 'W', true, 1, 5); // queues at 1
  rwUser(env, sem, log, 'R2', false, 2, 1); // at 2: sem is read-held, but W waits → R2 must wait
  env.run(3);
  assert.equal(sem.readers, 1);
  assert.equal(sem.waiting, 2);
  env.run();
  assert.deepEqual(log, ['0 R1 got read', '10 R1 released', '10 W got write', '15 W released', '15 R2 got read', '16 R2 released']);
});

test('rwsem: FIFO hand-off grants the run of readers at the head together, then the writer', () => {
  const env = new Environment();
  const sem = new RwSemaphore(env, 'sem');
  const log: string[] = [];
  rwUser(env, sem, log, 'W1', true, 0, 10); // holds write 0..10
  rwUser(env, sem, log, 'R1', false, 1, 5); // queue: R1 R2 W2 R3
  rwUser(env, sem, log, 'R2', false, 2, 8);
  rwUser(env, sem, log, 'W2', true, 3, 2);
  rwUser(env, sem, log, 'R3', false, 4, 1);
  env.run();
  assert.deepEqual(log, [
    '0 W1 got write',
    '10 W1 released',
    '10 R1 got read', // R1 and R2 together at 10; R3 stays behind W2
    '10 R2 got read',
    '15 R1 released',
    '18 R2 released',
    '18 W2 got write',
    '20 W2 released',
    '20 R3 got read',
    '21 R3 released',
  ]);
});

test('mutex: unlock hands the lock to the oldest waiter; a newcomer cannot barge in', () => {
  const env = new Environment();
  const m = new Mutex(env, 'lock');
  const log: string[] = [];
  const user = (name: string, start: number, hold: number): void => {
    env.process(
      (function* (): ProcessGen<void> {
        yield env.timeout(start);
        yield m.lock();
        log.push(`${env.now} ${name} got`);
        yield env.timeout(hold);
        m.unlock();
      })(),
      name,
    );
  };
  user('A', 0, 10);
  user('B', 2, 3);
  user('C', 1, 4); // C queued before B
  let barged: boolean | undefined;
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(10); // same instant as A's unlock, scheduled later
      barged = m.tryLock();
    })(),
    'D',
  );
  env.run(11);
  assert.equal(barged, false);
  assert.equal(m.holder?.name, 'C');
  assert.equal(m.waiting, 1);
  env.run();
  assert.deepEqual(log, ['0 A got', '10 C got', '14 B got']);
  assert.equal(m.holder, null);
  assert.throws(() => m.unlock(), /unlocked mutex/);
});

test('mutex: an interrupted waiter leaves the queue', () => {
  const env = new Environment();
  const m = new Mutex(env, 'lock');
  const log: string[] = [];
  env.process(
    (function* (): ProcessGen<void> {
      yield m.lock();
      yield env.timeout(10);
      m.unlock();
    })(),
    'owner',
  );
  const victim = env.process(
    (function* (): ProcessGen<void> {
      try {
        yield m.lock();
        log.push('victim got the lock');
      } catch {
        log.push(`${env.now} victim interrupted`);
      }
    })(),
    'victim',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(1);
      yield m.lock();
      log.push(`${env.now} late got`);
      m.unlock();
    })(),
    'late',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(5);
      victim.interrupt();
    })(),
    'killer',
  );
  env.run();
  assert.deepEqual(log, ['5 victim interrupted', '10 late got']);
  assert.deepEqual(env.waitFor.blocked(), []);
});

test('resource: at most capacity holders, waiters served FIFO', () => {
  const env = new Environment();
  const cpus = new Resource(env, 2, 'cpus');
  const log: string[] = [];
  const job = (name: string, start: number, run: number): void => {
    env.process(
      (function* (): ProcessGen<void> {
        yield env.timeout(start);
        yield cpus.request();
        log.push(`${env.now} ${name} start`);
        yield env.timeout(run);
        cpus.release();
      })(),
      name,
    );
  };
  job('a', 0, 10);
  job('b', 0, 4);
  job('c', 1, 1);
  job('d', 2, 1);
  env.run(3);
  assert.equal(cpus.inUse, 2);
  assert.equal(cpus.queueLength, 2);
  env.run();
  assert.deepEqual(log, ['0 a start', '0 b start', '4 c start', '5 d start']);
  assert.equal(cpus.inUse, 0);
});

test('store: FIFO items, get blocks while empty, put blocks while full', () => {
  const env = new Environment();
  const q = new Store<string>(env, 'queue', 2);
  const log: string[] = [];
  env.process(
    (function* (): ProcessGen<void> {
      for (const item of ['x', 'y', 'z', 'w']) {
        yield q.put(item);
        log.push(`${env.now} put ${item}`);
      }
    })(),
    'producer',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(5);
      for (let i = 0; i < 5; i++) {
        const item: string = yield q.get();
        log.push(`${env.now} got ${item}`);
        yield env.timeout(1);
      }
    })(),
    'consumer',
  );
  env.run();
  assert.deepEqual(log, ['0 put x', '0 put y', '5 put z', '5 got x', '6 put w', '6 got y', '7 got z', '8 got w']);
  // The fifth get never completes: the consumer is left blocked on the store, and run() says so.
  assert.deepEqual(
    env.waitFor.blocked().map((p) => p.name),
    ['consumer'],
  );
  assert.equal(env.waitFor.edges()[0]?.what, 'get');
});

test('rwsem: when a queued writer is interrupted, the readers queued behind it are let in', () => {
  const env = new Environment();
  const sem = new RwSemaphore(env, 'sem');
  const log: string[] = [];
  rwUser(env, sem, log, 'R1', false, 0, 10);
  const writer = env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(1);
      try {
        yield sem.downWrite();
      } catch {
        log.push(`${env.now} W gave up`);
      }
    })(),
    'W',
  );
  rwUser(env, sem, log, 'R2', false, 2, 1);
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(4);
      writer.interrupt('signal');
    })(),
    'signaller',
  );
  env.run();
  assert.deepEqual(log, ['0 R1 got read', '4 W gave up', '4 R2 got read', '5 R2 released', '10 R1 released']);
  assert.equal(sem.waiting, 0);
});
