import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, Interrupt, URGENT, NORMAL, StalledError, type ProcessGen } from '../../backends/model/sim/index.js';

test('events run in (time, priority, insertion sequence) order', () => {
  const env = new Environment();
  const order: string[] = [];
  const mk = (label: string, priority: number, delay: number): void => {
    const ev = env.event();
    ev.callbacks?.push(() => order.push(`${env.now}:${label}`));
    ev._state = 1; // triggered by hand so schedule() alone queues it
    env.schedule(ev, priority, delay);
  };
  mk('n1', NORMAL, 5);
  mk('u1', URGENT, 5);
  mk('n2', NORMAL, 5);
  mk('early', NORMAL, 1);
  mk('u2', URGENT, 5);
  mk('late', URGENT, 9);
  env.run();
  assert.deepEqual(order, ['1:early', '5:u1', '5:u2', '5:n1', '5:n2', '9:late']);
  assert.equal(env.now, 9);
  assert.equal(env.peek(), Infinity);
});

test('timeouts resume processes with their value; processes join with return values', () => {
  const env = new Environment();
  const seen: string[] = [];
  function* child(): ProcessGen<number> {
    const v: string = yield env.timeout(7, 'seven');
    seen.push(`${env.now} child got ${v}`);
    return 42;
  }
  function* parent(): ProcessGen<void> {
    const c = env.process(child(), 'child');
    const r: number = yield c;
    seen.push(`${env.now} parent joined ${r}`);
    const again: number = yield c; // already processed: continues at once
    seen.push(`${env.now} again ${again}`);
  }
  const p = env.process(parent(), 'parent');
  env.run();
  assert.deepEqual(seen, ['7 child got seven', '7 parent joined 42', '7 again 42']);
  assert.equal(p.isAlive, false);
  assert.equal(p.processed, true);
});

test('run(until=time) stops before events at that time; run(until=event) stops after it', () => {
  const env = new Environment();
  const ticks: number[] = [];
  env.process(
    (function* (): ProcessGen<void> {
      for (;;) {
        yield env.timeout(10);
        ticks.push(env.now);
      }
    })(),
    'ticker',
  );
  env.run(30);
  assert.deepEqual(ticks, [10, 20]);
  assert.equal(env.now, 30);
  const stop = env.timeout(25);
  env.run(stop);
  assert.equal(env.now, 55);
  assert.deepEqual(ticks, [10, 20, 30, 40, 50]);
  assert.throws(() => env.run(55), RangeError);
});

test('run(until=event) that can never fire throws StalledError', () => {
  const env = new Environment();
  assert.throws(() => env.run(env.event()), StalledError);
});

test('a failed event is thrown into the waiting generator', () => {
  const env = new Environment();
  const ev = env.event<number>();
  let caught = '';
  env.process(
    (function* (): ProcessGen<void> {
      try {
        yield ev;
      } catch (e) {
        caught = `${env.now} ${(e as Error).message}`;
      }
    })(),
    'waiter',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(3);
      ev.fail(new Error('boom'));
    })(),
    'failer',
  );
  env.run();
  assert.equal(caught, '3 boom');
});

test('a process that throws fails its own event: joiners see the error, else run() rethrows', () => {
  const env = new Environment();
  function* bad(): ProcessGen<void> {
    yield env.timeout(1);
    throw new Error('bad process');
  }
  let seen = '';
  const b = env.process(bad(), 'bad');
  env.process(
    (function* (): ProcessGen<void> {
      try {
        yield b;
      } catch (e) {
        seen = (e as Error).message;
      }
    })(),
    'joiner',
  );
  env.run();
  assert.equal(seen, 'bad process');
  assert.equal(b.ok, false);

  const env2 = new Environment();
  env2.process(
    (function* (): ProcessGen<void> {
      yield env2.timeout(1);
      throw new Error('nobody listens');
    })(),
    'lonely',
  );
  assert.throws(() => env2.run(), /nobody listens/);
});

test('yielding a non-event throws a TypeError into the generator', () => {
  const env = new Environment();
  let msg = '';
  env.process(
    (function* (): ProcessGen<void> {
      try {
        yield 5 as never;
      } catch (e) {
        msg = (e as Error).message;
      }
    })(),
    'p',
  );
  env.run();
  assert.match(msg, /p yielded 5/);
});

test('interrupt: thrown at the current yield, at the current time, with its cause', () => {
  const env = new Environment();
  const log: string[] = [];
  const sleeper = env.process(
    (function* (): ProcessGen<void> {
      try {
        yield env.timeout(100);
        log.push('slept through');
      } catch (e) {
        assert.ok(e instanceof Interrupt);
        log.push(`${env.now} interrupted: ${String(e.cause)}`);
      }
      yield env.timeout(5);
      log.push(`${env.now} done`);
    })(),
    'sleeper',
  );
  env.process(
    (function* (): ProcessGen<void> {
      yield env.timeout(10);
      sleeper.interrupt('wake up');
    })(),
    'waker',
  );
  env.run();
  assert.deepEqual(log, ['10 interrupted: wake up', '15 done']);
  assert.equal(env.now, 100); // the abandoned timeout still fires, resuming no one
  assert.throws(() => sleeper.interrupt(), /has terminated/);
});

test('allOf waits for every event and yields their values in order', () => {
  const env = new Environment();
  let got: unknown[] = [];
  let at = -1;
  env.process(
    (function* (): ProcessGen<void> {
      got = yield env.allOf([env.timeout(5, 'a'), env.timeout(2, 'b'), env.timeout(9, 'c')]);
      at = env.now;
    })(),
    'p',
  );
  env.run();
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(at, 9);
});

test('anyOf fires with the first event; allOf fails when a part fails', () => {
  const env = new Environment();
  const fast = env.timeout(2, 'fast');
  let winner: unknown;
  let at = -1;
  let failure = '';
  env.process(
    (function* (): ProcessGen<void> {
      const ev = yield env.anyOf([env.timeout(5, 'slow'), fast]);
      winner = ev;
      at = env.now;
      const broken = env.event();
      env.timeout(1).callbacks?.push(() => broken.fail(new Error('part failed')));
      try {
        yield env.allOf([env.timeout(10), broken]);
      } catch (e) {
        failure = `${env.now} ${(e as Error).message}`;
      }
    })(),
    'p',
  );
  env.run();
  assert.equal(winner, fast);
  assert.equal(at, 2);
  assert.equal(failure, '3 part failed');
  assert.deepEqual(env.allOf([]).triggered, true);
});

test('event misuse is rejected', () => {
  const env = new Environment();
  const ev = env.event();
  assert.throws(() => ev.value, /not been triggered/);
  ev.succeed(1);
  assert.throws(() => ev.succeed(2), /already triggered/);
  assert.throws(() => env.timeout(-1), RangeError);
  assert.throws(() => env.timeout(NaN), RangeError);
  assert.throws(() => env.schedule(env.event(), 1.5, 0), RangeError);
});
