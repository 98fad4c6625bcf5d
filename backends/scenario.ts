/**
 * The scenario of a case, for every backend: the workload's generator run on the case's
 * parameters and a seed made from (seed, repeat). One function, so the model and the hardware
 * replay the same arrivals for the same case, and the repeats of a case differ on both.
 */
import type { CaseSpec } from './types.js';
import { findWorkload } from '../workloads/index.js';
import type { Scenario } from '../workloads/types.js';

/** Seed of the workload generator: the case seed with the repeat index mixed in. */
export function scenarioSeed(seed: number, repeat: number): number {
  return (seed + Math.imul(repeat, 0x9e3779b1)) >>> 0;
}

/** What the scenario depends on: the rest of a case (design, profile, options) does not change it. */
export type ScenarioSpec = Pick<CaseSpec, 'workload' | 'params' | 'seed' | 'repeat'>;

/** The case's scenario, or the error when its workload is unknown. */
export function scenarioFor(spec: ScenarioSpec): { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly detail: string } {
  const w = findWorkload(spec.workload);
  if (!w) return { ok: false, detail: `unknown workload '${spec.workload}'` };
  return { ok: true, scenario: w.generate(spec.params, scenarioSeed(spec.seed, spec.repeat)) };
}
