/**
 * Binding against execution. The four presets are corners of a 2×2 (DESIGN.md §2): per-mm =
 * mm + kthread, per-mm-sync = mm + caller, attach = fd + kthread, mm-less = fd + caller (mm-less
 * also pins the source and adds whole ranges). Pairs that differ in one knob isolate it:
 * per-mm vs per-mm-sync the queue, per-mm vs attach the binding, attach vs mm-less execution
 * together with source and batch. With cost draws each pair's ratio is also taken per draw
 * (paired) and its p5–p95 drawn as an error bar.
 */
import { metricDef } from '../../results/schema.js';
import { formatParams, formatRatio, metricTitle } from '../format.js';
import { outcomesOf, configKey, paramsExcept, sharedParams, type Series, type ConfigOutcome } from '../group.js';
import { median, sorted, spread, type Spread } from '../stats.js';
import type { DrawValues } from '../uncertainty.js';
import { metricKey } from '../group.js';
import { HEADLINE } from '../summary.js';
import { PRESET_NAMES } from '../../backends/designs.js';
import { renderBarChart, type BarGroup } from '../svg/bar.js';
import type { Row } from '../../results/schema.js';
import { MAX_CHARTS_PER_KIND, keyOf, type Built, type Chart } from './types.js';

/** One knob's pair: the design with the knob's old setting first. */
export interface Factor {
  readonly id: 'queue' | 'binding' | 'execution' | 'bindingCaller';
  /** Legend and column text. */
  readonly label: string;
  readonly a: string;
  readonly b: string;
  /** Drawn in the chart (the fourth is only in the table). */
  readonly charted: boolean;
}

export const FACTORS: readonly Factor[] = [
  { id: 'queue', label: 'queue: per-mm vs per-mm-sync', a: 'per-mm', b: 'per-mm-sync', charted: true },
  { id: 'binding', label: 'binding: per-mm vs attach', a: 'per-mm', b: 'attach', charted: true },
  { id: 'execution', label: 'execution+source: attach vs mm-less', a: 'attach', b: 'mm-less', charted: true },
  { id: 'bindingCaller', label: 'binding+source in the caller: per-mm-sync vs mm-less', a: 'per-mm-sync', b: 'mm-less', charted: false },
];

/** The factor table: how many times worse the first design of each pair is. */
export interface FactorRow {
  readonly workload: string;
  readonly backend: string;
  readonly profile: string;
  /** Formatted params of the configuration. */
  readonly params: string;
  readonly metric: string;
  /** Per factor id: the cost (> 1: the first design is worse), or why there is none. */
  readonly costs: ReadonlyMap<Factor['id'], number | string>;
  /** Per factor id: p5–p95 of the paired per-draw cost (only with cost draws). */
  readonly spreads: ReadonlyMap<Factor['id'], Spread>;
}

/**
 * `a` relative to `b`, turned so that above 1 always means `a` is worse: a ÷ b for a metric
 * where lower is better, b ÷ a where higher is better (throughput).
 */
export function cost(metric: string, a: number, b: number): number | null {
  const higher = metricDef(metric)?.better === 'higher';
  const [num, den] = higher ? [b, a] : [a, b];
  return den > 0 && num > 0 ? num / den : null;
}

/** The per-draw cost of `a` against `b` (paired: the same draw on both sides). */
function drawCosts(metric: string, a: ReadonlyMap<number, number> | undefined, b: ReadonlyMap<number, number> | undefined): number[] {
  if (!a || !b) return [];
  const out: number[] = [];
  for (const [d, av] of a) {
    const bv = b.get(d);
    const c = bv === undefined ? null : cost(metric, av, bv);
    if (c !== null) out.push(c);
  }
  return out;
}

export function factorCharts(rows: readonly Row[], all: readonly Series[], draws: DrawValues = new Map()): Built & { rows: FactorRow[] } {
  const outcomes = outcomesOf(rows);
  const table: FactorRow[] = [];
  // Per (backend, profile): one bar group per workload, at its configuration with the most
  // factors defined (the last one in sweep order on a tie: the heaviest load).
  const byBackend = new Map<string, { backend: string; profile: string; groups: BarGroup[] }>();
  const skipped: string[] = [];
  for (const w of [...new Set(all.map((s) => s.workload))]) {
    const present = new Set(all.filter((s) => s.workload === w && s.values.length > 0).map((s) => s.metric));
    const metric = (HEADLINE[w] ?? []).find((m) => present.has(m)) ?? [...present][0];
    if (metric === undefined) continue;
    const ws = all.filter((s) => s.workload === w && s.metric === metric && PRESET_NAMES.includes(s.design) && s.values.length > 0);
    if (new Set(ws.map((s) => s.design)).size < 2) {
      skipped.push(w);
      continue;
    }
    const configs = [...new Map(ws.map((s) => [keyOf(s.backend, s.profile, s.params), s] as const)).values()];
    const shared = sharedParams(configs.map((c) => c.params));
    const picks = new Map<string, { row: FactorRow; n: number; backend: string; profile: string; own: string }>();
    for (const c of configs) {
      const val = (d: string) => {
        const s = ws.find((t) => t.design === d && t.backend === c.backend && t.profile === c.profile && t.params === c.params);
        return s ? median(sorted(s.values)) : null;
      };
      const why = (d: string): string => outcomeOf(outcomes, { ...c, design: d, workload: w }) ?? 'not run';
      const costs = new Map<Factor['id'], number | string>();
      const spreads = new Map<Factor['id'], Spread>();
      const drawsOf = (d: string) => draws.get(metricKey({ backend: c.backend, design: d, workload: w, profile: c.profile, params: c.params, metric }));
      for (const f of FACTORS) {
        const a = val(f.a);
        const b = val(f.b);
        const r = a !== null && b !== null ? cost(metric, a, b) : null;
        costs.set(f.id, r ?? (a === null ? `${f.a} ${why(f.a)}` : b === null ? `${f.b} ${why(f.b)}` : 'zero value'));
        const s = r !== null ? spread(drawCosts(metric, drawsOf(f.a), drawsOf(f.b))) : null;
        if (s) spreads.set(f.id, s);
      }
      const row: FactorRow = { workload: w, backend: c.backend, profile: c.profile, params: formatParams(w, c.params), metric, costs, spreads };
      if (![...costs.values()].some((v) => typeof v === 'number')) continue;
      table.push(row);
      const n = FACTORS.filter((f) => f.charted && typeof costs.get(f.id) === 'number').length;
      const bk = keyOf(c.backend, c.profile, '');
      const pick = picks.get(bk);
      if (!pick || n >= pick.n) picks.set(bk, { row, n, backend: c.backend, profile: c.profile, own: paramsExcept(c.params, shared) });
    }
    for (const p of picks.values()) {
      const k = keyOf(p.backend, p.profile, '');
      let chart = byBackend.get(k);
      if (!chart) byBackend.set(k, (chart = { backend: p.backend, profile: p.profile, groups: [] }));
      chart.groups.push(barGroup(p.row, p.own));
    }
  }
  const multi = byBackend.size > 1;
  const list = [...byBackend.values()];
  const charts: Chart[] = list.slice(0, MAX_CHARTS_PER_KIND).map((c) => {
    const title = `What each knob costs, per workload${multi ? ` — ${c.backend}, ${c.profile}` : ''}`;
    return {
      title,
      wide: true,
      note: `Each workload at its configuration with the most pairs measured (named under the bars); ${c.backend} backend, profile ${c.profile}. Every configuration is in the table below.`,
      svg: renderBarChart({
        title,
        subtitle: 'times worse for the first design of each pair, on the workload\u2019s headline metric (log scale; below ×1 the first design is better)',
        width: WIDE_WIDTH,
        xLabel: 'workload (headline metric; configuration)',
        y: { label: 'times worse (first ÷ second)', unit: 'ratio', log: true },
        series: FACTORS.filter((f) => f.charted).map((f) => f.label),
        groups: c.groups,
      }),
    };
  });
  const notes = skipped.length ? [`Not drawn: ${skipped.join(', ')} (fewer than two of the presets have values).`] : [];
  return { charts, omitted: Math.max(0, list.length - MAX_CHARTS_PER_KIND), notes, rows: table };
}

/** Width of a chart that spans both columns of the page. */
export const WIDE_WIDTH = 1240;

function barGroup(row: FactorRow, own: string): BarGroup {
  const unitNote = metricDef(row.metric)?.better === 'higher' ? ' (inverted: higher is better)' : '';
  return {
    category: [row.workload, metricTitle(row.metric), own ? formatParams(row.workload, own) : ''].filter((t) => t !== '').join('\n'),
    bars: FACTORS.filter((f) => f.charted).map((f) => {
      const v = row.costs.get(f.id);
      const value = typeof v === 'number' ? v : null;
      const s = row.spreads.get(f.id);
      return {
        series: f.label,
        value,
        ...(s && value !== null ? { lo: s.p5, hi: s.p95 } : {}),
        label: value === null ? (typeof v === 'string' ? (v.split(' ').pop() ?? '') : '') : formatRatio(value),
        tip:
          `${row.workload}, ${row.params}: ${f.a} vs ${f.b} on ${metricTitle(row.metric)}${unitNote}: ${value === null ? `no ratio (${String(v)})` : `${formatRatio(value)} (${value >= 1 ? `${f.a} worse` : `${f.a} better`})`}` +
          (s && value !== null ? ` [p5–p95 over the cost draws, paired: ${formatRatio(s.p5)}–${formatRatio(s.p95)}]` : ''),
      };
    }),
  };
}

function outcomeOf(outcomes: ReadonlyMap<string, ConfigOutcome>, k: Parameters<typeof configKey>[0]): string | undefined {
  const o = outcomes.get(configKey(k));
  return o && o.outcome !== 'ok' ? o.outcome : undefined;
}
