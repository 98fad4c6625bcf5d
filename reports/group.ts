/** Grouping of rows into comparable series: the keys report and compare share. */
import type { Row } from '../results/schema.js';
import { CASE_METRIC } from './read.js';

/** What identifies a configuration, without seed and repeat (those are samples of it). */
export interface ConfigKey {
  readonly backend: string;
  readonly design: string;
  readonly workload: string;
  readonly profile: string;
  readonly params: string;
}

export function configKey(r: ConfigKey): string {
  // U+001F (unit separator) cannot occur in a CSV field the writer produces unquoted and is
  // never part of a name, so joined keys cannot collide.
  return [r.backend, r.design, r.workload, r.profile, r.params].join('\u001f');
}

export function metricKey(r: ConfigKey & { readonly metric: string }): string {
  return configKey(r) + '\u001f' + r.metric;
}

/** A row's (configuration, metric) fields alone: what metricKey joins. */
export function metricFields(r: ConfigKey & { readonly metric: string }): ConfigKey & { readonly metric: string } {
  return { backend: r.backend, design: r.design, workload: r.workload, profile: r.profile, params: r.params, metric: r.metric };
}

/** All samples of one (configuration, metric). */
export interface Series extends ConfigKey {
  readonly metric: string;
  readonly unit: string;
  /** `wall` when any sample is on the wall clock. */
  readonly clock: 'model' | 'wall';
  readonly values: number[];
}

/** Groups ok metric rows by (configuration, metric), in first-seen order; null values are left out. */
export function seriesOf(rows: readonly Row[]): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const r of rows) {
    if (r.metric === CASE_METRIC || r.outcome !== 'ok') continue;
    const k = metricKey(r);
    let s = out.get(k);
    if (!s) {
      s = { ...metricFields(r), unit: r.unit, clock: r.clock, values: [] };
      out.set(k, s);
    } else if (r.clock === 'wall' && s.clock === 'model') {
      s = { ...s, clock: 'wall' };
      out.set(k, s);
    }
    if (r.value !== null) s.values.push(r.value);
  }
  return out;
}

/** The outcome of each configuration: the first non-ok outcome seen (with its detail), else ok. */
export interface ConfigOutcome extends ConfigKey {
  readonly outcome: Row['outcome'];
  readonly detail: string;
}

export function outcomesOf(rows: readonly Row[]): Map<string, ConfigOutcome> {
  const out = new Map<string, ConfigOutcome>();
  for (const r of rows) {
    const k = configKey(r);
    const prev = out.get(k);
    if (!prev || (prev.outcome === 'ok' && r.outcome !== 'ok')) {
      out.set(k, { backend: r.backend, design: r.design, workload: r.workload, profile: r.profile, params: r.params, outcome: r.outcome, detail: r.detail });
    }
  }
  return out;
}

/** Parses `key=value;key=value` params. */
export function parseParams(params: string): Map<string, string> {
  const m = new Map<string, string>();
  if (params === '') return m;
  for (const part of params.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) m.set(part, '');
    else m.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return m;
}

/** The params without `key`, in the original order (for grouping an x-axis sweep). */
export function paramsWithout(params: string, key: string): string {
  return params
    .split(';')
    .filter((p) => p !== '' && !p.startsWith(key + '='))
    .join(';');
}

/** The `k=v` pairs every one of `paramsList` has (in the first one's order), as `k=v;k=v`. */
export function sharedParams(paramsList: readonly string[]): string {
  const lists = paramsList.map((p) => p.split(';').filter((kv) => kv !== ''));
  if (lists.length === 0) return '';
  return lists[0]!.filter((kv) => lists.every((l) => l.includes(kv))).join(';');
}

/** `params` without the pairs in `shared` (a `k=v;k=v` string from sharedParams). */
export function paramsExcept(params: string, shared: string): string {
  const drop = new Set(shared.split(';'));
  return params
    .split(';')
    .filter((kv) => kv !== '' && !drop.has(kv))
    .join(';');
}
