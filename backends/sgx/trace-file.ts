/**
 * A hardware case's trace file: the SysTraceData of every thread and process that ran it,
 * merged on one clock. All of them are CLOCK_MONOTONIC ns (one clock for the whole machine),
 * so one origin, the earliest recorded start, is subtracted from all; `otherData` states the
 * clock (`wall`, µs) and the origin. The slices are replayed in order of their end into the
 * same window recorder as model traces, so a long case keeps the first and last
 * `--trace-window` ms in full and aggregates the middle (common/trace/window.ts).
 */
import type { CaseSpec } from '../types.js';
import type { TracedTask } from '../../common/trace/recorder.js';
import { WindowRecorder } from '../../common/trace/window.js';
import { writeCaseTrace } from '../trace.js';
import type { SysTraceData } from './trace.js';

interface Flat {
  readonly task: TracedTask;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly args: SysTraceData['args'][number] | undefined;
}

/** The merged recorder and the origin (CLOCK_MONOTONIC ns) its time 0 stands for. */
export function mergeSysTraces(traces: readonly SysTraceData[], windowNs: number): { rec: WindowRecorder; originNs: number } {
  const tasks = new Map<string, TracedTask>();
  const flat: Flat[] = [];
  for (const t of traces) {
    const group = `${t.process} (pid ${t.osPid})`;
    const key = `${group}\u0000${t.thread}`;
    let task = tasks.get(key);
    if (task === undefined) tasks.set(key, (task = { name: t.thread, group, tid: -1 }));
    for (let i = 0; i + 3 < t.ev.length; i += 4) {
      const a = t.ev[i + 3]!;
      flat.push({ task, name: t.names[t.ev[i]!]!, start: t.ev[i + 1]!, end: t.ev[i + 2]!, args: a >= 0 ? t.args[a] : undefined });
    }
  }
  const originNs = flat.reduce((m, f) => Math.min(m, f.start), Infinity);
  const origin = Number.isFinite(originNs) ? originNs : 0;
  // By end, then the longer first (an outer slice ends with or after its last inner one).
  flat.sort((a, b) => a.end - b.end || a.start - b.start);
  const clock = { now: 0 };
  const rec = new WindowRecorder(clock, windowNs);
  for (const f of flat) {
    clock.now = f.end - origin;
    rec.slice(f.task, f.name, f.start - origin, f.args);
  }
  rec.finish();
  return { rec, originNs: origin };
}

export function writeSysTrace(dir: string, windowNs: number, spec: CaseSpec, traces: readonly SysTraceData[], outcome: string): void {
  const { rec, originNs } = mergeSysTraces(traces, windowNs);
  writeCaseTrace(dir, spec, rec, outcome, 'wall', {
    backend: 'sgx',
    device: spec.options['device'] ?? '',
    clock_source: 'CLOCK_MONOTONIC',
    origin_ns: originNs,
    threads: traces.length,
  });
}
