/**
 * Latency distributions: for each workload, a CDF sampled at the quantiles the backend reported
 * (p10…p99 now; older files have only p50 and p99), one staircase per design.
 */
import { formatParams, formatQuantity } from '../format.js';
import type { Row } from '../../results/schema.js';
import { outcomesOf, type Series } from '../group.js';
import { median, sorted } from '../stats.js';
import { orderDesigns } from '../summary.js';
import { renderLineChart, type LineSeries } from '../svg/line.js';
import { MAX_CHARTS_PER_KIND, keyOf, type Built, type Chart } from './types.js';

interface Config {
  readonly workload: string;
  readonly backend: string;
  readonly profile: string;
  readonly params: string;
  /** design → (quantile as a fraction, median value in ns) */
  readonly designs: Map<string, { q: number; v: number }[]>;
}

/** `p10` → 0.1, `p99` → 0.99, `p999` → 0.999, `max` → 1. */
export function quantileOf(suffix: string): number | null {
  if (suffix === 'max') return 1;
  const m = /^p(\d+)$/.exec(suffix);
  if (!m) return null;
  const d = m[1]!;
  return d.length <= 2 ? Number(d) / 100 : Number(`0.${d}`);
}

/** `0.1` → `p10`, `1` → `max`. */
export function quantileName(q: number): string {
  return q === 1 ? 'max' : `p${String(Math.round(q * 1000) / 10).replace('.', '')}`;
}

function configsOf(all: readonly Series[], family: string): Config[] {
  const out = new Map<string, Config>();
  for (const s of all) {
    if (!s.metric.startsWith(`${family}_`) || s.values.length === 0) continue;
    const q = quantileOf(s.metric.slice(family.length + 1));
    if (q === null) continue;
    const k = keyOf(s.backend, s.profile, `${s.workload}\u001f${s.params}`);
    let c = out.get(k);
    if (!c) out.set(k, (c = { workload: s.workload, backend: s.backend, profile: s.profile, params: s.params, designs: new Map() }));
    const pts = c.designs.get(s.design) ?? [];
    pts.push({ q, v: median(sorted(s.values)) });
    c.designs.set(s.design, pts);
  }
  for (const c of out.values()) for (const pts of c.designs.values()) pts.sort((a, b) => a.q - b.q);
  return [...out.values()];
}

/** A config with more designs measured wins; then the wider spread. */
function better(a: Config, b: Config): boolean {
  return a.designs.size !== b.designs.size ? a.designs.size > b.designs.size : spread(a) > spread(b);
}

/** How far apart the designs are at their highest common quantile (max ÷ min), for choosing charts. */
function spread(c: Config): number {
  const tops = [...c.designs.values()].map((p) => p[p.length - 1]!.v).filter((v) => v > 0);
  return tops.length < 2 ? 1 : Math.max(...tops) / Math.min(...tops);
}

/**
 * One chart per workload (per backend and profile), for the configuration with the most designs
 * measured and, among those, where their tails differ most; the workloads with the widest spread first, at most MAX_CHARTS_PER_KIND.
 */
export function quantileCharts(rows: readonly Row[], all: readonly Series[], family: string, label: string): Built {
  const outcomes = [...outcomesOf(rows).values()].filter((o) => o.outcome !== 'ok');
  const configs = configsOf(all, family);
  const best = new Map<string, Config>();
  for (const c of configs) {
    const k = keyOf(c.backend, c.profile, c.workload);
    const prev = best.get(k);
    if (!prev || better(c, prev)) best.set(k, c);
  }
  const chosen = [...best.values()].sort((a, b) => spread(b) - spread(a));
  const multi = new Set(chosen.map((c) => `${c.backend}\u001f${c.profile}`)).size > 1;
  const charts: Chart[] = chosen.slice(0, MAX_CHARTS_PER_KIND).map((c) => {
    const qs = [...new Set([...c.designs.values()].flatMap((p) => p.map((x) => x.q)))].sort((a, b) => a - b);
    const title = `${label} — ${c.workload}${multi ? ` (${c.backend}, ${c.profile})` : ''}`;
    const series: LineSeries[] = orderDesigns(c.designs.keys()).map((d) => ({
      name: d,
      step: true,
      points: c.designs.get(d)!.map((p) => ({ x: p.v, y: p.q, tip: `${d}: ${quantileName(p.q)} = ${formatQuantity(p.v, 'ns')}` })),
    }));
    const absent = outcomes
      .filter((o) => o.workload === c.workload && o.backend === c.backend && o.profile === c.profile && o.params === c.params && !c.designs.has(o.design))
      .map((o) => ({ name: o.design, note: o.outcome }));
    return {
      title,
      note: `${c.workload}, ${formatParams(c.workload, c.params)}${multi ? '' : `; ${c.backend} backend, profile ${c.profile}`}.`,
      svg: renderLineChart({
        title,
        subtitle: `quantiles in the data: ${qs.map(quantileName).join(', ')}`,
        x: { label, unit: 'ns', log: true },
        y: { label: 'cumulative fraction', unit: '', domain: [0, 1] },
        series,
        absent,
      }),
    };
  });
  const workloads = new Set(configs.map((c) => c.workload)).size;
  const notes =
    chosen.length > 0
      ? [
          `One chart per workload, for its configuration with the most designs measured where their highest quantiles differ most; ${Math.min(chosen.length, MAX_CHARTS_PER_KIND)} of ${workloads} workload(s) drawn, widest spread first.`,
        ]
      : [];
  return { charts, omitted: Math.max(0, chosen.length - MAX_CHARTS_PER_KIND), notes };
}
