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
  /**
   * The profile document of each draw: index 0 the nominal profile, index d the d-th cost
   * vector (backends/model/draws.ts). Absent or one entry: no draws.
   */
  readonly drawProfiles?: readonly ProfileData[];
  readonly options: Readonly<Record<string, string>>;
}

export function caseIdOf(c: Omit<CaseSpec, 'caseId' | 'knobs' | 'profileData' | 'options'>): string {
  // Draw 0 keeps the id a run without draws gives, so nominal rows match older files.
  const fields = [c.backend, c.design, c.workload, c.profile, formatParams(c.params), c.seed, c.repeat, ...((c.draw ?? 0) === 0 ? [] : [c.draw])];
  const key = JSON.stringify(fields);
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Every case of the sweep, in plan order (entry, parameter point, design, repeat, draw). */
export function planCases(input: PlanInput): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const seen = new Set<string>();
  const profiles = input.drawProfiles && input.drawProfiles.length > 0 ? input.drawProfiles : [input.profile.data];
  for (const entry of input.entries) {
    for (const params of expandSweep(entry.workload, entry.sets)) {
      for (const design of entry.designs) {
        for (let repeat = 0; repeat < input.repeat; repeat++) {
          for (let draw = 0; draw < profiles.length; draw++) {
            const base = {
              backend: input.backend,
              design: design.name,
              workload: entry.workload.name,
              profile: input.profile.name,
              params,
              seed: input.seed,
              repeat,
              draw,
            };
            const caseId = caseIdOf(base);
            if (seen.has(caseId)) continue; // the same case named twice in a suite runs once
            seen.add(caseId);
            cases.push({ ...base, caseId, knobs: design.knobs, profileData: profiles[draw]!, options: input.options });
          }
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
