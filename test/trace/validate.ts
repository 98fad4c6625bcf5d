/**
 * Checks a trace against the Trace Event Format's rules as Perfetto and chrome://tracing read
 * them: a JSON object with a `traceEvents` array; the fields each phase requires; complete
 * (`X`) slices properly nested on every track; flow `s`/`f` pairs matched by (cat, id) with the
 * head no earlier than the tail; timestamps monotonic per track (threads and counters) in file
 * order. Returns the problems found (empty when the trace is valid).
 */

export interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts?: number;
  readonly dur?: number;
  readonly pid?: number;
  readonly tid?: number;
  readonly id?: number;
  readonly cat?: string;
  readonly s?: string;
  readonly bp?: string;
  readonly args?: Record<string, unknown>;
}

export interface TraceFile {
  readonly traceEvents: TraceEvent[];
  readonly otherData?: Record<string, unknown>;
}

/** Rounding slack of µs timestamps printed from integer ns (1 ns). */
const EPS = 1e-3;

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  X: ['name', 'ts', 'dur', 'pid', 'tid'],
  C: ['name', 'ts', 'pid', 'args'],
  i: ['name', 'ts', 'pid', 's'],
  s: ['name', 'cat', 'id', 'ts', 'pid', 'tid'],
  f: ['name', 'cat', 'id', 'ts', 'pid', 'tid'],
  M: ['name', 'pid', 'args'],
};

export function validateTrace(doc: unknown): string[] {
  const problems: string[] = [];
  const bad = (i: number, why: string): void => {
    if (problems.length < 20) problems.push(`event ${i}: ${why}`);
  };
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as TraceFile).traceEvents)) return ['not an object with a traceEvents array'];
  const events = (doc as TraceFile).traceEvents;
  const lastTs = new Map<string, number>();
  const stacks = new Map<string, number[]>();
  const flows = new Map<string, { s: number; f: number; sTs: number; fTs: number }>();
  events.forEach((e, i) => {
    const req = REQUIRED[e.ph];
    if (req === undefined) return bad(i, `phase '${e.ph}' is not one this tool writes`);
    for (const f of req) if ((e as unknown as Record<string, unknown>)[f] === undefined) bad(i, `${e.ph} event '${e.name}' lacks '${f}'`);
    if (e.ph === 'M') return;
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) return bad(i, `ts ${String(e.ts)} is not a finite number ≥ 0`);
    const track = e.ph === 'C' ? `C ${e.pid} ${e.name}` : e.ph === 'i' && e.s === 'g' ? 'global' : `T ${e.pid} ${e.tid}`;
    const prev = lastTs.get(track);
    if (prev !== undefined && e.ts < prev - EPS) bad(i, `ts ${e.ts} goes back on track ${track} (after ${prev})`);
    lastTs.set(track, e.ts);
    if (e.ph === 'C') {
      for (const [k, v] of Object.entries(e.args ?? {}))
        if (typeof v !== 'number' || !Number.isFinite(v)) bad(i, `counter '${e.name}' arg ${k} is not a number`);
    }
    if (e.ph === 'i' && !['g', 'p', 't'].includes(e.s ?? '')) bad(i, `instant scope '${String(e.s)}'`);
    if (e.ph === 'X') {
      if (typeof e.dur !== 'number' || !(e.dur >= 0)) return bad(i, `dur ${String(e.dur)} is not ≥ 0`);
      const st = stacks.get(track) ?? [];
      // Pop the slices that ended before this one starts; what is left must contain it.
      while (st.length > 0 && st[st.length - 1]! <= e.ts + EPS) st.pop();
      const end = e.ts + e.dur;
      if (st.length > 0 && end > st[st.length - 1]! + EPS)
        bad(i, `slice '${e.name}' [${e.ts}, ${end}] overlaps its parent (ends ${st[st.length - 1]}) on ${track}`);
      st.push(end);
      stacks.set(track, st);
    }
    if (e.ph === 's' || e.ph === 'f') {
      const key = `${e.cat} ${e.id}`;
      const fl = flows.get(key) ?? { s: 0, f: 0, sTs: NaN, fTs: NaN };
      if (e.ph === 's') {
        fl.s++;
        fl.sTs = e.ts;
      } else {
        fl.f++;
        fl.fTs = e.ts;
      }
      flows.set(key, fl);
    }
  });
  for (const [key, fl] of flows) {
    if (fl.s !== 1 || fl.f !== 1) problems.push(`flow ${key}: ${fl.s} starts and ${fl.f} ends (want 1 and 1)`);
    else if (fl.fTs < fl.sTs - EPS) problems.push(`flow ${key} ends (${fl.fTs}) before it starts (${fl.sTs})`);
  }
  return problems;
}

/** Track names (`thread_name` metadata) by "pid tid". */
export function trackNames(doc: TraceFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of doc.traceEvents) if (e.ph === 'M' && e.name === 'thread_name') out.set(`${e.pid} ${e.tid}`, String(e.args?.['name']));
  return out;
}
