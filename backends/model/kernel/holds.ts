/**
 * Lock holds in traces: a contended hold of an mm's mmap_lock (read or write) or of an
 * enclave's encl->lock becomes a slice on the holder's track, `holds mmap_sem(mm1) [read]`,
 * `holds mmap_sem(mm1) [write]`, `holds encl1->lock`, from the moment the lock is granted to
 * its release, next to the wait slices the kernel helpers record (named by the lock alone).
 * Contended: another task is queued for the lock when it is released. Uncontended holds draw
 * nothing, as uncontended acquisitions draw no wait: they would double the slices of every
 * page (each EADD takes both locks) and show no contention. The locks report their holds
 * through their `onHold` hook (sim/waitfor.ts HoldHook), so every taker is covered, whichever
 * module takes the lock; a hold still held when the case ends (a deadlock's) ends there,
 * marked unfinished. Only attached when a trace is recorded.
 */
import type { Mutex, Process, RwSemaphore } from '../sim/index.js';
import type { Recorder, TracedTask } from '../../../common/trace/recorder.js';

/** The holds of one lock not yet released, oldest first, as parallel arrays (no object per hold). */
interface Held {
  readonly procs: Process[];
  readonly tasks: TracedTask[];
  readonly names: string[];
  readonly starts: number[];
}

export class HoldTracer {
  /** Per attached lock, in attach order (deterministic). */
  private readonly held: Held[] = [];

  constructor(
    private readonly rec: Recorder,
    private readonly clock: { readonly now: number },
    /** The track of a holding process; undefined: the hold is not drawn. */
    private readonly taskOf: (p: Process) => TracedTask | undefined,
  ) {}

  attach(lock: RwSemaphore | Mutex): void {
    if (!this.rec.on) return;
    const h: Held = { procs: [], tasks: [], names: [], starts: [] };
    this.held.push(h);
    const names = { read: `holds ${lock.name} [read]`, write: `holds ${lock.name} [write]`, lock: `holds ${lock.name}` };
    // Per-page hot path (every EADD takes mmap_sem and encl->lock): arrays of one or a few entries.
    lock.onHold = (p, mode, taken) => {
      if (p === null) return;
      if (taken) {
        const task = this.taskOf(p);
        if (task === undefined) return;
        h.procs.push(p);
        h.tasks.push(task);
        h.names.push(names[mode]);
        h.starts.push(this.clock.now);
        return;
      }
      const i = h.procs.lastIndexOf(p);
      if (i < 0) return;
      // The hook runs before the release wakes anyone: the queue still holds the waiters.
      if (lock.waiting > 0) this.rec.slice(h.tasks[i]!, h.names[i]!, h.starts[i]!);
      if (i === h.procs.length - 1) {
        h.procs.pop();
        h.tasks.pop();
        h.names.pop();
        h.starts.pop();
      } else {
        h.procs.splice(i, 1);
        h.tasks.splice(i, 1);
        h.names.splice(i, 1);
        h.starts.splice(i, 1);
      }
    };
  }

  /** The case ended: the holds still held end now, marked unfinished. Call before the recorder's finish(). */
  finish(): void {
    for (const h of this.held) {
      for (let i = 0; i < h.procs.length; i++) this.rec.slice(h.tasks[i]!, h.names[i]!, h.starts[i]!, { unfinished: true });
      h.procs.length = h.tasks.length = h.names.length = h.starts.length = 0;
    }
  }
}
