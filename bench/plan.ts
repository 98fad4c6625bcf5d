/**
 * Planning: a sweep (workloads × designs × parameter points × repeats) becomes an ordered list
 * of cases, each with a stable id; `--shard i/n` keeps a deterministic 1/n of them.
 */
import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';
import { expandSweep, formatParams } from './params.js';
import type { BackendName, CaseSpec, ProfileData } from '../backends/types.js';
import type { DesignKnobs } from '../backends/designs.js';
import type { WorkloadSpec } from '../workloads/types.js';

export interface SweepEntry {
  readonly workload: WorkloadSpec;
  readonly designs: readonly { readonly name: string; readonly knobs: DesignKnobs }[];
  /** Raw `--set` lists; keys must belong to the workload. */
  readonly sets: ReadonlyMap<string, readonly string[]>;
}

export interface PlanInput {
  readonly entries: readonly SweepEntry[];
  readonly backend: BackendName;
  readonly profile: { readonly name: string; readonly data: ProfileData };
  readonly seed: number;
  readonly repeat: number;
  readonly options: Readonly<Record<string, string>>;
}

export function caseIdOf(c: Omit<CaseSpec, 'caseId' | 'knobs' | 'profileData' | 'options'>): string {
  const key = JSON.stringify([c.backend, c.design, c.workload, c.profile, formatParams(c.params), c.seed, c.repeat]);
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Every case of the sweep, in plan order (entry, parameter point, design, repeat). */
export function planCases(input: PlanInput): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const seen = new Set<string>();
  for (const entry of input.entries) {
    for (const params of expandSweep(entry.workload, entry.sets)) {
      for (const design of entry.designs) {
        for (let repeat = 0; repeat < input.repeat; repeat++) {
          const base = {
            backend: input.backend,
            design: design.name,
            workload: entry.workload.name,
            profile: input.profile.name,
            params,
            seed: input.seed,
            repeat,
          };
          const caseId = caseIdOf(base);
          if (seen.has(caseId)) continue; // the same case named twice in a suite runs once
          seen.add(caseId);
          cases.push({ ...base, caseId, knobs: design.knobs, profileData: input.profile.data, options: input.options });
        }
      }
    }
  }
  return cases;
}

/** Parse `--shard i/n` (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard '${text}' is invalid; expected i/n with 1 ≤ i ≤ n (e.g. --shard 2/4)`);
  }
  return { index, count };
}

/** The cases of shard i of n: every n-th case of the plan, starting at i − 1. */
export function selectShard<T>(cases: readonly T[], shard: { index: number; count: number }): T[] {
  return cases.filter((_, k) => k % shard.count === shard.index - 1);
}
