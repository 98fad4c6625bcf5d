/**
 * CPUs: a fixed number of them (from the profile). A task holds a CPU while it computes and
 * gives it up when it blocks; it keeps it across back-to-back work (no event per step), and
 * yields to a waiting task once its time slice is used (CFS-like round robin). Lock waits are
 * recorded here because a blocked task must leave its CPU.
 */
import { Resource, type Environment, type Event, type ProcessGen } from '../sim/index.js';
import type { Samples } from '../metrics.js';
import type { TracedTask } from '../../../common/trace/recorder.js';

export class Task implements TracedTask {
  onCpu = false;
  sliceStart = 0;
  /** Trace track id (assigned by a recorder on first use). */
  tid = -1;
  constructor(
    readonly name: string,
    /** The trace process: `mm<N>` for a user thread, `kernel` for a kernel thread. */
    readonly group = 'kernel',
  ) {}
}

export class Cpus {
  readonly res: Resource;
  constructor(
    readonly env: Environment,
    readonly count: number,
    private readonly slice: number,
    private readonly ctxSwitch: number,
  ) {
    this.res = new Resource(env, count, 'cpus', { track: false });
  }

  /** Run `ns` of CPU work. */
  *compute(t: Task, ns: number): ProcessGen<void> {
    const env = this.env;
    if (!t.onCpu) {
      if (!this.res.tryRequest()) yield this.res.request();
      t.onCpu = true;
      t.sliceStart = env.now;
    } else if (this.res.queueLength > 0 && env.now - t.sliceStart >= this.slice) {
      yield* this.yieldCpu(t);
    }
    if (ns > 0) yield env.timeout(Math.round(ns));
  }

  /**
   * compute() without a generator, for hot loops: when `t` holds its CPU and need not yield it,
   * or gets a free CPU at once, the timeout of `ns` (> 0) of work, which the caller yields;
   * null, with nothing changed, when compute() must run (it would wait for a CPU).
   */
  burst(t: Task, ns: number): Event<void> | null {
    if (!(ns > 0)) return null;
    if (!t.onCpu) {
      if (!this.res.tryRequest()) return null;
      t.onCpu = true;
      t.sliceStart = this.env.now;
    } else if (this.res.queueLength > 0 && this.env.now - t.sliceStart >= this.slice) return null;
    return this.env.timeout(Math.round(ns));
  }

  /** True when yieldCpu() would give the CPU away (another task waits for one). */
  mustYield(t: Task): boolean {
    return t.onCpu && this.res.queueLength > 0;
  }

  /** schedule(): give the CPU to a waiting task, if any (then pay a context switch). */
  *yieldCpu(t: Task): ProcessGen<boolean> {
    if (!t.onCpu || this.res.queueLength === 0) return false;
    this.res.release();
    t.onCpu = false;
    yield this.res.request();
    t.onCpu = true;
    t.sliceStart = this.env.now;
    yield this.env.timeout(this.ctxSwitch);
    return true;
  }

  offCpu(t: Task): void {
    if (t.onCpu) {
      this.res.release();
      t.onCpu = false;
    }
  }

  /** Wait for `ev`, leaving the CPU if it is not already triggered; records the wait in `into`. */
  *wait<T>(t: Task, ev: Event<T>, into?: Samples): ProcessGen<T> {
    if (ev.triggered) {
      into?.add(0);
      return ev.value;
    }
    const start = this.env.now;
    this.offCpu(t);
    const v = (yield ev) as T;
    into?.add(this.env.now - start);
    return v;
  }
}
