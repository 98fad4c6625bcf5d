import type { Environment } from './env.js';
import type { Event } from './event.js';
import type { Process } from './process.js';
import type { HoldHook, Waitable } from './waitfor.js';
import { Request, Fifo, removeOne, type RequestOwner } from './request.js';

/**
 * Linux mutex semantics: one holder; waiters queue FIFO and unlock hands the lock straight
 * to the oldest waiter (no barging by a newcomer between unlock and the waiter running).
 */
export class Mutex implements Waitable, RequestOwner<Request> {
  readonly name: string;
  private readonly env: Environment;
  private locked = false;
  private _holder: Process | null = null;
  private readonly queue = new Fifo<Request>();
  /** Told of every hold taken and released (traces); null: nobody listens. */
  onHold: HoldHook | null = null;

  constructor(env: Environment, name: string) {
    this.env = env;
    this.name = name;
  }

  get holder(): Process | null {
    return this._holder;
  }

  get waiting(): number {
    return this.queue.length;
  }

  holders(): Iterable<Process> {
    return this._holder !== null ? [this._holder] : [];
  }

  holdPhrase(): string {
    return `holds ${this.name}`;
  }

  lock(): Event<void> {
    const p = this.env.activeProcess;
    const req = new Request(this.env, this, p, 'lock');
    if (!this.locked) {
      this.locked = true;
      this._holder = p;
      if (this.onHold !== null) this.onHold(p, 'lock', true);
      req.succeed();
    } else {
      this.queue.push(req);
      if (p !== null) this.env.waitFor.block(p, this, 'lock');
    }
    return req;
  }

  tryLock(): boolean {
    if (this.locked) return false;
    this.locked = true;
    this._holder = this.env.activeProcess;
    if (this.onHold !== null) this.onHold(this._holder, 'lock', true);
    return true;
  }

  unlock(): void {
    if (!this.locked) throw new Error(`${this.name}: unlock of an unlocked mutex`);
    const p = this.env.activeProcess;
    if (p !== null && this._holder !== null && p !== this._holder) throw new Error(`${this.name}: unlock by ${p.name}, but ${this._holder.name} holds it`);
    if (this.onHold !== null) this.onHold(this._holder, 'lock', false);
    const next = this.queue.shift();
    if (next === undefined) {
      this.locked = false;
      this._holder = null;
      return;
    }
    this._holder = next.proc;
    if (next.proc !== null) this.env.waitFor.unblock(next.proc);
    if (this.onHold !== null) this.onHold(next.proc, 'lock', true);
    next.succeed();
  }

  /** @internal */
  withdraw(req: Request): void {
    if (!req.granted) {
      this.queue.remove(req);
      return;
    }
    // Granted but never seen by the interrupted process: pass the lock on.
    if (this._holder === req.proc) {
      const saved = this.env.activeProcess;
      this.env.activeProcess = null;
      this.unlock();
      this.env.activeProcess = saved;
    }
  }
}

/** A counted resource (e.g. CPUs): up to `capacity` holders at once; waiters served FIFO. */
export class Resource implements Waitable, RequestOwner<Request> {
  readonly name: string;
  readonly capacity: number;
  private readonly env: Environment;
  private readonly track: boolean;
  private used = 0;
  private readonly holding: Process[] = [];
  private readonly queue = new Fifo<Request>();

  constructor(env: Environment, capacity: number, name: string, opts?: { track?: boolean }) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`Resource ${name}: capacity must be an integer >= 1, got ${capacity}`);
    this.env = env;
    this.capacity = capacity;
    this.name = name;
    this.track = opts?.track ?? true;
  }

  get inUse(): number {
    return this.used;
  }

  get queueLength(): number {
    return this.queue.length;
  }

  holders(): Iterable<Process> {
    return this.holding;
  }

  request(): Event<void> {
    const p = this.env.activeProcess;
    const req = new Request(this.env, this, p, 'request');
    if (this.used < this.capacity && this.queue.length === 0) {
      this.grant(req);
    } else {
      this.queue.push(req);
      if (p !== null && this.track) this.env.waitFor.block(p, this, 'request');
    }
    return req;
  }

  /**
   * Takes a unit at once if request() would grant it at once; false otherwise, with nothing
   * changed. Same grant as request(), without the event that nobody would wait on.
   */
  tryRequest(): boolean {
    if (this.used >= this.capacity || this.queue.length !== 0) return false;
    this.used++;
    const p = this.env.activeProcess;
    if (this.track && p !== null) {
      this.holding.push(p);
      this.env.waitFor.unblock(p);
    }
    return true;
  }

  /**
   * Gives back one unit. The unit is taken from the active process's holdings; called
   * outside a process (a plain callback), it releases the oldest holder's unit.
   */
  release(): void {
    if (this.used === 0) throw new Error(`${this.name}: release with no unit in use`);
    this.used--;
    if (this.track) {
      const p = this.env.activeProcess;
      if (p === null || !removeOne(this.holding, p)) this.holding.shift();
    }
    const next = this.queue.shift();
    if (next !== undefined) this.grant(next);
  }

  private grant(req: Request): void {
    this.used++;
    if (this.track && req.proc !== null) {
      this.holding.push(req.proc);
      this.env.waitFor.unblock(req.proc);
    }
    req.succeed();
  }

  /** @internal */
  withdraw(req: Request): void {
    if (!req.granted) {
      this.queue.remove(req);
      return;
    }
    this.used--;
    if (this.track && req.proc !== null) removeOne(this.holding, req.proc);
    const next = this.queue.shift();
    if (next !== undefined) this.grant(next);
  }
}

/** A FIFO queue of items: get() waits while empty, put() waits while full. */
export class Store<T> implements Waitable, RequestOwner<Request<never>> {
  readonly name: string;
  readonly capacity: number;
  private readonly env: Environment;
  private readonly items = new Fifo<T>();
  private readonly getters = new Fifo<Request<T>>();
  private readonly putters = new Fifo<Request>();

  constructor(env: Environment, name: string, capacity = Infinity) {
    if (!(capacity >= 1)) throw new RangeError(`Store ${name}: capacity must be >= 1, got ${capacity}`);
    this.env = env;
    this.name = name;
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.length;
  }

  /** Producers and consumers are not known, so a store names no holders. */
  holders(): Iterable<Process> {
    return [];
  }

  put(item: T): Event<void> {
    const p = this.env.activeProcess;
    const req = new Request(this.env, this, p, 'put', item);
    const getter = this.getters.shift();
    if (getter !== undefined) {
      // A waiting consumer implies the store is empty: hand the item straight over.
      if (getter.proc !== null) this.env.waitFor.unblock(getter.proc);
      getter.succeed(item);
      req.succeed();
    } else if (this.items.length < this.capacity) {
      this.items.push(item);
      req.succeed();
    } else {
      this.putters.push(req);
      if (p !== null) this.env.waitFor.block(p, this, 'put');
    }
    return req;
  }

  get(): Event<T> {
    const p = this.env.activeProcess;
    const req = new Request<T>(this.env, this, p, 'get');
    if (this.items.length > 0) {
      const item = this.items.shift() as T;
      const putter = this.putters.shift();
      if (putter !== undefined) {
        this.items.push(putter.item as T);
        if (putter.proc !== null) this.env.waitFor.unblock(putter.proc);
        putter.succeed();
      }
      req.succeed(item);
    } else {
      this.getters.push(req);
      if (p !== null) this.env.waitFor.block(p, this, 'get');
    }
    return req;
  }

  /** @internal An interrupted put/get leaves its queue; an unseen granted get re-offers its item. */
  withdraw(r: Request<never>): void {
    if (r.kind === 'put') {
      if (!r.granted) this.putters.remove(r as unknown as Request);
      return;
    }
    const g = r as unknown as Request<T>;
    if (!g.granted) {
      this.getters.remove(g);
      return;
    }
    const item = g._value as T;
    const next = this.getters.shift();
    if (next !== undefined) {
      if (next.proc !== null) this.env.waitFor.unblock(next.proc);
      next.succeed(item);
    } else {
      this.items.push(item); // back of the queue: a FIFO has no way to un-take the head
    }
  }
}
