/**
 * A model case built in-process, without the harness's plan: for the programs that call the
 * model directly (the self-benchmarks in bench/benchmarks/, the tests). No validation beyond
 * what loading the design and the profile does; the run's path is bench/plan.ts.
 */
import { parseDesign } from '../designs.js';
import type { CaseSpec } from '../types.js';
import { findWorkload } from '../../workloads/index.js';
import { DEFAULT_PROFILE, loadProfile } from './profiles.js';

/**
 * The case of `workload` on `design` (a preset or a knob string): the workload's defaults with
 * `params` over them, the profile by name or file, seed and repeat as given.
 */
export function modelCase(
  workload: string,
  design: string,
  params: Readonly<Record<string, number | string>> = {},
  profile = DEFAULT_PROFILE,
  seed = 1,
  repeat = 0,
  caseId = 'direct',
): CaseSpec {
  const w = findWorkload(workload);
  if (!w) throw new Error(`no workload ${workload}`);
  const values: Record<string, number | string> = {};
  for (const p of w.params) values[p.name] = p.default;
  Object.assign(values, params);
  const d = parseDesign(design);
  const pr = loadProfile(profile);
  return {
    caseId,
    backend: 'model',
    design: d.name,
    knobs: d.knobs,
    workload,
    profile: pr.name,
    profileData: pr.data,
    params: values,
    seed,
    repeat,
    options: {},
  };
}
