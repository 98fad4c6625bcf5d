/** Line charts (with point markers): sweeps against a parameter, and quantile (CDF) plots. */
import { resolveAxis, drawAxes, type AxisSpec } from './axis.js';
import { drawLegend, legendTop, marker, wrapSvg, WIDTH, HEIGHT, type LegendItem } from './frame.js';
import { styleSeries } from './palette.js';
import { px } from './scale.js';

export interface Point {
  readonly x: number;
  readonly y: number;
  /** Tooltip text (shown on hover through <title>). */
  readonly tip: string;
}

export interface LineSeries {
  readonly name: string;
  /** Series with the same styleKey share colour and marker (e.g. p50 and p99 of one design). */
  readonly styleKey?: string;
  readonly points: readonly Point[];
  readonly dashed?: boolean;
  /** Draw a staircase (for empirical CDFs) instead of straight segments. */
  readonly step?: boolean;
}

export interface LineChartSpec {
  readonly title: string;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly series: readonly LineSeries[];
  /** Legend-only entries for series without data (e.g. a design that rejected the workload). */
  readonly absent?: readonly { readonly name: string; readonly note: string }[];
}

export function renderLineChart(spec: LineChartSpec): string {
  const keys = [...new Set([...spec.series.map((s) => s.styleKey ?? s.name), ...(spec.absent ?? []).map((a) => a.name)])];
  const styles = styleSeries(keys);
  const items: LegendItem[] = [
    ...spec.series.map((s) => ({ name: s.name, style: styles.get(s.styleKey ?? s.name)!, dashed: s.dashed === true })),
    ...(spec.absent ?? []).map((a) => ({ name: a.name, style: styles.get(a.name)!, note: a.note })),
  ];
  const left = 78;
  const right = 20;
  const legend = drawLegend(items, left, legendTop(spec.title), WIDTH - left - right);
  const top = legendTop(spec.title) + legend.height + 6;
  const box = { left, top, width: WIDTH - left - right, height: HEIGHT - top - 52 };
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y));
  const x = resolveAxis(spec.x, xs, [box.left, box.left + box.width]);
  const y = resolveAxis(spec.y, ys, [box.top + box.height, box.top]);
  const body: string[] = [drawAxes(box, x, y), legend.svg];
  for (const s of spec.series) {
    const st = styles.get(s.styleKey ?? s.name)!;
    const pts = s.points.filter((p) => Number.isFinite(x.scale(p.x)) && Number.isFinite(y.scale(p.y)));
    if (pts.length > 1) {
      const d: string[] = [];
      pts.forEach((p, i) => {
        const X = px(x.scale(p.x));
        const Y = px(y.scale(p.y));
        if (i === 0) d.push(`M${X} ${Y}`);
        else if (s.step) d.push(`H${X}V${Y}`);
        else d.push(`L${X} ${Y}`);
      });
      const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
      body.push(`<path d="${d.join('')}" fill="none" stroke="${st.colour}" stroke-width="2"${dash}/>`);
    }
    body.push(`<g class="points">${pts.map((p) => marker(st.marker, x.scale(p.x), y.scale(p.y), st.colour, p.tip)).join('')}</g>`);
  }
  return wrapSvg(spec.title, body.join('\n'));
}
