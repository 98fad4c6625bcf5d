/**
 * Where and how a case's trace is written: `<dir>/<case_id>.json`, whole or not at all
 * (common/atomic-write.ts), by the worker that ran the case, for either backend. The run passes
 * the directory and the window in the case's backend options (`trace`, `trace_window_ms`);
 * they are not part of the case id, so a traced case has the id (and the results) of the same
 * case untraced.
 */
import { join } from 'node:path';
import type { CaseSpec } from './types.js';
import { writeFileAtomic } from '../common/atomic-write.js';
import { traceJson, type TraceClock } from '../common/trace/json.js';
import type { WindowRecorder } from '../common/trace/window.js';

/** Model time kept in full at each end of a model trace when the run does not say (ms). */
export const DEFAULT_TRACE_WINDOW_MS = 2;
/**
 * Wall time kept in full at each end of a hardware trace when the run does not say (ms): a
 * hardware case runs a warm-up and several samples, each taking milliseconds or more.
 */
export const DEFAULT_WALL_TRACE_WINDOW_MS = 500;

/** The options of a traced case: its directory and window (ns), or undefined when untraced. */
export function traceRequest(spec: CaseSpec): { dir: string; windowNs: number } | undefined {
  const dir = spec.options['trace'];
  if (dir === undefined || dir === '') return undefined;
  const fallback = spec.backend === 'model' ? DEFAULT_TRACE_WINDOW_MS : DEFAULT_WALL_TRACE_WINDOW_MS;
  const ms = Number(spec.options['trace_window_ms'] ?? fallback);
  return { dir, windowNs: Math.round(ms * 1e6) };
}

/** The file a case's trace goes to. */
export function tracePath(dir: string, caseId: string): string {
  return join(dir, `${caseId}.json`);
}

/**
 * The trace's JSON text, with the case named in `otherData` (nothing run-specific in model
 * traces: deterministic) and any backend facts in `extra` (a hardware trace's clock origin).
 */
export function caseTraceJson(
  spec: CaseSpec,
  rec: WindowRecorder,
  outcome: string,
  clock: TraceClock = 'model',
  extra: Readonly<Record<string, unknown>> = {},
): string {
  const meta = {
    case_id: spec.caseId,
    workload: spec.workload,
    design: spec.design,
    profile: spec.profile,
    params: spec.params,
    seed: spec.seed,
    repeat: spec.repeat,
    draw: spec.draw ?? 0,
    outcome,
    ...extra,
  };
  return traceJson(rec, meta, clock);
}

export function writeCaseTrace(
  dir: string,
  spec: CaseSpec,
  rec: WindowRecorder,
  outcome: string,
  clock: TraceClock = 'model',
  extra: Readonly<Record<string, unknown>> = {},
): void {
  writeFileAtomic(tracePath(dir, spec.caseId), caseTraceJson(spec, rec, outcome, clock, extra), { flag: '--trace' });
}
