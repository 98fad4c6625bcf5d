import { Event, PENDING } from './event.js';
import type { Environment } from './env.js';
import type { Process } from './process.js';

/** What a resource must do when a queued or freshly granted request is abandoned. */
export interface RequestOwner<R> {
  withdraw(req: R): void;
}

/** What a request asks for; also the label of its wait-for edge. */
export type RequestKind = 'lock' | 'request' | 'read' | 'write' | 'get' | 'put';

/**
 * A resource request: an event that succeeds when the resource is granted. It remembers
 * the requesting process (null outside a process) and, if that process is interrupted
 * while waiting, tells its resource to withdraw it (dequeue, or give back a grant the
 * process never saw). All resources share this one class (told apart by `kind`) so the
 * scheduler's hot loop sees few object shapes.
 */
export class Request<T = void> extends Event<T> {
  // Assigned in the constructor rather than as class fields; see the note in Event.
  declare proc: Process | null;
  declare kind: RequestKind;
  /** The item a put() carries until there is room for it; undefined otherwise. */
  declare item: unknown;
  declare private owner: RequestOwner<Request<T>>;

  constructor(env: Environment, owner: RequestOwner<Request<T>>, proc: Process | null, kind: RequestKind, item?: unknown) {
    super(env);
    this.owner = owner;
    this.proc = proc;
    this.kind = kind;
    this.item = item;
  }

  get granted(): boolean {
    return this._state !== PENDING;
  }

  override _abandon(): void {
    this.owner.withdraw(this);
  }
}

/** A FIFO with O(1) amortized push/shift and O(n) removal (removal is rare: interrupts). */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head] as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  remove(x: T): boolean {
    const i = this.items.indexOf(x, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

/**
 * Removes one occurrence of p from a holder list (processes may hold several units).
 * Order does not matter for holders, so the last entry fills the gap (O(1) after the search).
 */
export function removeOne(list: Process[], p: Process): boolean {
  const i = list.indexOf(p);
  if (i < 0) return false;
  const last = list.pop() as Process;
  if (i < list.length) list[i] = last;
  return true;
}
