/**
 * Lock holds in traces: every hold of an mm's mmap_lock (read or write) and of an enclave's
 * encl->lock becomes a slice on the holder's track, `holds mmap_sem(mm1) [read]`,
 * `holds mmap_sem(mm1) [write]`, `holds encl1->lock`, from the moment the lock is granted to
 * its release, next to the wait slices the kernel helpers record (named by the lock alone).
 * The locks report their holds through their `onHold` hook (sim/waitfor.ts HoldHook), so every
 * taker is covered, whichever module takes the lock; a hold still held when the case ends (a
 * deadlock's) ends there, marked unfinished. Only attached when a trace is recorded.
 */
import type { Mutex, Process, RwSemaphore } from '../sim/index.js';
import type { Recorder, TracedTask } from '../../../common/trace/recorder.js';

interface Open {
  readonly task: TracedTask;
  readonly name: string;
  readonly start: number;
}

export class HoldTracer {
  /** Holds not yet released, per lock and holder, oldest first (deterministic order). */
  private readonly open = new Map<string, Map<Process, Open[]>>();

  constructor(
    private readonly rec: Recorder,
    private readonly clock: { readonly now: number },
    /** The track of a holding process; undefined: the hold is not drawn. */
    private readonly taskOf: (p: Process) => TracedTask | undefined,
  ) {}

  attach(lock: RwSemaphore | Mutex): void {
    if (!this.rec.on) return;
    const held = new Map<Process, Open[]>();
    this.open.set(lock.name, held);
    const names = { read: `holds ${lock.name} [read]`, write: `holds ${lock.name} [write]`, lock: `holds ${lock.name}` };
    lock.onHold = (p, mode, taken) => {
      if (p === null) return;
      if (taken) {
        const task = this.taskOf(p);
        if (task === undefined) return;
        let list = held.get(p);
        if (list === undefined) held.set(p, (list = []));
        list.push({ task, name: names[mode], start: this.clock.now });
        return;
      }
      const list = held.get(p);
      const o = list?.pop();
      if (o === undefined) return;
      if (list!.length === 0) held.delete(p);
      this.rec.slice(o.task, o.name, o.start);
    };
  }

  /** The case ended: the holds still held end now, marked unfinished. Call before the recorder's finish(). */
  finish(): void {
    for (const held of this.open.values())
      for (const list of held.values()) for (let o = list.pop(); o !== undefined; o = list.pop()) this.rec.slice(o.task, o.name, o.start, { unfinished: true });
  }
}
