import { Event, URGENT, TRIGGERED, PROCESSED } from './event.js';
import type { Callback } from './event.js';
import type { Environment } from './env.js';
import type { Waitable } from './waitfor.js';

/**
 * A process body: `const v = yield ev` suspends until ev is processed and resumes with
 * ev.value; a failed event is thrown into the generator at that yield instead.
 * Yielded values are Event<any> because one generator waits on events of many types.
 */
// biome-ignore lint/suspicious/noExplicitAny: a process yields events of any value type and is resumed with that value
export type ProcessGen<T> = Generator<Event<any>, T, any>;

/** Thrown into a process's generator by Process.interrupt(). */
export class Interrupt extends Error {
  override readonly cause: unknown;
  constructor(cause?: unknown) {
    super(`interrupted${cause === undefined ? '' : `: ${String(cause)}`}`);
    this.name = 'Interrupt';
    this.cause = cause;
  }
}

/**
 * A generator driven by the events it yields. The process is itself an event that
 * succeeds with the generator's return value (or fails with what it threw), so other
 * processes can `yield proc` to join it.
 */
export class Process<T = unknown> extends Event<T> {
  readonly name: string;
  /** @internal */
  _gen: ProcessGen<T>;
  /** @internal the event this process currently waits on, null when not waiting */
  _target: Event<unknown> | null;
  /** @internal one bound resume callback per process, reused for every yield */
  readonly _resumeCb: Callback;
  /** @internal wait-for graph edge (see WaitForGraph.block) */
  _waitOn: Waitable | null = null;
  /** @internal */
  _waitWhat = '';
  /** @internal neighbours in the wait-for graph's list of blocked processes */
  _blockedPrev: Process | null = null;
  /** @internal */
  _blockedNext: Process | null = null;
  /** @internal the Waitable "this process finishes", created on demand */
  _finishWaitable: Waitable | null = null;

  constructor(env: Environment, gen: ProcessGen<T>, name: string) {
    super(env);
    this.name = name;
    this._gen = gen;
    this._resumeCb = this._resume.bind(this) as Callback;
    // Start the generator at the current time, ahead of NORMAL events (as SimPy does).
    const init = new Event<unknown>(env);
    init._state = TRIGGERED;
    init._proc = this as Process<unknown>;
    this._target = init;
    env.schedule(init, URGENT, 0);
  }

  get isAlive(): boolean {
    return this._state === 0; // PENDING: the process event fires when the generator ends
  }

  /**
   * Throws an Interrupt into the generator at its current yield, at the current model time
   * (URGENT). The event it was waiting on loses this process as a waiter; a resource
   * request it was queued on is withdrawn.
   */
  interrupt(cause?: unknown): void {
    if (!this.isAlive) throw new Error(`interrupt: process ${this.name} has terminated`);
    if (this.env.activeProcess === this) throw new Error(`interrupt: process ${this.name} cannot interrupt itself`);
    const ev = new Event<unknown>(this.env);
    ev._ok = false;
    ev._value = new Interrupt(cause);
    ev._defused = true;
    ev._state = TRIGGERED;
    ev._cb = (e) => this._interrupted(e);
    this.env.schedule(ev, URGENT, 0);
  }

  /** @internal */
  _interrupted(ev: Event<unknown>): void {
    if (!this.isAlive) return; // finished before the interrupt was delivered
    const target = this._target;
    if (target !== null) {
      target._removeCallback(this._resumeCb);
      target._abandon();
    }
    this._resume(ev);
  }

  /** @internal Drives the generator until it yields an unprocessed event or ends. */
  _resume(ev: Event<unknown>): void {
    const env = this.env;
    if (this._waitOn !== null) env.waitFor.unblock(this);
    env.activeProcess = this as Process<unknown>;
    const gen = this._gen;
    let event: Event<unknown> = ev;
    for (;;) {
      let r: IteratorResult<Event<unknown>, T>;
      try {
        if (event._ok) {
          r = gen.next(event._value);
        } else {
          event._defused = true;
          r = gen.throw(event._value);
        }
      } catch (e) {
        this._target = null;
        env.activeProcess = null;
        this.fail(e instanceof Error ? e : new Error(`process ${this.name} threw ${String(e)}`));
        return;
      }
      if (r.done === true) {
        this._target = null;
        env.activeProcess = null;
        this.succeed(r.value);
        return;
      }
      const next = r.value;
      if (!(next instanceof Event) || next.env !== env) {
        // Thrown into the generator at the bad yield, so the stack names the culprit.
        const bad = new Event<unknown>(env);
        bad._ok = false;
        bad._value = new TypeError(`process ${this.name} yielded ${String(next)}, not an Event of this environment`);
        event = bad;
        continue;
      }
      if (next._state !== PROCESSED) {
        next._addWaiter(this as Process<unknown>);
        this._target = next;
        break;
      }
      event = next; // already processed: continue at once with its value
    }
    env.activeProcess = null;
  }
}
