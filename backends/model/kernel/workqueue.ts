/**
 * A workqueue with `max_active` workers (the add-page queue is WQ_UNBOUND with max_active 1:
 * intel/linux-sgx-driver sgx_main.c). Work items are queued FIFO; a queued item is not queued
 * twice; an item re-queued while it runs goes to the back. A work item never runs on two workers
 * at once (torvalds/linux kernel/workqueue.c `process_one_work`: a worker that picks an item
 * another worker is executing defers it to that worker, `find_worker_executing_work` and
 * `move_linked_works`), so one enclave's requests keep their order with max_active > 1.
 * flush_work waits for an item to be idle and is a Waitable, so a flush that cannot finish shows
 * up in the wait-for graph.
 */
import type { Environment, Event, Process, ProcessGen, Waitable } from '../sim/index.js';
import { Task, type Cpus } from './cpus.js';
import { NO_TRACE, type Recorder } from '../../../common/trace/recorder.js';

export interface WorkItem {
  readonly name: string;
  run(t: Task): ProcessGen<void>;
  pending: boolean;
  running: Process | null;
  /** Picked by a worker while another ran it: that worker runs it again when it finishes. */
  deferred: boolean;
  idleWaiters: Event<void>[];
  readonly flushWaitable: Waitable;
}

export function workItem(name: string, run: (t: Task) => ProcessGen<void>): WorkItem {
  const item: WorkItem = {
    name,
    run,
    pending: false,
    running: null,
    deferred: false,
    idleWaiters: [],
    flushWaitable: {
      name: `flush_work(${name})`,
      holders: () => (item.running !== null ? [item.running] : []),
      holdPhrase: () => `runs ${name}`,
    },
  };
  return item;
}

export class Workqueue {
  private readonly items: WorkItem[] = [];
  private head = 0;
  private readonly idle: { task: Task; wake: Event<void> }[] = [];
  readonly workers: Process[] = [];
  /** The workers' tasks, in the order of `workers`. */
  readonly tasks: Task[] = [];
  busyNs = 0;
  /** Set at the end of a case: idle workers stay parked. */
  stopping = false;

  constructor(
    private readonly env: Environment,
    private readonly cpus: Cpus,
    readonly maxActive: number,
    private readonly wakeupNs: number,
    readonly name: string,
    private readonly rec: Recorder = NO_TRACE,
  ) {
    for (let i = 0; i < maxActive; i++) {
      const t = new Task(`kworker${i}`);
      this.tasks.push(t);
      this.workers.push(env.process(this.worker(t), `kworker${i}(${name})`));
    }
  }

  get queued(): number {
    return this.items.length - this.head;
  }

  queueWork(item: WorkItem): void {
    if (item.pending) return;
    item.pending = true;
    this.items.push(item);
    const w = this.idle.shift();
    if (w) w.wake.succeed();
  }

  /** flush_work: wait until `item` is neither pending nor running (recorded in the wait-for graph). */
  *flush(t: Task, waiter: Process, item: WorkItem): ProcessGen<void> {
    while (item.pending || item.running !== null) {
      const ev = this.env.event<void>();
      item.idleWaiters.push(ev);
      this.cpus.offCpu(t);
      this.env.waitFor.block(waiter, item.flushWaitable, 'flush');
      if (this.rec.on) this.rec.begin(t, item.flushWaitable.name);
      yield ev;
      if (this.rec.on) this.rec.end(t);
      this.env.waitFor.unblock(waiter);
    }
  }

  private *worker(t: Task): ProcessGen<void> {
    for (;;) {
      if (this.head >= this.items.length) {
        const wake = this.env.event<void>();
        this.idle.push({ task: t, wake });
        this.cpus.offCpu(t);
        yield wake;
        // Wake-up latency of an idle kworker before it runs.
        yield this.env.timeout(this.wakeupNs);
        continue;
      }
      const item = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      if (item.running !== null) {
        // Executing on another worker: defer it there (it stays pending until it runs).
        item.deferred = true;
        continue;
      }
      item.running = this.env.activeProcess;
      do {
        item.deferred = false;
        item.pending = false;
        const start = this.env.now;
        if (this.rec.on) this.rec.begin(t, item.name);
        yield* item.run(t);
        if (this.rec.on) this.rec.end(t);
        this.busyNs += this.env.now - start;
      } while (item.deferred);
      item.running = null;
      if (!item.pending) {
        const waiters = item.idleWaiters.splice(0);
        for (const w of waiters) w.succeed();
      }
    }
  }
}
