/**
 * Timelines for the report's swimlane charts, read from the trace files of `run --trace DIR`
 * (Trace Event Format; the report reads files, it imports nothing of the model). For the
 * workloads where the designs differ most — concurrent builders (the most builders in the
 * results) and mmap-contention — one case per design (nominal draw, first repeat) is chosen
 * from the rows, and the first WINDOW_US of each one's trace is kept: its task tracks (lanes) and
 * complete slices with their nesting depth; the per-CPU tracks (process `CPUs`) are left to
 * trace viewers, the lanes are tasks. Missing trace files are named, not fatal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../results/schema.js';
import { UsageError } from '../common/errors.js';
import { CPU_GROUP } from '../common/trace/recorder.js';
import { parseParams } from './group.js';

/** Model time each swimlane shows, from the start of the case (µs). */
export const WINDOW_US = 2000;
/** Most lanes one chart draws (the rest are counted in its note). */
export const MAX_LANES = 10;

export interface LaneSlice {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly depth: number;
}

export interface Lane {
  readonly name: string;
  readonly group: string;
  readonly slices: readonly LaneSlice[];
}

export interface Timeline {
  readonly workload: string;
  readonly design: string;
  readonly params: string;
  readonly caseId: string;
  readonly windowUs: number;
  readonly lanes: readonly Lane[];
  /** Lanes with slices in the window that were not drawn (MAX_LANES). */
  readonly moreLanes: number;
}

export interface TimelineSet {
  readonly workload: string;
  readonly params: string;
  readonly timelines: readonly Timeline[];
  /** Designs whose trace file was not found. */
  readonly missing: readonly string[];
}

/** The (workload, params) pairs drawn, and for each design the case to draw. */
export function chooseCases(rows: readonly Row[]): { workload: string; params: string; cases: { design: string; caseId: string }[] }[] {
  const out: { workload: string; params: string; cases: { design: string; caseId: string }[] }[] = [];
  const base = rows.filter((r) => r.backend === 'model' && r.draw === 0 && r.repeat === 0 && (r.outcome === 'ok' || r.outcome === 'deadlock'));
  for (const workload of ['concurrent', 'mmap-contention']) {
    const mine = base.filter((r) => r.workload === workload);
    if (mine.length === 0) continue;
    const points = [...new Set(mine.map((r) => r.params))].sort();
    const num = (p: string, k: string) => Number(parseParams(p).get(k) ?? 0);
    // concurrent: the most builders (the serialisation is clearest); otherwise the first point.
    const params = workload === 'concurrent' ? points.reduce((a, b) => (num(b, 'builders') > num(a, 'builders') ? b : a)) : points[0]!;
    const cases: { design: string; caseId: string }[] = [];
    for (const r of mine) {
      if (r.params !== params || cases.some((c) => c.design === r.design)) continue;
      const seed = Math.min(...mine.filter((x) => x.params === params && x.design === r.design).map((x) => x.seed));
      if (r.seed === seed) cases.push({ design: r.design, caseId: r.case_id });
    }
    out.push({ workload, params, cases });
  }
  return out;
}

interface RawEvent {
  readonly name?: unknown;
  readonly ph?: unknown;
  readonly ts?: unknown;
  readonly dur?: unknown;
  readonly pid?: unknown;
  readonly tid?: unknown;
  readonly cat?: unknown;
  readonly args?: { readonly name?: unknown };
}

/** The first `windowUs` of one trace file as lanes; throws a UsageError naming the file if it is not a trace. */
export function readTimeline(file: string, windowUs: number): { lanes: Lane[]; moreLanes: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--traces: ${file} is not a JSON trace: ${err instanceof Error ? err.message : String(err)}`);
  }
  const events = (doc as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new UsageError(`--traces: ${file} has no traceEvents array (not a Trace Event Format file)`);
  const threads = new Map<string, string>();
  const groups = new Map<number, string>();
  const slices = new Map<string, { start: number; end: number; name: string }[]>();
  for (const e of events as RawEvent[]) {
    if (e.ph === 'M' && typeof e.args?.name === 'string') {
      if (e.name === 'thread_name') threads.set(`${String(e.pid)} ${String(e.tid)}`, e.args.name);
      if (e.name === 'process_name' && typeof e.pid === 'number') groups.set(e.pid, e.args.name);
      continue;
    }
    if (e.ph !== 'X' || e.cat === 'aggregated' || typeof e.ts !== 'number' || typeof e.dur !== 'number' || typeof e.name !== 'string') continue;
    if (e.ts >= windowUs) continue;
    const key = `${String(e.pid)} ${String(e.tid)}`;
    let list = slices.get(key);
    if (!list) slices.set(key, (list = []));
    list.push({ start: e.ts, end: Math.min(windowUs, e.ts + e.dur), name: e.name });
  }
  const cpuPids = new Set([...groups].filter(([, g]) => g === CPU_GROUP).map(([pid]) => String(pid)));
  const keys = [...slices.keys()]
    .filter((k) => !cpuPids.has(k.split(' ')[0]!))
    .sort((a, b) => {
      const [pa, ta] = a.split(' ').map(Number);
      const [pb, tb] = b.split(' ').map(Number);
      return pa! - pb! || ta! - tb!;
    });
  const lanes: Lane[] = keys.slice(0, MAX_LANES).map((key) => {
    const list = slices.get(key)!.sort((a, b) => a.start - b.start || b.end - a.end);
    const stack: number[] = [];
    const withDepth = list.map((s) => {
      while (stack.length > 0 && stack[stack.length - 1]! <= s.start) stack.pop();
      const depth = stack.length;
      stack.push(s.end);
      return { ...s, depth };
    });
    return { name: threads.get(key) ?? key, group: groups.get(Number(key.split(' ')[0])) ?? '', slices: withDepth };
  });
  return { lanes, moreLanes: Math.max(0, keys.length - MAX_LANES) };
}

/** Every chosen case's timeline from `dir` (a directory of `<case_id>.json`). */
export function loadTimelines(rows: readonly Row[], dir: string, windowUs = WINDOW_US): TimelineSet[] {
  return chooseCases(rows).map(({ workload, params, cases }) => {
    const timelines: Timeline[] = [];
    const missing: string[] = [];
    for (const c of cases) {
      // Only a plain id: a CSV string must never make the report open another path.
      if (!/^[A-Za-z0-9_-]+$/.test(c.caseId)) {
        missing.push(c.design);
        continue;
      }
      const file = join(dir, `${c.caseId}.json`);
      if (!existsSync(file)) {
        missing.push(c.design);
        continue;
      }
      const { lanes, moreLanes } = readTimeline(file, windowUs);
      timelines.push({ workload, design: c.design, params, caseId: c.caseId, windowUs, lanes, moreLanes });
    }
    return { workload, params, timelines, missing };
  });
}
