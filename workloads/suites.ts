/** Named sweeps (`eaddbench run --suite NAME`); `default` is what `npm start` runs. */

export interface SuiteEntry {
  readonly workload: string;
  /** Design presets or knob strings. */
  readonly designs: readonly string[];
  /** `--set` values: every key's list is swept (cartesian product). */
  readonly sets: Readonly<Record<string, readonly string[]>>;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  readonly entries: readonly SuiteEntry[];
}

export const SUITES: readonly Suite[] = [];
