/** Building CaseSpecs for model tests. */
import { modelCase } from '../../backends/model/case.js';
import type { CaseSpec } from '../../backends/types.js';

export const MiB = 1024 * 1024;

/** A model case for a test (backends/model/case.ts), on skylake-client unless told. */
export function spec(
  workload: string,
  design: string,
  params: Record<string, number | string> = {},
  profile = 'skylake-client',
  seed = 1,
  repeat = 0,
): CaseSpec {
  return modelCase(workload, design, params, profile, seed, repeat, 'test');
}

export function metric(r: { outcome: string; metrics?: readonly { metric: string; value: number }[] }, name: string): number {
  const m = r.metrics?.find((x) => x.metric === name);
  if (!m) throw new Error(`metric ${name} missing (outcome ${r.outcome})`);
  return m.value;
}
