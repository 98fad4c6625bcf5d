import type { Environment } from './env.js';
import type { Event } from './event.js';
import type { Process } from './process.js';
import type { HoldHook, Waitable } from './waitfor.js';
import { Request, Fifo, removeOne, type RequestOwner } from './request.js';

type RwRequest = Request;

/**
 * Linux rw_semaphore, as the contract specifies: readers share, a writer is exclusive, and
 * any queued waiter blocks newcomers (so a waiting writer blocks new readers — writer
 * preference, see kernel/locking/rwsem.c: a reader takes the fast path only when the wait
 * list is empty). On release the head of the queue is granted: a writer alone, or every
 * consecutive reader at the head.
 * This is the pre-5.3 wake rule; its commit message describes it: readers right behind a
 * reader at the head are woken with it, readers behind a writer are not. Linux 5.3 (commit
 * d3681e269fff, "locking/rwsem: Wake up almost all readers in wait queue", Waiman Long,
 * 2019) changed rwsem_mark_wake to wake up to 256 readers from anywhere in the queue when
 * the head is a reader. The contract keeps the head-run rule.
 */
export class RwSemaphore implements Waitable, RequestOwner<RwRequest> {
  readonly name: string;
  private readonly env: Environment;
  private _readers = 0;
  private readonly readHolders: Process[] = [];
  private writeHeld = false;
  private _writer: Process | null = null;
  private readonly queue = new Fifo<RwRequest>();
  /** Told of every hold taken and released (traces); null: nobody listens. */
  onHold: HoldHook | null = null;

  constructor(env: Environment, name: string) {
    this.env = env;
    this.name = name;
  }

  get readers(): number {
    return this._readers;
  }

  get writer(): Process | null {
    return this._writer;
  }

  get waiting(): number {
    return this.queue.length;
  }

  holders(): Iterable<Process> {
    return this.writeHeld ? (this._writer !== null ? [this._writer] : []) : this.readHolders;
  }

  holdPhrase(p: Process): string {
    return `holds ${this.name} [${this._writer === p ? 'write' : 'read'}]`;
  }

  downRead(): Event<void> {
    return this.acquire(false);
  }

  downWrite(): Event<void> {
    return this.acquire(true);
  }

  /**
   * Takes a read hold at once if acquire would grant it at once (free of writers, nobody
   * queued); false otherwise, with nothing changed. Same hold as downRead(), without the
   * granted event that nobody would wait on.
   */
  tryDownRead(): boolean {
    if (this.writeHeld || this.queue.length !== 0) return false;
    this._readers++;
    const p = this.env.activeProcess;
    if (p !== null) {
      this.readHolders.push(p);
      this.env.waitFor.unblock(p);
    }
    if (this.onHold !== null) this.onHold(p, 'read', true);
    return true;
  }

  upRead(): void {
    if (this.writeHeld || this._readers === 0) throw new Error(`${this.name}: up_read without a read hold`);
    this._readers--;
    const p = this.env.activeProcess;
    let released: Process | null = p;
    if (p === null || !removeOne(this.readHolders, p)) released = this.readHolders.shift() ?? null;
    if (this.onHold !== null) this.onHold(released, 'read', false);
    if (this._readers === 0) this.wake();
  }

  upWrite(): void {
    if (!this.writeHeld) throw new Error(`${this.name}: up_write without a write hold`);
    const p = this.env.activeProcess;
    if (p !== null && this._writer !== null && p !== this._writer) throw new Error(`${this.name}: up_write by ${p.name}, but ${this._writer.name} holds it`);
    const writer = this._writer;
    this.writeHeld = false;
    this._writer = null;
    if (this.onHold !== null) this.onHold(writer, 'write', false);
    this.wake();
  }

  private acquire(write: boolean): Event<void> {
    const p = this.env.activeProcess;
    const req = new Request(this.env, this, p, write ? 'write' : 'read');
    const free = write ? !this.writeHeld && this._readers === 0 : !this.writeHeld;
    if (free && this.queue.length === 0) {
      this.grant(req);
    } else {
      this.queue.push(req);
      if (p !== null) this.env.waitFor.block(p, this, write ? 'write' : 'read');
    }
    return req;
  }

  private grant(req: RwRequest): void {
    if (req.kind === 'write') {
      this.writeHeld = true;
      this._writer = req.proc;
    } else {
      this._readers++;
      if (req.proc !== null) this.readHolders.push(req.proc);
    }
    if (req.proc !== null) this.env.waitFor.unblock(req.proc);
    if (this.onHold !== null) this.onHold(req.proc, req.kind === 'write' ? 'write' : 'read', true);
    req.succeed();
  }

  /** FIFO hand-off: a writer alone when the semaphore is free, else the run of readers at the head. */
  private wake(): void {
    if (this.writeHeld) return;
    const head = this.queue.peek();
    if (head === undefined) return;
    if (head.kind === 'write') {
      if (this._readers === 0) this.grant(this.queue.shift() as RwRequest);
      return;
    }
    for (let r = this.queue.peek(); r !== undefined && r.kind !== 'write'; r = this.queue.peek()) this.grant(this.queue.shift() as RwRequest);
  }

  /** @internal */
  withdraw(req: RwRequest): void {
    if (!req.granted) {
      // A departing waiter may have been what held back the readers behind it.
      if (this.queue.remove(req)) this.wake();
      return;
    }
    const saved = this.env.activeProcess;
    this.env.activeProcess = req.proc;
    if (req.kind === 'write') this.upWrite();
    else this.upRead();
    this.env.activeProcess = saved;
  }
}
