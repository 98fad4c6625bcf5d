/**
 * CPUs: a fixed number of them (from the profile). A task holds a CPU while it computes and
 * gives it up when it blocks; it keeps it across back-to-back work (no event per step), and
 * yields to a waiting task once its time slice is used (CFS-like round robin). Lock waits are
 * recorded here because a blocked task must leave its CPU.
 *
 * With a trace, each CPU has a track (process `CPUs`, `CPU <i>`) and a task that gets a CPU is
 * placed on one: its last CPU if that is free, else the lowest-numbered free one. The model
 * counts CPUs and does not number them, so the numbering is the trace's (a deterministic
 * stand-in for the scheduler's choice of CPU; results do not depend on it). The time a task
 * holds its CPU is a slice named by the task. Each CPU also remembers the user mms that ran on
 * it: x86 `switch_mm_irqs_off` (torvalds/linux arch/x86/mm/tlb.c) sets the CPU in the next mm's
 * mm_cpumask() and, since v6.12, no longer clears it in the previous one's (the mask is trimmed
 * at most once a second, not modeled), so `mmCpus` is mm_cpumask() as "the CPUs the mm has run
 * on", which the trace of an IPI (ipi-trace.ts) names its targets from.
 */
import { Resource, type Environment, type Event, type ProcessGen } from '../sim/index.js';
import type { Samples } from '../metrics.js';
import { CPU_GROUP, NO_TRACE, type Recorder, type TracedTask } from '../../../common/trace/recorder.js';

/** The trace process of kernel threads. */
export const KERNEL_GROUP = 'kernel';

/** The trace process of the user threads of mm `id`. */
export function mmGroup(id: number): string {
  return `mm${id}`;
}

export class Task implements TracedTask {
  onCpu = false;
  sliceStart = 0;
  /** Trace track id (assigned by a recorder on first use). */
  tid = -1;
  /** Traces only: the CPU the task runs on, or last ran on (-1: none yet). */
  cpu = -1;
  constructor(
    readonly name: string,
    /** The trace process: `mm<N>` for a user thread (mmGroup), `kernel` for a kernel thread. */
    readonly group = KERNEL_GROUP,
  ) {}
}

/** One CPU in a trace: its track, the task on it (since when) and the user mms that ran on it. */
interface Lane {
  readonly track: TracedTask;
  task: Task | null;
  since: number;
  readonly mms: Set<string>;
}

export class Cpus {
  readonly res: Resource;
  /** Per CPU, when a trace is recorded; null otherwise. */
  private readonly lanes: Lane[] | null;
  constructor(
    readonly env: Environment,
    readonly count: number,
    private readonly slice: number,
    private readonly ctxSwitch: number,
    private readonly rec: Recorder = NO_TRACE,
  ) {
    this.res = new Resource(env, count, 'cpus', { track: false });
    this.lanes = null;
    if (rec.on) {
      const lanes: Lane[] = [];
      for (let i = 0; i < count; i++) {
        const track: TracedTask = { name: `CPU ${i}`, group: CPU_GROUP, tid: -1 };
        // Every CPU has its track, used or not, numbered before any task's.
        rec.declare(track);
        lanes.push({ track, task: null, since: 0, mms: new Set() });
      }
      this.lanes = lanes;
    }
  }

  /** `t` was granted a CPU. */
  private got(t: Task): void {
    t.onCpu = true;
    t.sliceStart = this.env.now;
    if (this.lanes !== null) this.place(t, this.lanes);
  }

  /** `t` gives its CPU back. */
  private left(t: Task): void {
    this.res.release();
    t.onCpu = false;
    if (this.lanes !== null) this.unplace(t, this.lanes);
  }

  private place(t: Task, lanes: Lane[]): void {
    let c = t.cpu;
    if (c < 0 || lanes[c]!.task !== null) c = lanes.findIndex((l) => l.task === null);
    // The Resource grants at most `count` CPUs, so a granted task always finds a free one.
    if (c < 0) throw new Error(`trace: ${t.name} got a CPU but all ${lanes.length} are taken`);
    const l = lanes[c]!;
    l.task = t;
    l.since = this.env.now;
    if (t.group !== KERNEL_GROUP) l.mms.add(t.group);
    t.cpu = c;
  }

  private unplace(t: Task, lanes: Lane[]): void {
    const l = lanes[t.cpu]!;
    l.task = null;
    if (this.env.now > l.since) this.rec.slice(l.track, t.name, l.since);
  }

  /** Traces: the tasks still on a CPU when the case ends get their slice up to now. */
  finishTrace(): void {
    for (const l of this.lanes ?? []) {
      if (l.task !== null && this.env.now > l.since) this.rec.slice(l.track, l.task.name, l.since);
      l.task = null;
    }
  }

  /** Traces: the CPUs a task of one of `groups` (user mms) has run on, ascending: their mm_cpumask() union. */
  mmCpus(groups: ReadonlySet<string>): number[] {
    const out: number[] = [];
    this.lanes?.forEach((l, i) => {
      for (const g of groups) {
        if (l.mms.has(g)) {
          out.push(i);
          break;
        }
      }
    });
    return out;
  }

  /** Traces: CPU `i`'s track (undefined when untraced or out of range). */
  track(i: number): TracedTask | undefined {
    return this.lanes?.[i]?.track;
  }

  /** Run `ns` of CPU work. */
  *compute(t: Task, ns: number): ProcessGen<void> {
    const env = this.env;
    if (!t.onCpu) {
      if (!this.res.tryRequest()) yield this.res.request();
      this.got(t);
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
      this.got(t);
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
    this.left(t);
    yield this.res.request();
    this.got(t);
    yield this.env.timeout(this.ctxSwitch);
    return true;
  }

  offCpu(t: Task): void {
    if (t.onCpu) this.left(t);
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
