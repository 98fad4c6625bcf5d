/**
 * The recorder the kernel and drivers report to: slices (begin/end on a task's stack, or a
 * complete slice with known bounds), counters, flow arrows and instants, all at model time
 * (ns). Tracing off is `NO_TRACE`, whose methods do nothing; hot paths test `on` first so that
 * they build no names or arguments when nobody records.
 */

/** What a recorder needs of a simulated task: a name, a group (its process) and a track id slot. */
export interface TracedTask {
  readonly name: string;
  /** The trace process the track belongs to: `mm<N>` for user threads, `kernel` for kthreads. */
  readonly group: string;
  /** Track id, assigned by the recorder on first use (-1 before). */
  tid: number;
}

/** Slice and instant arguments: flat values (or a list of numbers), so the JSON stays small and stable. */
export type TraceArgs = Readonly<Record<string, number | string | boolean | readonly number[]>>;

/** The trace process of the per-CPU tracks (`CPU 0`, `CPU 1`, ...) of model traces. */
export const CPU_GROUP = 'CPUs';

export interface Recorder {
  /** False for NO_TRACE: call sites skip building names and arguments. */
  readonly on: boolean;
  /** Open a slice on `t`'s track at now (slices of one task nest). */
  begin(t: TracedTask, name: string): void;
  /** Close `t`'s innermost open slice at now, with optional arguments. */
  end(t: TracedTask, args?: TraceArgs): void;
  /** A complete slice from `start` to now on `t`'s track (nested in its open slices). */
  slice(t: TracedTask, name: string, start: number, args?: TraceArgs): void;
  /** slice() for one enclave page's step, the page offset as its argument (no object per page). */
  pageSlice(t: TracedTask, name: string, start: number, page: number): void;
  /** A counter's value from now on (kernel-wide). */
  counter(name: string, value: number): void;
  /** The tail of a flow arrow at now on `t`'s track (inside its open slice). */
  flowOut(t: TracedTask, id: number): void;
  /** The head of the flow arrow `id` at now on `t`'s track, bound to the slice that starts now. */
  flowIn(t: TracedTask, id: number): void;
  /** A global instant at now. */
  instant(name: string, args?: TraceArgs): void;
  /** An instant at now on `t`'s track. */
  mark(t: TracedTask, name: string, args?: TraceArgs): void;
  /** Give `t` its track now (tracks are otherwise made on first use), so it exists even if empty. */
  declare(t: TracedTask): void;
}

function nothing(): void {}

/** The recorder when tracing is off. */
export const NO_TRACE: Recorder = {
  on: false,
  begin: nothing,
  end: nothing,
  slice: nothing,
  pageSlice: nothing,
  counter: nothing,
  flowOut: nothing,
  flowIn: nothing,
  instant: nothing,
  mark: nothing,
  declare: nothing,
};
