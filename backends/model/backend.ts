/**
 * The model backend: a deterministic discrete-event simulation of the SGX EADD path on a
 * design (knobs) and a cost profile. All numbers are ns of model time (clock `model`).
 */
import type { Backend, CaseResult, CaseSpec } from '../types.js';
import { findWorkload } from '../../workloads/index.js';
import { type ProfileError, profileCosts, validateProfile } from './profiles.js';
import { rejection, simulate } from './scenario-runner.js';
import { traceRequest, writeCaseTrace } from '../trace.js';
import { scenarioFor } from '../scenario.js';
import type { Scenario } from '../../workloads/types.js';

export { listProfiles, loadProfile, DEFAULT_PROFILE, ProfileError } from './profiles.js';

/** Most builder (or client) processes one case may have. */
export const MAX_PROCESSES = 256;
/** Most pages over all enclaves of one case (2^25 pages = 128 GiB). */
export const MAX_TOTAL_PAGES = 2 ** 25;

/** What a case's spec alone can be refused for (workload, profile, parameters). */
function checkSpec(spec: Omit<CaseSpec, 'caseId'>): string | undefined {
  const w = findWorkload(spec.workload);
  if (!w) return `unknown workload '${spec.workload}'`;
  try {
    validateProfile(spec.profile, spec.profileData);
  } catch (err) {
    return (err as ProfileError).message;
  }
  const p = spec.params;
  for (const key of ['builders', 'clients'] as const) {
    const v = p[key];
    if (typeof v === 'number' && v > MAX_PROCESSES) return `parameter '${key}' = ${v} is more than the model supports; valid range 1..${MAX_PROCESSES}`;
  }
  const size = p['size'];
  const secs = p['secs_size'];
  if (typeof size === 'number' && typeof secs === 'number' && secs > 0 && secs < size) {
    return `parameter 'secs_size' = ${secs} is smaller than 'size' = ${size}; valid: 0 or a power of two ≥ max(8192, size)`;
  }
  return undefined;
}

/** What the case's scenario can be refused for: more pages than the model supports. */
/** What the model cannot run in a generated scenario: too many pages, or fork ops and `forkedBy` that do not match. */
export function checkScenario(sc: Scenario): string | undefined {
  let pages = 0;
  for (const proc of sc.processes) for (const op of proc.ops) if (op.op === 'add') pages += op.pages;
  if (pages > MAX_TOTAL_PAGES)
    return `the case adds ${pages} pages in all; the model supports at most ${MAX_TOTAL_PAGES} (128 GiB): lower size, total, builders or clients`;
  // Each forked process starts at exactly one fork of the parent it names (else it would never
  // start and the run would stall): a workload bug, said as such.
  const byPid = new Map(sc.processes.map((p) => [p.pid, p]));
  const forks = new Map<number, number[]>();
  for (const proc of sc.processes) for (const op of proc.ops) if (op.op === 'fork') forks.set(op.child, [...(forks.get(op.child) ?? []), proc.pid]);
  for (const [child, parents] of forks) {
    const c = byPid.get(child);
    if (c === undefined || c.forkedBy !== parents[0] || parents.length > 1)
      return `workload bug: process ${parents.join(', ')} forks process ${child}, which ${c === undefined ? 'does not exist' : parents.length > 1 ? 'is forked more than once' : `names ${c.forkedBy === undefined ? 'no parent' : `parent ${c.forkedBy}`} in forkedBy`}`;
  }
  for (const proc of sc.processes)
    if (proc.forkedBy !== undefined && !forks.has(proc.pid))
      return `workload bug: process ${proc.pid} names parent ${proc.forkedBy} in forkedBy, which never forks it`;
  return undefined;
}

function check(spec: Omit<CaseSpec, 'caseId'>): string | undefined {
  const bad = checkSpec(spec);
  if (bad !== undefined) return bad;
  const made = scenarioFor(spec);
  return made.ok ? checkScenario(made.scenario) : made.detail;
}

/**
 * Run one case synchronously (the worker wraps it in a promise). With the `trace` option the
 * case's trace is written to `<trace>/<case_id>.json` before the result is returned; a case
 * that does not run (invalid, rejected) writes none.
 */
export function runCaseSync(spec: CaseSpec): CaseResult {
  // The scenario is made once: checked, then run.
  const bad = checkSpec(spec);
  if (bad !== undefined) return { outcome: 'error', detail: bad };
  const made = scenarioFor(spec);
  if (!made.ok) return { outcome: 'error', detail: made.detail };
  const sc = made.scenario;
  const tooBig = checkScenario(sc);
  if (tooBig !== undefined) return { outcome: 'error', detail: tooBig };
  const why = rejection(spec, sc);
  if (why !== undefined) return { outcome: 'rejected', detail: why };
  const tr = traceRequest(spec);
  const sim = simulate(spec, sc, profileCosts(spec.profileData), tr?.windowNs);
  if (tr !== undefined && sim.trace !== null) writeCaseTrace(tr.dir, spec, sim.trace, sim.result.outcome);
  return sim.result;
}

export const backend: Backend = {
  name: 'model',
  clock: 'model',
  validate: check,
  async runCase(spec) {
    return runCaseSync(spec);
  },
};
