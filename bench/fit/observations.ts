/**
 * Calibration observations: a tidy CSV, one published figure per row, with the model run that
 * reproduces it (backends/model/calibration/observations.csv; docs/validation.md). Every row
 * is checked here; a bad one is a UsageError naming the file, line and column (exit 2).
 *
 * `metric` is a results metric (results/schema.ts) or `slope:METRIC`: the change of METRIC per
 * 4 KiB page between the two ends of the one size parameter written `size=A..B`.
 */
import { parse } from 'csv-parse/sync';
import { InputFileError, readInput } from '../../common/input-file.js';
import { parseDesign, DesignError, type DesignKnobs } from '../../backends/designs.js';
import { metricDef } from '../../results/schema.js';
import { findWorkload } from '../../workloads/index.js';
import type { ParamSpec, ParamValues, WorkloadSpec } from '../../workloads/types.js';
import { UsageError } from '../errors.js';
import { parseParam } from '../params.js';
import { isResultsCsv, observationsFromResults } from './from-results.js';

export const OBSERVATION_COLUMNS = [
  'id',
  'source',
  'machine',
  'profile',
  'workload',
  'design',
  'params',
  'metric',
  'value',
  'unit',
  'rel_uncertainty',
  'role',
  'mapping',
] as const;

/**
 * What a row is for: `fit` rows are fitted to; `check` rows are only compared with the model
 * before and after (a figure the model has no step for, kept visible but out of the objective,
 * so that it cannot pull the costs it does have away from the rows it can represent).
 */
export const OBSERVATION_ROLES = ['fit', 'check'] as const;
export type ObservationRole = (typeof OBSERVATION_ROLES)[number];

export interface Observation {
  readonly id: string;
  readonly line: number;
  readonly source: string;
  readonly machine: string;
  readonly profile: string;
  readonly workload: string;
  readonly design: string;
  readonly knobs: DesignKnobs;
  /** The model run(s): one point, or the two ends of a slope. */
  readonly points: readonly ParamValues[];
  /** The metric read from each run. */
  readonly metric: string;
  /** Pages between the two ends of a slope; undefined for a point. */
  readonly slopePages: number | undefined;
  readonly value: number;
  readonly unit: string;
  readonly relUncertainty: number;
  readonly role: ObservationRole;
  readonly mapping: string;
}

/** A row's workload; a UsageError naming the column (`at`) when it is unknown. */
export function rowWorkload(name: string, at: (col: string) => string): WorkloadSpec {
  const w = findWorkload(name);
  if (!w) throw new UsageError(`${at('workload')}: unknown workload '${name}'`);
  return w;
}

/** A row's design knobs; a UsageError naming the column when the design does not parse. */
export function rowKnobs(design: string, at: (col: string) => string): DesignKnobs {
  try {
    return parseDesign(design).knobs;
  } catch (err) {
    if (err instanceof DesignError) throw new UsageError(`${at('design')}: ${err.message}`);
    throw err;
  }
}

/** One `key=value` of a row's params: the parameter and its raw value; a UsageError for an unknown key. */
export function rowParam(w: WorkloadSpec, part: string, at: (col: string) => string): { readonly key: string; readonly spec: ParamSpec; readonly raw: string } {
  const eq = part.indexOf('=');
  const key = part.slice(0, eq).trim();
  const spec = w.params.find((p) => p.name === key);
  if (eq <= 0 || !spec)
    throw new UsageError(`${at('params')}: unknown parameter '${key || part}' for workload '${w.name}'; valid: ${w.params.map((p) => p.name).join(', ')}`);
  return { key, spec, raw: part.slice(eq + 1).trim() };
}

/** A parameter's value parsed; a UsageError naming the params column when it is bad. */
export function rowParamValue(w: WorkloadSpec, spec: ParamSpec, raw: string, at: (col: string) => string): number | string {
  try {
    return parseParam(w.name, spec, raw);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${at('params')}: ${err.message}`);
    throw err;
  }
}

/**
 * Reads and checks an observations file; `profiles` are the profile names it may name. A hardware
 * results CSV is read as observations too (from-results.ts), each for `resultsProfile`.
 */
export function readObservations(file: string, profiles: readonly string[], resultsProfile?: string): Observation[] {
  let text: string;
  try {
    text = readInput(file, 'csv').toString('utf8');
  } catch (err) {
    if (err instanceof InputFileError) throw new UsageError(`--observations ${err.message}`);
    throw err;
  }
  if (isResultsCsv(text)) {
    if (resultsProfile === undefined) throw new UsageError(`observations ${file}: a results CSV; only eaddbench fit reads those as observations`);
    return observationsFromResults(text, file, resultsProfile);
  }
  return parseObservations(text, file, profiles);
}

export function parseObservations(text: string, file: string, profiles: readonly string[]): Observation[] {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new UsageError(`observations ${file}: not valid CSV (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = records[0];
  if (header === undefined || header.join(',') !== OBSERVATION_COLUMNS.join(',')) {
    throw new UsageError(`observations ${file}:1: the header must be exactly ${OBSERVATION_COLUMNS.join(',')}`);
  }
  const out: Observation[] = [];
  const ids = new Set<string>();
  for (let i = 1; i < records.length; i++) {
    const line = i + 1;
    const rec = records[i]!;
    const at = (col: string): string => `observations ${file}:${line}: column '${col}'`;
    if (rec.length !== OBSERVATION_COLUMNS.length)
      throw new UsageError(`observations ${file}:${line}: ${rec.length} fields; expected ${OBSERVATION_COLUMNS.length}`);
    const f = Object.fromEntries(OBSERVATION_COLUMNS.map((c, j) => [c, rec[j]!.trim()])) as Record<(typeof OBSERVATION_COLUMNS)[number], string>;
    for (const c of ['id', 'source', 'machine', 'mapping'] as const) if (f[c] === '') throw new UsageError(`${at(c)} is empty`);
    if (ids.has(f.id)) throw new UsageError(`${at('id')}: '${f.id}' is used twice`);
    ids.add(f.id);
    if (!profiles.includes(f.profile)) throw new UsageError(`${at('profile')}: unknown profile '${f.profile}'; valid: ${profiles.join(', ')}`);
    const w = rowWorkload(f.workload, at);
    const knobs = rowKnobs(f.design, at);
    const slope = f.metric.startsWith('slope:');
    const metric = slope ? f.metric.slice('slope:'.length) : f.metric;
    const def = metricDef(metric);
    if (!def) throw new UsageError(`${at('metric')}: unknown metric '${metric}' (eaddbench schema lists them; a slope is written slope:METRIC)`);
    const wantUnit = slope ? `${def.unit}/page` : def.unit;
    if (f.unit !== wantUnit) throw new UsageError(`${at('unit')}: '${f.unit}' for ${f.metric}; expected '${wantUnit}'`);
    const value = Number(f.value);
    if (f.value === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${at('value')}: '${f.value}' must be a positive number`);
    const rel = Number(f.rel_uncertainty);
    if (f.rel_uncertainty === '' || !Number.isFinite(rel) || rel <= 0 || rel > 10)
      throw new UsageError(`${at('rel_uncertainty')}: '${f.rel_uncertainty}' must be a number in (0, 10]`);
    if (!(OBSERVATION_ROLES as readonly string[]).includes(f.role))
      throw new UsageError(`${at('role')}: '${f.role}' must be one of ${OBSERVATION_ROLES.join(', ')}`);
    const role = f.role as ObservationRole;
    // Parameters: defaults, then the row's; at most one `A..B` range, on a size parameter, for a slope.
    const base: Record<string, number | string> = {};
    for (const p of w.params) base[p.name] = p.default;
    let range: { key: string; lo: number; hi: number } | undefined;
    for (const part of f.params === '' ? [] : f.params.split(';')) {
      const { key, spec, raw } = rowParam(w, part, at);
      const parse1 = (r: string): number | string => rowParamValue(w, spec, r, at);
      if (raw.includes('..')) {
        if (!slope || spec.kind !== 'size' || range)
          throw new UsageError(`${at('params')}: a range A..B is allowed once, on a size parameter, with a slope:METRIC metric ('${part}')`);
        const [a, b] = raw.split('..');
        const lo = parse1(a!.trim()) as number;
        const hi = parse1((b ?? '').trim()) as number;
        if (!(hi > lo)) throw new UsageError(`${at('params')}: range '${raw}' must go from a smaller to a larger size`);
        range = { key, lo, hi };
      } else base[key] = parse1(raw);
    }
    if (slope && !range) throw new UsageError(`${at('params')}: ${f.metric} needs one size parameter written A..B (e.g. size=10MiB..80MiB)`);
    const points = range
      ? [
          { ...base, [range.key]: range.lo },
          { ...base, [range.key]: range.hi },
        ]
      : [base];
    out.push({
      id: f.id,
      line,
      source: f.source,
      machine: f.machine,
      profile: f.profile,
      workload: w.name,
      design: f.design,
      knobs,
      points,
      metric,
      slopePages: range ? (range.hi - range.lo) / 4096 : undefined,
      value,
      unit: f.unit,
      relUncertainty: rel,
      role,
      mapping: f.mapping,
    });
  }
  if (out.length === 0) throw new UsageError(`observations ${file}: no observation rows`);
  if (!out.some((o) => o.role === 'fit')) throw new UsageError(`observations ${file}: no row has role 'fit'`);
  return out;
}
