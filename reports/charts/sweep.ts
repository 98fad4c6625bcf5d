/**
 * Line charts of a metric against one swept parameter: one chart per setting of the other
 * parameters (and backend, profile), one line per design. With cost draws, a band around each
 * line spans the p5–p95 of the metric over the draws.
 */
import type { Row } from '../../results/schema.js';
import { metricDef } from '../../results/schema.js';
import { drawSpread, type DrawValues } from '../uncertainty.js';
import { metricKey, outcomesOf, paramsExcept, paramsWithout, parseParams, sharedParams, type Series } from '../group.js';
import { formatParams, formatQuantity, metricTitle, paramUnit } from '../format.js';
import { median, sorted } from '../stats.js';
import { orderDesigns } from '../summary.js';
import { renderLineChart, type LineSeries, type RefLine } from '../svg/line.js';
import { MAX_CHARTS_PER_KIND, keyOf, type Built, type Chart } from './types.js';

interface Pt {
  readonly x: number;
  readonly y: number;
  readonly n: number;
  /** p5–p95 over the cost draws. */
  readonly lo?: number;
  readonly hi?: number;
}

interface Group {
  readonly backend: string;
  readonly profile: string;
  /** The other parameters (without the swept one). */
  readonly rest: string;
  /** Per metric, per design: points sorted by x. */
  readonly series: Map<string, Map<string, Pt[]>>;
  /** Designs whose cases in this group ended without metrics, with the outcome. */
  readonly absent: Map<string, string>;
}

export interface SweepOptions {
  readonly workload: string;
  readonly xParam: string;
  readonly xLabel: string;
  /** The first metric names the y axis; more metrics (e.g. p50 and p99) share it. */
  readonly metrics: readonly { readonly metric: string; readonly dashed?: boolean }[];
  readonly title: string;
  readonly ylog?: boolean;
  /** Reference lines for a group's backend and profile (e.g. the EPC size). */
  readonly refLines?: (backend: string, profile: string) => readonly RefLine[];
}

function groupsOf(rows: readonly Row[], all: readonly Series[], draws: DrawValues, o: SweepOptions): Group[] {
  const metrics = new Set(o.metrics.map((m) => m.metric));
  const groups = new Map<string, Group>();
  for (const s of all) {
    if (s.workload !== o.workload || !metrics.has(s.metric) || s.values.length === 0) continue;
    const x = Number(parseParams(s.params).get(o.xParam) ?? NaN);
    if (!Number.isFinite(x)) continue;
    const rest = paramsWithout(s.params, o.xParam);
    const k = keyOf(s.backend, s.profile, rest);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { backend: s.backend, profile: s.profile, rest, series: new Map(), absent: new Map() }));
    const byDesign = g.series.get(s.metric) ?? new Map<string, Pt[]>();
    g.series.set(s.metric, byDesign);
    const pts = byDesign.get(s.design) ?? [];
    const band = drawSpread(draws.get(metricKey(s)));
    pts.push({ x, y: median(sorted(s.values)), n: s.values.length, ...(band ? { lo: band.p5, hi: band.p95 } : {}) });
    byDesign.set(s.design, pts);
  }
  for (const c of outcomesOf(rows).values()) {
    if (c.workload !== o.workload || c.outcome === 'ok' || !parseParams(c.params).has(o.xParam)) continue;
    const g = groups.get(keyOf(c.backend, c.profile, paramsWithout(c.params, o.xParam)));
    if (g && !g.series.get(o.metrics[0]!.metric)?.has(c.design)) g.absent.set(c.design, c.outcome);
  }
  for (const g of groups.values()) for (const m of g.series.values()) for (const pts of m.values()) pts.sort((a, b) => a.x - b.x);
  return [...groups.values()];
}

export function sweepCharts(rows: readonly Row[], all: readonly Series[], draws: DrawValues, o: SweepOptions): Built {
  const first = o.metrics[0]!.metric;
  const groups = groupsOf(rows, all, draws, o);
  const multi = new Set(groups.map((g) => `${g.backend}\u001f${g.profile}`)).size > 1;
  // Titles name only what tells the charts apart; the note under each lists the rest.
  const shared = sharedParams(groups.map((g) => g.rest));
  const labelOf = (g: Group) => {
    const own = paramsExcept(g.rest, shared);
    return [multi ? `${g.backend}, ${g.profile}` : '', own === '' ? '' : formatParams(o.workload, own)].filter((t) => t !== '').join('; ');
  };
  const xsOf = (g: Group) => [...new Set([...(g.series.get(first)?.values() ?? [])].flatMap((p) => p.map((q) => q.x)))].sort((a, b) => a - b);
  const drawable = groups.filter((g) => xsOf(g).length >= 2);
  const single = groups.filter((g) => xsOf(g).length < 2);
  const notes = single.length
    ? [`Not drawn, with a single ${o.xParam} value: ${single.map((g) => labelOf(g) || formatParams(o.workload, g.rest)).join('; ')} (see the tables).`]
    : [];
  const charts: Chart[] = drawable.slice(0, MAX_CHARTS_PER_KIND).map((g) => {
    const unit = metricDef(first)?.unit ?? '';
    const xUnit = paramUnit(o.workload, o.xParam);
    const series: LineSeries[] = [];
    const designs = orderDesigns([...(g.series.get(first)?.keys() ?? []), ...g.absent.keys()]);
    for (const d of designs) {
      for (const m of o.metrics) {
        const pts = g.series.get(m.metric)?.get(d);
        if (!pts) continue;
        const name = o.metrics.length > 1 ? `${d} ${metricTitle(m.metric).split(' ').pop()}` : d;
        series.push({
          name,
          styleKey: d,
          dashed: m.dashed === true,
          points: pts.map((p) => ({
            x: p.x,
            y: p.y,
            ...(p.lo !== undefined && p.hi !== undefined ? { lo: p.lo, hi: p.hi } : {}),
            tip:
              `${d}: ${o.xParam}=${xUnit === 'bytes' ? formatQuantity(p.x, 'bytes') : p.x} → ${metricTitle(m.metric)} ${formatQuantity(p.y, unit)}${p.n > 1 ? ` (median of ${p.n})` : ''}` +
              (p.lo !== undefined && p.hi !== undefined ? ` [p5–p95 over the cost draws: ${formatQuantity(p.lo, unit)}–${formatQuantity(p.hi, unit)}]` : ''),
          })),
        });
      }
    }
    const absent = [...g.absent].filter(([d]) => !g.series.get(first)?.has(d)).map(([name, outcome]) => ({ name, note: outcome }));
    const xs = xsOf(g);
    const spread = xs[0]! > 0 ? xs[xs.length - 1]! / xs[0]! : 1;
    const label = labelOf(g);
    const title = label ? `${o.title} — ${label}` : o.title;
    return {
      title,
      note: g.rest === '' ? undefined : `Other parameters: ${formatParams(o.workload, g.rest)}${multi ? '' : `; ${g.backend} backend, profile ${g.profile}`}.`,
      svg: renderLineChart({
        title,
        x: { label: o.xLabel, unit: xUnit, log: spread >= 8, ticksAt: xs.length <= 10 ? xs : undefined },
        y: { label: o.metrics.length > 1 ? metricTitle(first).replace(/ p\d+$/, '') : metricTitle(first), unit, log: o.ylog === true, zero: o.ylog !== true },
        series,
        absent,
        refLines: o.refLines?.(g.backend, g.profile),
      }),
    };
  });
  return { charts, omitted: Math.max(0, drawable.length - MAX_CHARTS_PER_KIND), notes };
}
