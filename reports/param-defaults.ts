/**
 * Rows written before a workload gained a parameter lack it in `params`, so compare would see
 * their cases as missing and the new ones as new. A row whose workload now declares a parameter
 * the row does not name ran with that parameter's default (a new parameter's default is the old
 * behaviour), so it is compared as such: the parameter is filled in with its default, and the
 * caller says which were filled, so the match is never silent.
 */
import type { Row } from '../results/schema.js';
import { findWorkload } from '../workloads/index.js';

export interface FilledParams {
  readonly rows: readonly Row[];
  /** `workload: name=default` for each parameter filled in, in order of first use. */
  readonly filled: readonly string[];
}

/** `rows` with every parameter their workload declares and they lack set to its default. */
export function withDefaultParams(rows: readonly Row[]): FilledParams {
  const filled = new Set<string>();
  const memo = new Map<string, string>();
  const out = rows.map((r) => {
    const key = `${r.workload}\u0000${r.params}`;
    let params = memo.get(key);
    if (params === undefined) {
      params = fill(r.workload, r.params, filled);
      memo.set(key, params);
    }
    return params === r.params ? r : { ...r, params };
  });
  return { rows: out, filled: [...filled] };
}

function fill(workload: string, params: string, filled: Set<string>): string {
  const spec = findWorkload(workload);
  if (spec === undefined) return params;
  const named = new Map<string, string>();
  for (const part of params === '' ? [] : params.split(';')) {
    const at = part.indexOf('=');
    named.set(at < 0 ? part : part.slice(0, at), at < 0 ? '' : part.slice(at + 1));
  }
  let added = false;
  for (const p of spec.params) {
    if (named.has(p.name)) continue;
    named.set(p.name, String(p.default));
    filled.add(`${workload}: ${p.name}=${String(p.default)}`);
    added = true;
  }
  if (!added) return params;
  // The writer's order (bench/params.ts formatParams): names sorted.
  return [...named.keys()]
    .sort()
    .map((k) => `${k}=${named.get(k)!}`)
    .join(';');
}
