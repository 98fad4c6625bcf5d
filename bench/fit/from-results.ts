/**
 * Observations from a hardware results CSV (`eaddbench run --backend sgx --out FILE.csv`): each
 * case's time metrics become observations that the model answers by running the same case
 * (workload, design, parameters). So `fit` can refit a profile to measurements of this machine.
 *
 * Read: rows with backend `sgx`, outcome `ok`, draw 0, unit `ns`, and a metric that is a median
 * (`*_p50`) or `per_page_time`; the repeats of one case and metric are one observation, valued at
 * their median, with their half-range over that median as the relative uncertainty (at least
 * 2 %; 10 % when there is a single repeat). Emulated rows (profile `emulated:…`) are accepted, but
 * never together with hardware rows.
 */
import { parseResults } from '../../reports/read.js';
import { median, sorted } from '../../reports/stats.js';
import { isEmulatedProfile } from '../../results/emulated.js';
import { UsageError } from '../errors.js';
import { rowKnobs, rowParam, rowParamValue, rowWorkload, type Observation } from './observations.js';

const MIN_UNCERTAINTY = 0.02;
const SINGLE_UNCERTAINTY = 0.1;

/** True when `text` starts with a results CSV header (not the observations format). */
export function isResultsCsv(text: string): boolean {
  return text.startsWith('schema_version,');
}

const wanted = (metric: string, unit: string): boolean => unit === 'ns' && (metric.endsWith('_p50') || metric === 'per_page_time');

export function observationsFromResults(text: string, file: string, profile: string): Observation[] {
  const { rows, lines } = parseResults(text, file);
  const groups = new Map<string, { idx: number[]; values: number[] }>();
  rows.forEach((r, i) => {
    if (r.backend !== 'sgx' || r.outcome !== 'ok' || r.draw !== 0 || r.value === null || !wanted(r.metric, r.unit)) return;
    const key = [r.workload, r.design, r.params, r.profile, r.metric].join('\u0000');
    const g = groups.get(key) ?? { idx: [], values: [] };
    g.idx.push(i);
    g.values.push(r.value);
    groups.set(key, g);
  });
  if (groups.size === 0)
    throw new UsageError(
      `observations ${file}: a results CSV, but no row of backend sgx with outcome ok, draw 0 and a time median (*_p50 or per_page_time, unit ns) to fit to`,
    );
  const machines = new Set([...groups.values()].map((g) => rows[g.idx[0]!]!.profile));
  const emulated = [...machines].filter(isEmulatedProfile);
  if (emulated.length > 0 && emulated.length < machines.size)
    throw new UsageError(`observations ${file}: emulated rows (${emulated.join(', ')}) and hardware rows in one file; fit them separately`);
  const out: Observation[] = [];
  for (const g of groups.values()) {
    const first = rows[g.idx[0]!]!;
    const line = lines[g.idx[0]!]!;
    const at = (col: string): string => `observations ${file}:${line}: column '${col}'`;
    const w = rowWorkload(first.workload, at);
    const knobs = rowKnobs(first.design, at);
    const params: Record<string, number | string> = {};
    for (const p of w.params) params[p.name] = p.default;
    for (const part of first.params === '' ? [] : first.params.split(';')) {
      const { key, spec, raw } = rowParam(w, part, at);
      params[key] = rowParamValue(w, spec, raw, at);
    }
    const values = sorted(g.values);
    const mid = median(values);
    if (!(mid > 0)) throw new UsageError(`${at('value')}: ${first.metric} median ${mid} must be positive`);
    const rel = values.length === 1 ? SINGLE_UNCERTAINTY : Math.max(MIN_UNCERTAINTY, (values.at(-1)! - values[0]!) / 2 / mid);
    out.push({
      id: `${first.workload}/${first.design}/${first.metric}@${line}`,
      line,
      source: `${file}:${line}: backend sgx on ${first.profile}, ${values.length} repeat(s), ${first.clock} clock`,
      machine: first.profile,
      profile,
      workload: w.name,
      design: first.design,
      knobs,
      points: [params],
      metric: first.metric,
      slopePages: undefined,
      value: mid,
      unit: first.unit,
      relUncertainty: rel,
      role: 'fit',
      mapping: 'a hardware results row: the model runs the same case (workload, design, parameters) and reads the same metric',
    });
  }
  return out;
}
