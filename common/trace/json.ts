/**
 * Serialises a finished WindowRecorder as the Trace Event Format (a JSON object with a
 * `traceEvents` array; Perfetto UI and chrome://tracing open it). Timestamps are µs of the
 * recorder's clock (model time, or wall time for hardware traces). Kept slices are complete
 * events (`X`, category-less) on their task's track; aggregated buckets are `X` events on a
 * twin track "<task> (aggregated)"; counters are `C` events of the kernel process; flows are
 * `s`/`f` pairs; instants are global (`deadlock`) or on a track (`mark`). Events are sorted by
 * (time, longer first, recording order), so every track's timestamps are monotonic and parents
 * precede children.
 */
import { Kind, type Item, type WindowRecorder } from './window.js';

type Event = Record<string, unknown>;

interface Sorted {
  readonly ts: number;
  readonly dur: number;
  readonly seq: number;
  readonly line: string;
}

const us = (ns: number): number => Math.round(ns) / 1000;

/** The JSON keys of an aggregated slice kind's args (`"EADD count"`, `"EADD busy_us"`), made once per kind. */
const countKeys = new Map<string, string>();
const busyKeys = new Map<string, string>();
function argKeys(kind: string, busy = false): string {
  const m = busy ? busyKeys : countKeys;
  let k = m.get(kind);
  if (k === undefined) m.set(kind, (k = JSON.stringify(`${kind} ${busy ? 'busy_us' : 'count'}`)));
  return k;
}

/** The clock a trace's timestamps are read from: simulated time, or CLOCK_MONOTONIC wall time. */
export type TraceClock = 'model' | 'wall';

/** The trace as JSON text (one event per line); `clock` is stated in `otherData`. */
export function traceJson(rec: WindowRecorder, meta: Readonly<Record<string, unknown>>, clock: TraceClock = 'model'): string {
  const out: Sorted[] = [];
  let seq = 0;
  const add = (ts: number, dur: number, line: string): void => {
    out.push({ ts, dur, seq: seq++, line });
  };
  const pidOfTid = (tid: number): number => rec.tracks[tid - 1]!.pid;
  const names = new Map<string, string>();
  for (const it of rec.kept) emitItem(rec, it, pidOfTid, names, add);

  // Aggregated slices, on twin tracks (created in track order: deterministic ids).
  const tail = rec.tailStart;
  const w = rec.bucketNs;
  for (const tid of [...rec.aggSlices.keys()].sort((a, b) => a - b)) {
    const src = rec.tracks[tid - 1]!;
    const twin = rec.newTrack(src.pid, `${src.name} (aggregated)`);
    const buckets = rec.aggSlices.get(tid)!;
    for (const idx of [...buckets.keys()].sort((a, b) => a - b)) {
      const b = buckets.get(idx)!;
      const start = rec.windowNs + idx * w;
      const dur = Math.max(0, Math.min(w, tail - start));
      const kinds = [...b.keys()].sort();
      let top = kinds[0]!;
      let topNs = -1;
      let count = 0;
      // The args object as JSON.stringify would write it (keys in this order, numbers as
      // String(n)), built as text: thousands of buckets per trace.
      let args = '';
      for (const n of kinds) {
        const [c, ns] = b.get(n)!;
        count += c;
        args += `${args === '' ? '' : ','}${argKeys(n)}:${c},${argKeys(n, true)}:${us(ns)}`;
        if (ns > topNs) {
          top = n;
          topNs = ns;
        }
      }
      const name = JSON.stringify(`${top} ×${count} (aggregated)`);
      add(start, dur, `{"name":${name},"cat":"aggregated","ph":"X","ts":${us(start)},"dur":${us(dur)},"pid":${src.pid},"tid":${twin},"args":{${args}}}`);
    }
  }
  for (const name of [...rec.aggCounters.keys()].sort()) {
    // Read only when there are counters: a trace without them has no `kernel` process.
    const cpid = rec.counterPid;
    const buckets = rec.aggCounters.get(name)!;
    for (const idx of [...buckets.keys()].sort((a, b) => a - b)) {
      const [t0, v0, t1, v1, t2, v2] = buckets.get(idx)!;
      const pts = [
        [t0, v0],
        [t1, v1],
        [t2, v2],
      ].sort((a, b) => a[0]! - b[0]!);
      let last = -1;
      const qname = JSON.stringify(name);
      for (const [t, v] of pts) {
        if (t === last) continue;
        last = t!;
        add(t!, 0, `{"name":${qname},"ph":"C","ts":${us(t!)},"pid":${cpid},"args":{"value":${v}}}`);
      }
    }
  }
  out.sort((a, b) => a.ts - b.ts || b.dur - a.dur || a.seq - b.seq);

  const chunks: string[] = ['{"traceEvents":[\n'];
  const metaEvents: string[] = [];
  rec.groups.forEach((g, i) => metaEvents.push(JSON.stringify({ name: 'process_name', ph: 'M', pid: i + 1, tid: 0, args: { name: g } })));
  for (const t of rec.tracks) {
    metaEvents.push(JSON.stringify({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: t.name } }));
    metaEvents.push(JSON.stringify({ name: 'thread_sort_index', ph: 'M', pid: t.pid, tid: t.tid, args: { sort_index: t.tid } }));
  }
  const all = [...metaEvents, ...out.map((s) => s.line)];
  chunks.push(all.join(',\n'), '\n');
  const other = {
    ...meta,
    clock,
    time_unit: 'us',
    window_ms: rec.windowNs / 1e6,
    tail_start_us: Number.isFinite(tail) ? us(Math.max(0, tail)) : 0,
    bucket_us: us(w),
    aggregated_items: rec.aggregated,
    dropped_flows: rec.droppedFlows,
  };
  chunks.push(`],"displayTimeUnit":"ms","otherData":${JSON.stringify(other)}}\n`);
  return chunks.join('');
}

function emitItem(
  rec: WindowRecorder,
  it: Item,
  pidOfTid: (tid: number) => number,
  names: Map<string, string>,
  add: (ts: number, dur: number, line: string) => void,
): void {
  let name = names.get(it.name);
  if (name === undefined) names.set(it.name, (name = JSON.stringify(it.name)));
  switch (it.kind) {
    case Kind.Slice: {
      const args = it.v >= 0 ? `,"args":{"page":${it.v}}` : it.args !== undefined ? `,"args":${JSON.stringify(it.args)}` : '';
      add(it.ts, it.end - it.ts, `{"name":${name},"ph":"X","ts":${us(it.ts)},"dur":${us(it.end - it.ts)},"pid":${pidOfTid(it.tid)},"tid":${it.tid}${args}}`);
      return;
    }
    case Kind.Counter:
      add(it.ts, 0, `{"name":${name},"ph":"C","ts":${us(it.ts)},"pid":${rec.counterPid},"args":{"value":${it.v}}}`);
      return;
    case Kind.Instant: {
      // tid 0: a global instant (of the kernel process); else one on that track.
      const ev: Event =
        it.tid === 0
          ? { name: it.name, cat: 'model', ph: 'i', s: 'g', ts: us(it.ts), pid: rec.counterPid, tid: 0 }
          : { name: it.name, cat: 'model', ph: 'i', s: 't', ts: us(it.ts), pid: pidOfTid(it.tid), tid: it.tid };
      if (it.args !== undefined) ev['args'] = it.args;
      add(it.ts, 0, JSON.stringify(ev));
      return;
    }
    case Kind.Flow:
      add(it.ts, 0, JSON.stringify({ name: it.name, cat: 'flow', ph: 's', id: it.v, ts: us(it.ts), pid: pidOfTid(it.tid), tid: it.tid }));
      add(it.end, 0, JSON.stringify({ name: it.name, cat: 'flow', ph: 'f', bp: 'e', id: it.v, ts: us(it.end), pid: pidOfTid(it.tid2), tid: it.tid2 }));
      return;
  }
}
