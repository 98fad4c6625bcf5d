/**
 * The recording half of a trace: a Recorder that keeps the first and the last `window` ns of
 * model time in full and folds everything in between into fixed-width buckets per track
 * (slice counts and busy time) and per counter (minimum, maximum and last value, so a counter's
 * extremes survive). The tail is not known until the case ends, so items stay pending until
 * they are older than one window behind the clock. Bucket width starts at 100 µs and doubles
 * (merging pairs) whenever a bucket index would pass MAX_BUCKETS, so a 64 GiB build's trace
 * stays bounded. Deterministic: nothing depends on wall time or iteration order of hashes.
 */
import type { Recorder, TraceArgs, TracedTask } from './recorder.js';

/** Bucket width the aggregation starts with (ns of model time). */
export const FIRST_BUCKET_NS = 100_000;
/** Most buckets per aggregated track before the width doubles. */
export const MAX_BUCKETS = 500;

/** Item kinds (plain numbers: compared on every recorded item). */
export const Kind = { Slice: 0, Counter: 1, Instant: 2, Flow: 3 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** One recorded item; `end` is when it was recorded (slice end, counter or instant time, flow head). */
export interface Item {
  readonly kind: Kind;
  readonly tid: number;
  readonly name: string;
  readonly ts: number;
  readonly end: number;
  readonly args?: TraceArgs | undefined;
  /** Counter value, the flow id, or a page slice's page (-1: none). */
  readonly v: number;
  /** Flow head's track. */
  readonly tid2: number;
}

export interface Track {
  readonly tid: number;
  readonly pid: number;
  readonly name: string;
}

interface Open {
  readonly name: string;
  readonly ts: number;
}

/** Per bucket of an aggregated track: per slice name, [count, busy ns]. */
type SliceBucket = Map<string, [number, number]>;
/** Per bucket of a counter: [min ts, min, max ts, max, last ts, last]. */
type CounterBucket = [number, number, number, number, number, number];

/** A counter's last value and its last aggregated bucket (a cache). */
interface CounterState {
  last: number;
  idx: number;
  width: number;
  bucket: CounterBucket | null;
}

export class WindowRecorder implements Recorder {
  readonly on = true;
  readonly groups: string[] = [];
  readonly tracks: Track[] = [];
  /** Kept items, in recording order. */
  readonly kept: Item[] = [];
  readonly aggSlices = new Map<number, Map<number, SliceBucket>>();
  readonly aggCounters = new Map<string, Map<number, CounterBucket>>();
  bucketNs = FIRST_BUCKET_NS;
  droppedFlows = 0;
  aggregated = 0;
  lastEnd = 0;
  /** Start of the kept tail, known after finish(). */
  tailStart = Infinity;
  private pending: Item[] = [];
  private head = 0;
  private readonly stacks: Open[][] = [];
  /** Open flows by id: tail track and tail time (two maps: no object per request). */
  private readonly flowTid = new Map<number, number>();
  private readonly flowTs = new Map<number, number>();
  private readonly counters = new Map<string, CounterState>();
  private kernelPid = -1;
  private lastTid = -1;
  private lastIdx = -1;
  private lastWidth = 0;
  private lastBucket: SliceBucket | null = null;

  constructor(
    private readonly clock: { readonly now: number },
    /** Kept in full at each end (ns of model time). */
    readonly windowNs: number,
  ) {}

  pidOf(group: string): number {
    let i = this.groups.indexOf(group);
    if (i < 0) i = this.groups.push(group) - 1;
    return i + 1;
  }

  private tidOf(t: TracedTask): number {
    if (t.tid < 0) t.tid = this.newTrack(this.pidOf(t.group), t.name);
    return t.tid;
  }

  newTrack(pid: number, name: string): number {
    const tid = this.tracks.length + 1;
    this.tracks.push({ tid, pid, name });
    this.stacks.push([]);
    return tid;
  }

  get counterPid(): number {
    if (this.kernelPid < 0) this.kernelPid = this.pidOf('kernel');
    return this.kernelPid;
  }

  begin(t: TracedTask, name: string): void {
    this.stacks[this.tidOf(t) - 1]!.push({ name, ts: this.clock.now });
  }

  end(t: TracedTask, args?: TraceArgs): void {
    const open = this.stacks[this.tidOf(t) - 1]!.pop();
    if (open === undefined) throw new Error(`trace: end() on ${t.name} with no open slice`);
    this.push({ kind: Kind.Slice, tid: t.tid, name: open.name, ts: open.ts, end: this.clock.now, args, v: -1, tid2: 0 });
  }

  slice(t: TracedTask, name: string, start: number, args?: TraceArgs): void {
    this.push({ kind: Kind.Slice, tid: this.tidOf(t), name, ts: start, end: this.clock.now, args, v: -1, tid2: 0 });
  }

  pageSlice(t: TracedTask, name: string, start: number, page: number): void {
    this.push({ kind: Kind.Slice, tid: this.tidOf(t), name, ts: start, end: this.clock.now, args: undefined, v: page, tid2: 0 });
  }

  counter(name: string, value: number): void {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = { last: NaN, idx: -1, width: 0, bucket: null }));
    if (c.last === value) return;
    c.last = value;
    const now = this.clock.now;
    this.push({ kind: Kind.Counter, tid: 0, name, ts: now, end: now, v: value, tid2: 0 });
  }

  flowOut(t: TracedTask, id: number): void {
    this.flowTid.set(id, this.tidOf(t));
    this.flowTs.set(id, this.clock.now);
  }

  flowIn(t: TracedTask, id: number): void {
    const tid = this.flowTid.get(id);
    if (tid === undefined) return;
    const ts = this.flowTs.get(id)!;
    this.flowTid.delete(id);
    this.flowTs.delete(id);
    this.push({ kind: Kind.Flow, tid, name: 'add request', ts, end: this.clock.now, v: id, tid2: this.tidOf(t) });
  }

  instant(name: string, args?: TraceArgs): void {
    const now = this.clock.now;
    this.push({ kind: Kind.Instant, tid: 0, name, ts: now, end: now, args, v: 0, tid2: 0 });
  }

  mark(t: TracedTask, name: string, args?: TraceArgs): void {
    const now = this.clock.now;
    this.push({ kind: Kind.Instant, tid: this.tidOf(t), name, ts: now, end: now, args, v: -1, tid2: 0 });
  }

  declare(t: TracedTask): void {
    this.tidOf(t);
  }

  private push(it: Item): void {
    this.pending.push(it);
    if (it.end > this.lastEnd) this.lastEnd = it.end;
    const cut = this.clock.now - this.windowNs;
    const p = this.pending;
    while (this.head < p.length && p[this.head]!.end < cut) {
      const old = p[this.head++]!;
      if (this.inHead(old)) this.kept.push(old);
      else this.aggregate(old);
    }
    if (this.head > 4096 && this.head * 2 > p.length) {
      this.pending = p.slice(this.head);
      this.head = 0;
    }
  }

  private inHead(it: Item): boolean {
    const h = this.windowNs;
    return it.kind === Kind.Flow ? it.ts < h && it.end < h : it.ts < h;
  }

  private inWindows(it: Item): boolean {
    const h = this.windowNs;
    const tail = this.tailStart;
    if (it.kind === Kind.Slice) return it.ts < h || it.end >= tail;
    const a = it.ts < h || it.ts >= tail;
    return it.kind === Kind.Flow ? a && (it.end < h || it.end >= tail) : a;
  }

  private bucketOf(ts: number): number {
    let idx = Math.floor((ts - this.windowNs) / this.bucketNs);
    while (idx >= MAX_BUCKETS) {
      this.coarsen();
      idx = Math.floor((ts - this.windowNs) / this.bucketNs);
    }
    return idx;
  }

  private aggregate(it: Item): void {
    // Global instants in the middle are dropped; a track's instants (mark) count in its buckets
    // like zero-length slices.
    if (it.kind === Kind.Flow || (it.kind === Kind.Instant && it.tid === 0)) {
      this.droppedFlows += it.kind === Kind.Flow ? 1 : 0;
      return;
    }
    this.aggregated++;
    const idx = this.bucketOf(it.ts);
    if (it.kind !== Kind.Counter) {
      // Consecutive items nearly always fall in the bucket of the one before on their track.
      let b: SliceBucket | undefined;
      if (this.lastTid === it.tid && this.lastIdx === idx && this.lastWidth === this.bucketNs) b = this.lastBucket!;
      else {
        let track = this.aggSlices.get(it.tid);
        if (track === undefined) this.aggSlices.set(it.tid, (track = new Map()));
        b = track.get(idx);
        if (b === undefined) track.set(idx, (b = new Map()));
        this.lastTid = it.tid;
        this.lastIdx = idx;
        this.lastWidth = this.bucketNs;
        this.lastBucket = b;
      }
      const e = b.get(it.name);
      if (e === undefined) b.set(it.name, [1, it.end - it.ts]);
      else {
        e[0]++;
        e[1] += it.end - it.ts;
      }
      return;
    }
    const st = this.counters.get(it.name)!;
    if (st.bucket !== null && st.idx === idx && st.width === this.bucketNs) {
      mergeSample(st.bucket, it.ts, it.v);
      return;
    }
    let c = this.aggCounters.get(it.name);
    if (c === undefined) this.aggCounters.set(it.name, (c = new Map()));
    let b = c.get(idx);
    if (b === undefined) c.set(idx, (b = [it.ts, it.v, it.ts, it.v, it.ts, it.v]));
    else mergeSample(b, it.ts, it.v);
    st.idx = idx;
    st.width = this.bucketNs;
    st.bucket = b;
  }

  /** Double the bucket width: bucket 2i and 2i+1 become bucket i, on every track and counter. */
  private coarsen(): void {
    this.bucketNs *= 2;
    for (const [tid, track] of this.aggSlices) {
      const next = new Map<number, SliceBucket>();
      for (const [idx, b] of track) {
        const to = next.get(idx >> 1);
        if (to === undefined) next.set(idx >> 1, b);
        else
          for (const [name, [n, ns]] of b) {
            const e = to.get(name);
            if (e === undefined) to.set(name, [n, ns]);
            else {
              e[0] += n;
              e[1] += ns;
            }
          }
      }
      this.aggSlices.set(tid, next);
    }
    for (const [name, c] of this.aggCounters) {
      const next = new Map<number, CounterBucket>();
      for (const [idx, b] of c) {
        const to = next.get(idx >> 1);
        if (to === undefined) next.set(idx >> 1, b);
        else mergeCounter(to, b);
      }
      this.aggCounters.set(name, next);
    }
  }

  /**
   * The case ended at model time `now`: close every open slice there (marked unfinished: a
   * deadlock's waits), fix the tail window and sort the pending items into kept and aggregated.
   */
  finish(): void {
    const now = this.clock.now;
    for (let i = 0; i < this.stacks.length; i++) {
      const s = this.stacks[i]!;
      while (s.length > 0) {
        const open = s.pop()!;
        this.pending.push({ kind: Kind.Slice, tid: i + 1, name: open.name, ts: open.ts, end: now, args: { unfinished: true }, v: -1, tid2: 0 });
        if (now > this.lastEnd) this.lastEnd = now;
      }
    }
    this.tailStart = this.lastEnd - this.windowNs;
    for (let i = this.head; i < this.pending.length; i++) {
      const it = this.pending[i]!;
      if (this.inWindows(it)) this.kept.push(it);
      else this.aggregate(it);
    }
    this.pending = [];
    this.head = 0;
  }
}

function mergeSample(to: CounterBucket, ts: number, v: number): void {
  if (v < to[1]) {
    to[0] = ts;
    to[1] = v;
  }
  if (v > to[3]) {
    to[2] = ts;
    to[3] = v;
  }
  if (ts >= to[4]) {
    to[4] = ts;
    to[5] = v;
  }
}

function mergeCounter(to: CounterBucket, b: CounterBucket): void {
  if (b[1] < to[1]) {
    to[0] = b[0];
    to[1] = b[1];
  }
  if (b[3] > to[3]) {
    to[2] = b[2];
    to[3] = b[3];
  }
  if (b[4] >= to[4]) {
    to[4] = b[4];
    to[5] = b[5];
  }
}
