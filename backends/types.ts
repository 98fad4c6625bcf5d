/**
 * The contract between the harness and a backend.
 *
 * A case is pure: (workload, design, backend, profile, params, seed, repeat) → result.
 * The harness sends a CaseSpec to a pool worker, the worker calls the backend, and the
 * backend's CaseResult becomes CSV rows. Nothing else crosses the worker boundary.
 */
import type { Clock, Outcome } from '../results/schema.js';
import type { DesignKnobs } from './designs.js';
import type { ParamValues } from '../workloads/types.js';

export type BackendName = 'model' | 'sgx';

/** A cost profile as loaded from JSON (validated by backends/model/profiles.ts). */
export type ProfileData = Record<string, unknown>;

export interface CaseSpec {
  /** Stable id derived from the other fields. */
  readonly caseId: string;
  readonly backend: BackendName;
  /** Preset name or canonical knob string, as written to the CSV. */
  readonly design: string;
  readonly knobs: DesignKnobs;
  readonly workload: string;
  /** Profile name as written to the CSV. */
  readonly profile: string;
  /** The resolved profile document (the model's costs), already validated. */
  readonly profileData: ProfileData;
  /** Every parameter of the workload, defaults filled in, validated. */
  readonly params: ParamValues;
  readonly seed: number;
  readonly repeat: number;
  /**
   * Cost draw: 0 is the nominal profile, d ≥ 1 the d-th cost vector of `run --draws N`
   * (profileData then already holds that vector's costs). Absent: 0.
   */
  readonly draw?: number;
  /** Backend-specific options (e.g. `device` for sgx). */
  readonly options: Readonly<Record<string, string>>;
}

/** One metric value; its unit comes from the schema, its clock from the backend. */
export interface MetricValue {
  readonly metric: string;
  readonly value: number;
  readonly detail?: string;
}

/** The result of one case: a union on its outcome, like tinybench's task states. */
export type CaseResult =
  | { readonly outcome: 'ok'; readonly metrics: readonly MetricValue[] }
  | {
      readonly outcome: Exclude<Outcome, 'ok'>;
      /** The reason: rejection, deadlock cycle, error message, skip reason. */
      readonly detail: string;
      /** Metrics measured before the case ended, if any. */
      readonly metrics?: readonly MetricValue[];
    };

export interface Backend {
  readonly name: BackendName;
  /** The clock every number of this backend comes from. */
  readonly clock: Clock;
  /**
   * Check a case before anything runs (main thread). Returns an error message naming the
   * parameter and its valid range, or undefined when the case can run.
   */
  validate?(spec: Omit<CaseSpec, 'caseId'>): string | undefined;
  runCase(spec: CaseSpec): Promise<CaseResult>;
}
