import type { Environment } from './env.js';
import type { Process } from './process.js';

/** Event priorities: at equal model time, lower runs first; then insertion order. */
export const URGENT = 0;
export const NORMAL = 1;

/** Event lifecycle, kept as a small integer so the hot path compares numbers. */
export const PENDING = 0;
export const TRIGGERED = 1;
export const PROCESSED = 2;

// Callbacks receive the event they were registered on. The element type is Event<any>
// because a process or condition registers one callback on events of many value types.
// biome-ignore lint/suspicious/noExplicitAny: a callback list holds events of every value type
export type Callback = (ev: Event<any>) => void;

/**
 * A callback on an Event<T>. Declared through a method signature so its parameter is
 * bivariant: an Event<void> must be usable where an Event (= Event<unknown>) is expected,
 * e.g. env.allOf([mutex.lock(), env.timeout(5)]).
 */
export type EventCallback<T> = { bivarianceHack(ev: Event<T>): void }['bivarianceHack'];

/**
 * Everything a process can wait on. An event is pending until succeed()/fail() triggers it,
 * which schedules it at the current model time; when the environment pops it, its
 * callbacks run once and the list is dropped (callbacks === null means processed).
 */
export class Event<T = unknown> {
  // Fields are declared and then assigned in the constructor (not initialized as class
  // fields) so every event gets the same hidden class through plain stores: events are
  // the most allocated objects in a run.
  declare readonly env: Environment;
  /** @internal value on success, the Error on failure */
  declare _value: unknown;
  /** @internal */
  declare _ok: boolean;
  /** @internal PENDING | TRIGGERED | PROCESSED */
  declare _state: number;
  /** @internal set when someone took charge of a failure; otherwise run() rethrows it */
  declare _defused: boolean;
  /**
   * @internal The first callback, kept out of an array: most events have exactly one waiter
   * (the process that yielded them), so no list is allocated for them. It runs before _cbs.
   */
  declare _cb: Callback | null;
  /**
   * @internal The first waiter when it is a process (instead of _cb; at most one of the two is
   * set): the scheduler resumes it by a direct method call, which is several times cheaper than
   * calling its bound callback from a call site that sees every process's.
   */
  declare _proc: Process | null;
  /** @internal further callbacks, or the list handed out by the `callbacks` getter */
  declare _cbs: Callback[] | null;

  constructor(env: Environment) {
    (this as { env: Environment }).env = env;
    this._value = undefined;
    this._ok = true;
    this._state = PENDING;
    this._defused = false;
    this._cb = null;
    this._proc = null;
    this._cbs = null;
  }

  /**
   * The callbacks to run when the event is processed, in order; null once processed.
   * The returned array is live: pushing onto it registers a callback.
   */
  get callbacks(): Array<EventCallback<T>> | null {
    if (this._state === PROCESSED) return null;
    let list = this._cbs;
    if (list === null) list = this._cbs = [];
    if (this._cb !== null) {
      list.unshift(this._cb);
      this._cb = null;
    }
    if (this._proc !== null) {
      list.unshift(this._proc._resumeCb);
      this._proc = null;
    }
    return list;
  }

  set callbacks(list: Array<EventCallback<T>> | null) {
    this._cb = null;
    this._proc = null;
    this._cbs = list;
  }

  /** @internal Registers a callback without materializing a list in the common one-waiter case. */
  _addCallback(cb: Callback): void {
    if (this._cbs !== null) this._cbs.push(cb);
    else if (this._cb === null && this._proc === null) this._cb = cb;
    else this._cbs = [cb];
  }

  /** @internal Registers process `p` as a waiter: the same order as _addCallback(p._resumeCb). */
  _addWaiter(p: Process): void {
    if (this._cbs !== null) this._cbs.push(p._resumeCb);
    else if (this._cb === null && this._proc === null) this._proc = p;
    else this._cbs = [p._resumeCb];
  }

  /** @internal Removes one registration of cb (an interrupted waiter). */
  _removeCallback(cb: Callback): void {
    if (this._proc !== null && this._proc._resumeCb === cb) {
      this._proc = null;
      return;
    }
    if (this._cb === cb) {
      this._cb = null;
      return;
    }
    const list = this._cbs;
    if (list === null) return;
    const i = list.indexOf(cb);
    if (i >= 0) list.splice(i, 1);
  }

  get triggered(): boolean {
    return this._state !== PENDING;
  }

  get processed(): boolean {
    return this._state === PROCESSED;
  }

  get ok(): boolean {
    return this._ok;
  }

  get value(): T {
    if (this._state === PENDING) throw new Error('Event.value: event has not been triggered yet');
    return this._value as T;
  }

  succeed(value?: T, priority: number = NORMAL): this {
    if (this._state !== PENDING) throw new Error('Event.succeed: event was already triggered');
    this._ok = true;
    this._value = value;
    this._state = TRIGGERED;
    this.env.schedule(this, priority, 0);
    return this;
  }

  fail(error: Error, priority: number = NORMAL): this {
    if (this._state !== PENDING) throw new Error('Event.fail: event was already triggered');
    if (!(error instanceof Error)) throw new TypeError('Event.fail: error must be an Error');
    this._ok = false;
    this._value = error;
    this._state = TRIGGERED;
    this.env.schedule(this, priority, 0);
    return this;
  }

  /**
   * @internal Called when the process waiting on this event is interrupted and stops
   * waiting. Plain events ignore it; resource requests withdraw themselves (a Linux
   * lock_killable/interruptible waiter leaves the wait list).
   */
  _abandon(): void {}
}
