/**
 * The regression gate: match a baseline and a new run on (backend, design, workload, profile,
 * params, metric) and judge each metric. Model rows are deterministic, so a change beyond the
 * threshold is a change; wall-clock rows need a bootstrap interval and a rank test
 * (criterion.rs' rule, see stats.ts). Only the nominal profile (draw 0) is compared: the cost
 * draws of `run --draws` describe uncertainty, not the code under test.
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { configKey, outcomesOf, seriesOf, type ConfigKey, type Series } from './group.js';
import { bootstrapMedianChange, mannWhitneyU, median, relativeChange, sorted, thresholdVerdict, changeVerdict, type Interval } from './stats.js';

export type Verdict =
  /** Worse beyond the threshold (model) or significantly beyond the noise (wall); fails the gate. */
  | 'regressed'
  | 'improved'
  | 'within noise'
  /** A `better: none` metric changed: reported, never judged. */
  | 'changed'
  /** Too few wall-clock samples for a test (fewer than 2 on a side); reported, not judged. */
  | 'too few samples'
  | 'new'
  | 'missing';

export interface CompareOptions {
  /** Relative threshold for model rows (default 0.01). */
  readonly threshold: number;
  /** Relative noise threshold for wall-clock rows (default 0.05). */
  readonly noise: number;
  /** Significance level of the rank test (default 0.05). */
  readonly alpha: number;
  /** Bootstrap resamples (default 10000). */
  readonly resamples: number;
  readonly seed: number;
}

export const DEFAULT_COMPARE: CompareOptions = { threshold: 0.01, noise: 0.05, alpha: 0.05, resamples: 10000, seed: 0x5eed };

export interface MetricComparison extends ConfigKey {
  /** A metric name, or `case` for a change of the configuration's outcome. */
  readonly metric: string;
  readonly unit: string;
  readonly clock: 'model' | 'wall';
  readonly baseN: number;
  readonly newN: number;
  readonly baseMedian: number | null;
  readonly newMedian: number | null;
  /** Relative change of the median (new/base − 1) with its interval; null when not compared. */
  readonly change: Interval | null;
  /** Rank-test p-value (wall clock only). */
  readonly p: number | null;
  readonly verdict: Verdict;
  readonly note: string;
}

export interface Comparison {
  readonly options: CompareOptions;
  readonly metrics: readonly MetricComparison[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'within noise', 'changed', 'too few samples', 'new', 'missing'];

/** The rows of the nominal profile: what compare and the gate judge. */
export function nominalRows(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.draw === 0);
}

export function compareRows(allBase: readonly Row[], allNext: readonly Row[], options: CompareOptions = DEFAULT_COMPARE): Comparison {
  const base = nominalRows(allBase);
  const next = nominalRows(allNext);
  const metrics: MetricComparison[] = [];
  const baseOut = outcomesOf(base);
  const nextOut = outcomesOf(next);
  // Outcomes first: a case that used to succeed and now deadlocks has no metrics to compare.
  for (const [k, b] of baseOut) {
    const n = nextOut.get(k);
    if (!n || n.outcome === b.outcome) continue;
    let verdict: Verdict = 'changed';
    if (n.outcome === 'ok') verdict = b.outcome === 'skipped' ? 'changed' : 'improved';
    else if (n.outcome !== 'skipped') verdict = 'regressed';
    metrics.push({
      ...keyOf(b),
      metric: 'case',
      unit: '',
      clock: 'model',
      baseN: 0,
      newN: 0,
      baseMedian: null,
      newMedian: null,
      change: null,
      p: null,
      verdict,
      note: `outcome ${b.outcome} → ${n.outcome}${n.detail ? ': ' + n.detail : ''}`,
    });
  }
  const baseSeries = seriesOf(base);
  const nextSeries = seriesOf(next);
  for (const [k, b] of baseSeries) {
    const n = nextSeries.get(k);
    if (!n) {
      // A configuration that now fails is already reported through its outcome.
      const nextCase = nextOut.get(configKey(b));
      if (nextCase && nextCase.outcome !== 'ok') continue;
      metrics.push(judgeMissing(b, 'missing', 'not in the new results'));
      continue;
    }
    metrics.push(judge(b, n, options));
  }
  for (const [k, n] of nextSeries) {
    if (baseSeries.has(k)) continue;
    const baseCase = baseOut.get(configKey(n));
    if (baseCase && baseCase.outcome !== 'ok') continue;
    metrics.push(judgeMissing(n, 'new', 'not in the baseline'));
  }
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const m of metrics) counts[m.verdict]++;
  return { options, metrics, counts };
}

function keyOf(k: ConfigKey): ConfigKey {
  return { backend: k.backend, design: k.design, workload: k.workload, profile: k.profile, params: k.params };
}

function judgeMissing(s: Series, verdict: 'new' | 'missing', note: string): MetricComparison {
  const med = s.values.length ? median(sorted(s.values)) : null;
  return {
    ...keyOf(s),
    metric: s.metric,
    unit: s.unit,
    clock: s.clock,
    baseN: verdict === 'missing' ? s.values.length : 0,
    newN: verdict === 'new' ? s.values.length : 0,
    baseMedian: verdict === 'missing' ? med : null,
    newMedian: verdict === 'new' ? med : null,
    change: null,
    p: null,
    verdict,
    note,
  };
}

function judge(b: Series, n: Series, o: CompareOptions): MetricComparison {
  const clock = b.clock === 'wall' || n.clock === 'wall' ? 'wall' : 'model';
  const common = { ...keyOf(b), metric: b.metric, unit: b.unit, clock, baseN: b.values.length, newN: n.values.length } as const;
  if (b.values.length === 0 || n.values.length === 0) {
    return { ...common, baseMedian: null, newMedian: null, change: null, p: null, verdict: 'within noise', note: 'no value on one side' };
  }
  const baseMedian = median(sorted(b.values));
  const newMedian = median(sorted(n.values));
  const better = metricDef(b.metric)?.better ?? 'none';
  if (clock === 'model') {
    const c = relativeChange(baseMedian, newMedian);
    const change = { lower: c, estimate: c, upper: c };
    if (better === 'none') {
      const verdict: Verdict = Math.abs(c) > o.threshold ? 'changed' : 'within noise';
      return { ...common, baseMedian, newMedian, change, p: null, verdict, note: 'not judged: no better direction' };
    }
    return { ...common, baseMedian, newMedian, change, p: null, verdict: thresholdVerdict(c, o.threshold, better), note: '' };
  }
  if (b.values.length < 2 || n.values.length < 2) {
    const c = relativeChange(baseMedian, newMedian);
    return {
      ...common,
      baseMedian,
      newMedian,
      change: { lower: c, estimate: c, upper: c },
      p: null,
      verdict: 'too few samples',
      note: 'needs at least 2 repeats on each side (--repeat)',
    };
  }
  const change = bootstrapMedianChange(b.values, n.values, { resamples: o.resamples, seed: o.seed });
  const { p } = mannWhitneyU(b.values, n.values);
  if (better === 'none') {
    const verdict: Verdict = changeVerdict(change, p, o.noise, 'higher', o.alpha) === 'within noise' ? 'within noise' : 'changed';
    return { ...common, baseMedian, newMedian, change, p, verdict, note: 'not judged: no better direction' };
  }
  return { ...common, baseMedian, newMedian, change, p, verdict: changeVerdict(change, p, o.noise, better, o.alpha), note: '' };
}

/** True when the comparison must fail the gate (exit 1). */
/** The gate fails on a regression, and on a baseline metric the new results no longer have. */
export function hasRegression(c: Comparison): boolean {
  return c.counts.regressed > 0 || c.counts.missing > 0;
}

/** `+1.23%`, with the sign always shown; infinities for metrics that appear from zero. */
export function formatPercent(x: number): string {
  if (x === Infinity) return '+inf%';
  if (x === -Infinity) return '-inf%';
  const v = x * 100;
  const s = Math.abs(v) < 0.005 ? '0.00' : Math.abs(v).toFixed(2);
  return (v < 0 && s !== '0.00' ? '-' : '+') + s + '%';
}

/** The label of a configuration in text output: workload/design/params, plus backend and profile when they vary. */
export function label(k: ConfigKey, withBackend: boolean): string {
  const base = `${k.workload}/${k.design}/${k.params === '' ? '-' : k.params}`;
  return withBackend ? `${base} (${k.backend}, ${k.profile})` : base;
}

/** criterion-style text: one line per compared metric, then a summary. */
export function formatText(c: Comparison): string {
  const pairs = new Set(c.metrics.map((m) => `${m.backend}\u001f${m.profile}`));
  const withBackend = pairs.size > 1;
  const rows = c.metrics.map((m) => {
    const interval = m.change ? `[${formatPercent(m.change.lower)} ${formatPercent(m.change.estimate)} ${formatPercent(m.change.upper)}]` : '';
    const extra = [m.p !== null ? `p=${m.p.toFixed(3)}` : '', m.note].filter((s) => s !== '').join('; ');
    return [label(m, withBackend), m.metric === 'case' ? 'case' : `${m.metric} (${m.unit}, ${m.clock})`, interval, m.verdict + (extra ? ` (${extra})` : '')];
  });
  const w0 = Math.max(0, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(0, ...rows.map((r) => r[1]!.length));
  const w2 = Math.max(0, ...rows.map((r) => r[2]!.length));
  const lines = rows.map((r) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]!.padEnd(w2)}  ${r[3]}`.trimEnd());
  lines.push('');
  lines.push(summaryLine(c));
  const regressed = c.metrics.filter((m) => m.verdict === 'regressed');
  if (regressed.length > 0) {
    lines.push('Regressions:');
    for (const m of regressed)
      lines.push(`  ${label(m, withBackend)} ${m.metric}${m.change ? ' ' + formatPercent(m.change.estimate) : ''}${m.note ? ' — ' + m.note : ''}`);
  }
  return lines.join('\n') + '\n';
}

export function summaryLine(c: Comparison): string {
  const o = c.options;
  const parts = VERDICTS.filter((v) => c.counts[v] > 0).map((v) => `${c.counts[v]} ${v}`);
  return `compared ${c.metrics.length} metrics (model threshold ${(o.threshold * 100).toFixed(2)}%, wall noise ${(o.noise * 100).toFixed(2)}%): ${parts.length ? parts.join(', ') : 'nothing to compare'}`;
}

/** The `--json` document: one object with per-metric verdicts. */
export function toJson(c: Comparison): string {
  const doc = {
    threshold: c.options.threshold,
    noise: c.options.noise,
    alpha: c.options.alpha,
    regressed: hasRegression(c),
    counts: c.counts,
    metrics: c.metrics.map((m) => ({
      backend: m.backend,
      design: m.design,
      workload: m.workload,
      profile: m.profile,
      params: m.params,
      metric: m.metric,
      unit: m.unit,
      clock: m.clock,
      base: { n: m.baseN, median: m.baseMedian },
      new: { n: m.newN, median: m.newMedian },
      // JSON has no Infinity: a change from zero is written as a string.
      change: m.change ? { lower: jsonNum(m.change.lower), estimate: jsonNum(m.change.estimate), upper: jsonNum(m.change.upper) } : null,
      p: m.p,
      verdict: m.verdict,
      note: m.note,
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function jsonNum(x: number): number | string {
  return Number.isFinite(x) ? x : x > 0 ? '+inf' : '-inf';
}
