/**
 * Workload parameters: `--set key=v1,v2` parsing, validation against a workload's ParamSpec,
 * and sweep expansion (the cartesian product over every `--set`).
 */
import { UsageError } from './errors.js';
import { parseNumber, parseSize } from './units.js';
import type { ParamSpec, ParamValues, WorkloadSpec } from '../workloads/types.js';

/** `--set` texts → key → list of raw values, in the order given. */
export function parseSets(sets: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const text of sets) {
    const eq = text.indexOf('=');
    if (eq <= 0 || eq === text.length - 1) {
      throw new UsageError(`--set '${text}' is malformed; expected key=value or key=v1,v2,... (e.g. --set size=8MiB,64MiB)`);
    }
    const key = text.slice(0, eq).trim();
    if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new UsageError(`--set '${text}': '${key}' is not a parameter name`);
    const values = text
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim());
    if (values.some((v) => v === '')) throw new UsageError(`--set '${text}' has an empty value in its list`);
    if (out.has(key)) throw new UsageError(`--set ${key} is given twice; put all its values in one comma list`);
    out.set(key, values);
  }
  return out;
}

function describeRange(spec: ParamSpec): string {
  if (spec.kind === 'bool') return '0 or 1';
  if (spec.kind === 'choice') return `one of ${(spec.choices ?? []).join(', ')}`;
  if (spec.kind === 'file') return 'a readable file path';
  const kind = spec.kind === 'size' ? 'a size in bytes (units allowed: KiB, MiB, GiB)' : spec.kind === 'int' ? 'an integer' : 'a number';
  const lo = spec.min !== undefined ? ` ≥ ${spec.min}` : '';
  const hi = spec.max !== undefined ? ` ≤ ${spec.max}` : '';
  return `${kind}${lo}${lo && hi ? ' and' : ''}${hi}`;
}

/** Parse and check one raw value; throws UsageError naming the workload, parameter and valid range. */
export function parseParam(workload: string, spec: ParamSpec, raw: string): number | string {
  const where = `parameter '${spec.name}' of workload '${workload}'`;
  let value: number | string | undefined;
  switch (spec.kind) {
    case 'size':
      value = parseSize(raw);
      break;
    case 'int':
      // Integers are plain digits, as for the integer flags (--seed 1e1 and builders=1e1 are both refused).
      value = /^\s*\+?\d+\s*$/.test(raw) ? parseNumber(raw) : undefined;
      break;
    case 'number':
      value = parseNumber(raw);
      break;
    case 'bool':
      value = raw === '0' || raw === 'false' ? 0 : raw === '1' || raw === 'true' ? 1 : undefined;
      break;
    case 'choice':
      value = (spec.choices ?? []).includes(raw) ? raw : undefined;
      break;
    case 'file':
      value = raw;
      break;
  }
  if (value === undefined) throw new UsageError(`${where}: '${raw}' is not valid; expected ${describeRange(spec)}`);
  if (typeof value === 'number') {
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new UsageError(`${where}: ${raw} is out of range; expected ${describeRange(spec)}`);
    }
  }
  const broken = spec.check?.(value);
  if (broken !== undefined) throw new UsageError(`${where}: '${raw}' is not valid; it must be ${broken}`);
  return value;
}

/**
 * Every point of the sweep for one workload: the cartesian product of the `--set` lists (in
 * the order given), defaults for the rest. Unknown keys are an error naming the valid ones.
 */
export function expandSweep(workload: WorkloadSpec, sets: ReadonlyMap<string, readonly string[]>): ParamValues[] {
  for (const key of sets.keys()) {
    if (!workload.params.some((p) => p.name === key)) {
      const valid = workload.params.map((p) => p.name).join(', ') || '(none)';
      throw new UsageError(`unknown parameter '${key}' for workload '${workload.name}'; valid parameters: ${valid}`);
    }
  }
  let points: Record<string, number | string>[] = [{}];
  for (const spec of workload.params) {
    const raws = sets.get(spec.name);
    const values = raws ? raws.map((r) => parseParam(workload.name, spec, r)) : [spec.default];
    const next: Record<string, number | string>[] = [];
    for (const point of points) for (const v of values) next.push({ ...point, [spec.name]: v });
    points = next;
  }
  return points;
}

/** `key=value` pairs joined by `;`, sorted by key (the CSV `params` column). */
export function formatParams(values: ParamValues): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${k}=${String(values[k])}`)
    .join(';');
}
