import { EventHeap } from './heap.js';
import type { Callback } from './event.js';
import { Event, URGENT, NORMAL, TRIGGERED, PROCESSED } from './event.js';
import { Process, type ProcessGen } from './process.js';
import { WaitForGraph, type DeadlockError } from './waitfor.js';
import { allOf, anyOf } from './condition.js';

export { Event, URGENT, NORMAL } from './event.js';
export { Process, Interrupt, type ProcessGen } from './process.js';

/** Priority occupies the high part of the packed heap key; the insertion sequence the low. */
const SEQ_SPAN = 2 ** 40;
const MAX_PRIORITY = 4095; // 4095 * 2^40 + 2^40 < 2^53: the packed key stays an exact integer

/** Thrown by run(until=event) when nothing is left to do but the event never fired. */
export class StalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StalledError';
  }
}

/**
 * One model clock (integer nanoseconds held in a float64) and one event heap ordered by
 * (time, priority, insertion sequence). Processes are generators that yield events.
 */
export class Environment {
  private _now = 0;
  private _seq = 0;
  private readonly _heap = new EventHeap<Event<unknown>>();
  /*
   * Events scheduled with delay 0 at URGENT / NORMAL priority skip the heap and wait in
   * two FIFOs. This keeps the (time, priority, sequence) order: every heap entry at the
   * current time was scheduled before now reached it, so it has a smaller sequence number
   * than any FIFO entry and goes first within its priority (see _next).
   */
  // Each FIFO is [head, tail) of its array; emptied, it restarts at 0 and keeps its capacity
  // (truncating the array freed and regrew its backing store at nearly every model instant).
  private _urgent: Event<unknown>[] = [];
  private _urgentHead = 0;
  private _urgentTail = 0;
  private _normal: Event<unknown>[] = [];
  private _normalHead = 0;
  private _normalTail = 0;
  private _halt = false;
  /** Identifies the current run() call, so a stale until-event from an earlier call cannot stop a later one. */
  private _runId = 0;
  private _deadlock: DeadlockError | null = null;
  /** The process whose generator is running, null in plain callbacks. */
  activeProcess: Process | null = null;
  readonly waitFor: WaitForGraph = new WaitForGraph(this);
  /** Events popped and processed so far (for the self-benchmark). */
  eventsProcessed = 0;

  get now(): number {
    return this._now;
  }

  event<T = unknown>(): Event<T> {
    return new Event<T>(this);
  }

  /** An event that succeeds with `value` after `delay` ns of model time. */
  timeout<T = undefined>(delay: number, value?: T): Event<T> {
    const ev = new Event<T>(this);
    ev._value = value;
    ev._state = TRIGGERED;
    // schedule(ev, NORMAL, delay), specialised: timeouts are most of the events in a run.
    if (delay > 0 && delay !== Infinity) {
      const seq = this._seq++;
      if (seq >= SEQ_SPAN) throw new RangeError('timeout: more than 2^40 events scheduled in one environment');
      this._heap.push(this._now + delay, NORMAL * SEQ_SPAN + seq, ev as Event<unknown>);
    } else {
      this.schedule(ev, NORMAL, delay);
    }
    return ev;
  }

  process<T>(gen: ProcessGen<T>, name: string): Process<T> {
    return new Process<T>(this, gen, name);
  }

  allOf(events: readonly Event[]): Event<unknown[]> {
    return allOf(this, events);
  }

  anyOf(events: readonly Event[]): Event<Event> {
    return anyOf(this, events);
  }

  /** Queues a triggered event for processing at now + delay. */
  schedule(ev: Event, priority: number, delay: number): void {
    if (!(delay >= 0 && delay !== Infinity)) throw new RangeError(`schedule: delay must be a finite number >= 0 ns, got ${delay}`);
    if (delay === 0) {
      if (priority === NORMAL) {
        this._normal[this._normalTail++] = ev as Event<unknown>;
        this._seq++;
        return;
      }
      if (priority === URGENT) {
        this._urgent[this._urgentTail++] = ev as Event<unknown>;
        this._seq++;
        return;
      }
    }
    if (!(priority >= 0 && priority <= MAX_PRIORITY && Number.isInteger(priority)))
      throw new RangeError(`schedule: priority must be an integer in 0..${MAX_PRIORITY}, got ${priority}`);
    const seq = this._seq++;
    if (seq >= SEQ_SPAN) throw new RangeError('schedule: more than 2^40 events scheduled in one environment');
    this._heap.push(this._now + delay, priority * SEQ_SPAN + seq, ev as Event<unknown>);
  }

  /** Time of the next event, or Infinity when none is scheduled. */
  peek(): number {
    if (this._urgentHead < this._urgentTail || this._normalHead < this._normalTail) return this._now;
    return this._heap.peekTime();
  }

  /**
   * @internal Removes and returns the next event in (time, priority, sequence) order if its
   * time is before `limit`, advancing the clock to it; null otherwise.
   */
  private _next(limit: number): Event<unknown> | null {
    const heap = this._heap;
    if (this._urgentHead < this._urgentTail) {
      // Heap entries now at URGENT priority were scheduled earlier: they go first.
      if (heap.size > 0 && heap.peekTime() === this._now && heap.peekKey() < SEQ_SPAN) return heap.pop();
      const ev = this._urgent[this._urgentHead++] as Event<unknown>;
      if (this._urgentHead === this._urgentTail) {
        this._urgentHead = 0;
        this._urgentTail = 0;
      }
      return ev;
    }
    if (this._normalHead < this._normalTail) {
      if (heap.size > 0 && heap.peekTime() === this._now && heap.peekKey() < 2 * SEQ_SPAN) return heap.pop();
      const ev = this._normal[this._normalHead++] as Event<unknown>;
      if (this._normalHead === this._normalTail) {
        this._normalHead = 0;
        this._normalTail = 0;
      }
      return ev;
    }
    if (heap.size === 0) return null;
    const t = heap.peekTime();
    if (t >= limit) return null;
    this._now = t;
    return heap.pop();
  }

  /** @internal Runs the callbacks of a popped event; rethrows an unhandled failure. */
  private _process(ev: Event<unknown>): void {
    const proc = ev._proc;
    const cb = ev._cb;
    const cbs = ev._cbs;
    ev._proc = null;
    ev._cb = null;
    ev._cbs = null;
    ev._state = PROCESSED;
    this.eventsProcessed++;
    if (proc !== null) proc._resume(ev);
    else if (cb !== null) cb(ev);
    if (cbs !== null) for (let i = 0; i < cbs.length; i++) (cbs[i] as Callback)(ev);
    if (!ev._ok && !ev._defused) throw ev._value as Error;
  }

  /** Processes exactly one event. Throws if none is scheduled, if it failed unhandled, or on deadlock. */
  step(): void {
    const ev = this._next(Infinity);
    if (ev === null) throw new StalledError('step: no scheduled events');
    this._process(ev);
    if (this._deadlock !== null) throw this._deadlock;
  }

  /**
   * Runs until the heap drains, until model time `until` (events at t >= until stay queued;
   * now becomes until), or until the event `until` is processed.
   * Throws DeadlockError as soon as a wait-for cycle forms, and also when the heap drains
   * with blocked processes in a cycle. Blocked processes without a cycle are left for the
   * caller (see waitFor.blocked()), except with until=event, which then throws StalledError.
   */
  run(until?: number | Event): void {
    let limit = Infinity;
    let untilEv: Event | null = null;
    if (typeof until === 'number') {
      if (!(until > this._now)) throw new RangeError(`run: until=${until} ns must be later than now=${this._now} ns`);
      limit = until;
    } else if (until !== undefined) {
      if (!(until instanceof Event) || until.env !== this) throw new TypeError('run: until must be a number or an Event of this environment');
      untilEv = until;
      if (until._state === PROCESSED) return;
      const id = this._runId + 1;
      until._addCallback(() => {
        if (this._runId === id) this._halt = true;
      });
    }
    this._runId++;
    this._halt = false;
    if (this._deadlock !== null) throw this._deadlock;
    for (let ev = this._next(limit); ev !== null; ev = this._next(limit)) {
      // _process, inlined by hand: this loop is the simulator's hot path.
      const proc = ev._proc;
      const cb = ev._cb;
      const cbs = ev._cbs;
      ev._proc = null;
      ev._cb = null;
      ev._cbs = null;
      ev._state = PROCESSED;
      this.eventsProcessed++;
      if (proc !== null) proc._resume(ev);
      else if (cb !== null) cb(ev);
      if (cbs !== null) for (let i = 0; i < cbs.length; i++) (cbs[i] as Callback)(ev);
      if (!ev._ok && !ev._defused) throw ev._value as Error;
      if (this._halt) {
        if (this._deadlock !== null) throw this._deadlock;
        return;
      }
    }
    if (this._heap.size > 0) {
      this._now = limit; // stopped at the time limit; events at >= limit stay queued
      return;
    }
    // The heap drained: anyone still blocked will stay blocked. Report a cycle among them.
    const cycle = this.waitFor.findAnyCycle();
    if (cycle !== null) {
      this._deadlock = cycle;
      throw cycle;
    }
    if (limit !== Infinity) {
      this._now = limit;
      return;
    }
    if (untilEv !== null) {
      const stuck = this.waitFor.edges().map((e) => `${e.process} waits for ${e.waitsFor} [${e.what}]`);
      throw new StalledError(
        `run: no events left at t=${this._now} ns (model) but the until event was not triggered` + (stuck.length > 0 ? `; blocked: ${stuck.join('; ')}` : ''),
      );
    }
  }

  /** @internal Called by the wait-for graph: stop at the end of the current event. */
  _deadlocked(err: DeadlockError): void {
    if (this._deadlock === null) this._deadlock = err;
    this._halt = true;
  }
}
