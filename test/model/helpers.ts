/** Building CaseSpecs for model tests. */
import { parseDesign } from '../../backends/designs.js';
import { loadProfile } from '../../backends/model/profiles.js';
import { findWorkload } from '../../workloads/index.js';
import type { CaseSpec } from '../../backends/types.js';

export const MiB = 1024 * 1024;

export function spec(
  workload: string,
  design: string,
  params: Record<string, number | string> = {},
  profile = 'skylake-client',
  seed = 1,
  repeat = 0,
): CaseSpec {
  const w = findWorkload(workload);
  if (!w) throw new Error(`no workload ${workload}`);
  const values: Record<string, number | string> = {};
  for (const p of w.params) values[p.name] = p.default;
  Object.assign(values, params);
  const d = parseDesign(design);
  const pr = loadProfile(profile);
  return {
    caseId: 'test',
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

export function metric(r: { outcome: string; metrics?: readonly { metric: string; value: number }[] }, name: string): number {
  const m = r.metrics?.find((x) => x.metric === name);
  if (!m) throw new Error(`metric ${name} missing (outcome ${r.outcome})`);
  return m.value;
}
