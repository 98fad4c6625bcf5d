/**
 * The cross-tab both report formats print: per workload, one line per (configuration, metric)
 * and one cell per design, with the ratio to a reference design (mm-less when present).
 */
import type { Row } from '../results/schema.js';
import { METRICS, metricDef } from '../results/schema.js';
import { configKey, metricKey, outcomesOf, paramsExcept, seriesOf, sharedParams } from './group.js';
import { median, sorted, type Spread } from './stats.js';
import { drawSpread, drawValues, nominal, pairedRatios, robustness, type Robustness } from './uncertainty.js';
import { spread } from './stats.js';
import { REFERENCE_DESIGN, REPORT_ORDER } from '../backends/designs.js';

/** The metrics a workload's summary leads with (the rest go under "all metrics"). */
export const HEADLINE: Readonly<Record<string, readonly string[]>> = {
  build: ['build_time_p50', 'per_page_time', 'ioctl_latency_p50'],
  concurrent: ['throughput', 'build_time_p99', 'ready_latency_p99'],
  'mmap-contention': ['app_latency_p99', 'mmap_lock_wait_p99', 'build_time_p50'],
  handover: ['ready_latency_p50', 'ready_latency_p99'],
  shared: ['reclaim_per_page', 'reclaim_time', 'ipis'],
  'epc-pressure': ['throughput', 'epc_evictions', 'ipis'],
  teardown: ['teardown_time'],
  replay: ['build_time_p50', 'per_page_time'],
};

export type Cell =
  | {
      readonly kind: 'value';
      /** Median of the nominal profile (draw 0) over seeds and repeats. */
      readonly median: number;
      readonly n: number;
      readonly ratio: number | null;
      /** p5–p95 of the value over the cost draws (null without draws). */
      readonly spread: Spread | null;
      /** p5–p95 of the paired per-draw ratio to the reference. */
      readonly ratioSpread: Spread | null;
      /** Whether this design or the reference wins in every draw. */
      readonly verdict: Robustness | undefined;
    }
  | { readonly kind: 'outcome'; readonly outcome: string; readonly detail: string }
  | { readonly kind: 'none' };

export interface SummaryLine {
  readonly backend: string;
  readonly profile: string;
  readonly params: string;
  readonly metric: string;
  readonly unit: string;
  readonly clock: 'model' | 'wall';
  readonly headline: boolean;
  readonly cells: ReadonlyMap<string, Cell>;
}

export interface WorkloadSummary {
  readonly workload: string;
  /** `k=v;…` pairs every configuration of the workload shares: said once, not in every row. */
  readonly fixed: string;
  readonly designs: readonly string[];
  readonly reference: string | null;
  readonly lines: readonly SummaryLine[];
}

/** Designs in preset order, then custom ones in first-seen order. */
export function orderDesigns(names: Iterable<string>): string[] {
  const set = new Set(names);
  return [...REPORT_ORDER.filter((d) => set.has(d)), ...[...set].filter((d) => !REPORT_ORDER.includes(d))];
}

/** Workloads in first-seen order. */
export function workloadsOf(rows: readonly Row[]): string[] {
  return [...new Set(rows.map((r) => r.workload))];
}

export function summarize(rows: readonly Row[]): WorkloadSummary[] {
  const bySeries = seriesOf(nominal(rows));
  const byDraw = drawValues(rows);
  const series = [...bySeries.values()];
  const outcomes = outcomesOf(rows);
  return workloadsOf(rows).map((workload) => {
    const mine = rows.filter((r) => r.workload === workload);
    const designs = orderDesigns(mine.map((r) => r.design));
    const reference = designs.includes(REFERENCE_DESIGN) ? REFERENCE_DESIGN : (designs[0] ?? null);
    const ws = series.filter((s) => s.workload === workload);
    const present = new Set(ws.map((s) => s.metric));
    const head = HEADLINE[workload]?.filter((m) => present.has(m)) ?? [];
    const headline = new Set(head.length > 0 ? head : [...present].sort(byMetric).slice(0, 3));
    // Configurations (without design) in first-seen order.
    const configs = new Map<string, { backend: string; profile: string; params: string }>();
    for (const r of mine) {
      const k = [r.backend, r.profile, r.params].join('\u001f');
      if (!configs.has(k)) configs.set(k, { backend: r.backend, profile: r.profile, params: r.params });
    }
    const metricsByConfig = new Map<string, string[]>();
    for (const s of ws) {
      const k = [s.backend, s.profile, s.params].join('\u001f');
      const list = metricsByConfig.get(k) ?? [];
      if (!list.includes(s.metric)) list.push(s.metric);
      metricsByConfig.set(k, list);
    }
    const lines: SummaryLine[] = [];
    for (const c of configs.values()) {
      const metrics = metricsByConfig.get([c.backend, c.profile, c.params].join('\u001f')) ?? [];
      metrics.sort(byMetric);
      if (metrics.length === 0) {
        // Every design failed here: one line that shows why.
        lines.push({ ...c, metric: '', unit: '', clock: 'model', headline: true, cells: outcomeCells(designs, workload, c, outcomes) });
        continue;
      }
      for (const metric of metrics) {
        const cells = new Map<string, Cell>();
        const find = (design: string) => bySeries.get(metricKey({ ...c, design, workload, metric }));
        const ref = reference !== null ? find(reference) : undefined;
        const refMedian = ref && ref.values.length > 0 ? median(sorted(ref.values)) : null;
        const refDraws = reference !== null ? byDraw.get(metricKey({ ...c, design: reference, workload, metric })) : undefined;
        let clock: 'model' | 'wall' = 'model';
        for (const design of designs) {
          const s = find(design);
          if (s && s.values.length > 0) {
            if (s.clock === 'wall') clock = 'wall';
            const med = median(sorted(s.values));
            const ratio = refMedian !== null && refMedian !== 0 && design !== reference ? med / refMedian : null;
            const draws = byDraw.get(metricKey({ ...c, design, workload, metric }));
            const paired = draws && refDraws && design !== reference ? pairedRatios(draws, refDraws) : [];
            const verdict =
              draws && refDraws && design !== reference && reference !== null ? robustness(metric, design, draws, reference, refDraws) : undefined;
            cells.set(design, { kind: 'value', median: med, n: s.values.length, ratio, spread: drawSpread(draws), ratioSpread: spread(paired), verdict });
          } else {
            const o = outcomes.get(configKey({ ...c, design, workload }));
            cells.set(design, o && o.outcome !== 'ok' ? { kind: 'outcome', outcome: o.outcome, detail: o.detail } : { kind: 'none' });
          }
        }
        lines.push({ ...c, metric, unit: metricDef(metric)?.unit ?? '', clock, headline: headline.has(metric), cells });
      }
    }
    return { workload, fixed: sharedParams([...configs.values()].map((c) => c.params)), designs, reference, lines };
  });
}

const METRIC_INDEX = new Map(METRICS.map((m, i) => [m.name, i]));

/**
 * Schema order, except that the quantiles of one family (`ioctl_latency_p10` … `_p99`, `_max`)
 * stay together in ascending order, at the place of the family's p50.
 */
export function byMetric(a: string, b: string): number {
  const key = (m: string): [number, number] => {
    const q = /^(.*)_(p(\d+)|max)$/.exec(m);
    if (!q) return [METRIC_INDEX.get(m) ?? Infinity, 0];
    const at = METRIC_INDEX.get(`${q[1]}_p50`) ?? METRIC_INDEX.get(m) ?? Infinity;
    const d = q[3];
    return [at, d === undefined ? 2 : d.length <= 2 ? Number(d) / 100 : Number(`0.${d}`)];
  };
  const [ai, aq] = key(a);
  const [bi, bq] = key(b);
  return ai !== bi ? ai - bi : aq !== bq ? aq - bq : a < b ? -1 : a > b ? 1 : 0;
}

/** A line's params without the workload's fixed ones ('' when nothing varies). */
export function ownParams(w: WorkloadSummary, params: string): string {
  return paramsExcept(params, w.fixed);
}

function outcomeCells(
  designs: readonly string[],
  workload: string,
  c: { backend: string; profile: string; params: string },
  outcomes: ReturnType<typeof outcomesOf>,
): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const design of designs) {
    const o = outcomes.get(configKey({ ...c, design, workload }));
    cells.set(design, o ? { kind: 'outcome', outcome: o.outcome, detail: o.detail } : { kind: 'none' });
  }
  return cells;
}

/** Cases that ended without metrics, for the "did not finish" table. */
export function failedCases(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.outcome !== 'ok');
}

/** Failed cases with the same configuration, outcome and reason, counted once. */
export interface FailedGroup {
  readonly row: Row;
  /** How many (seed, repeat) runs ended this way. */
  readonly runs: number;
}

export function failedGroups(rows: readonly Row[]): FailedGroup[] {
  const out = new Map<string, { row: Row; runs: number }>();
  for (const r of failedCases(rows)) {
    const k = [configKey(r), r.outcome, r.detail].join('\u001f');
    const g = out.get(k);
    if (g) g.runs++;
    else out.set(k, { row: r, runs: 1 });
  }
  return [...out.values()];
}
