/** Line charts (with point markers): sweeps against a parameter, and quantile (CDF) plots. */
import { escapeHtml as esc } from '../escape.js';
import { resolveAxis, drawAxes, type AxisSpec } from './axis.js';
import { drawLegend, legendTop, marker, wrapSvg, WIDTH, HEIGHT, type LegendItem } from './frame.js';
import { styleSeries, type SeriesStyle } from './palette.js';
import { px } from './scale.js';

export interface Point {
  readonly x: number;
  readonly y: number;
  /** Tooltip text (shown on hover through <title>). */
  readonly tip: string;
  /** An interval around y (e.g. p5–p95 over cost draws), drawn as a band. */
  readonly lo?: number;
  readonly hi?: number;
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

/** A vertical reference line across the plot, e.g. the EPC size on a size axis. */
export interface RefLine {
  readonly x: number;
  readonly label: string;
}

export interface LineChartSpec {
  readonly title: string;
  /** A short line under the title. */
  readonly subtitle?: string | undefined;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly series: readonly LineSeries[];
  /** Legend-only entries for series without data (e.g. a design that rejected the workload). */
  readonly absent?: readonly { readonly name: string; readonly note: string }[];
  readonly refLines?: readonly RefLine[] | undefined;
}

/** Within this many px two series look like one line. */
const SAME_PX = 1.5;

export function renderLineChart(spec: LineChartSpec): string {
  const frame = { title: spec.title, subtitle: spec.subtitle };
  const keys = [...new Set([...spec.series.map((s) => s.styleKey ?? s.name), ...(spec.absent ?? []).map((a) => a.name)])];
  const styles = styleSeries(keys);
  const left = 78;
  const right = 20;
  // Which series hide others depends on the plot, whose top depends on the legend: lay out once
  // without notes to find them, then again with the notes.
  const plot = (top: number) => {
    const box = { left, top, width: WIDTH - left - right, height: HEIGHT - top - 52 };
    // Reference lines are drawn only inside the data's range; they never stretch the axis.
    const xs = spec.series.flatMap((s) => s.points.map((p) => p.x));
    const ys = spec.series.flatMap((s) => s.points.flatMap((p) => [p.y, ...(p.lo !== undefined && p.hi !== undefined ? [p.lo, p.hi] : [])]));
    const x = resolveAxis(spec.x, xs, [box.left, box.left + box.width]);
    const y = resolveAxis(spec.y, ys, [box.top + box.height, box.top]);
    return { box, x, y };
  };
  const first = plot(legendTop(frame) + drawLegend(legendItems(spec, styles, new Map()), left, legendTop(frame), WIDTH - left - right).height + 6);
  const hidden = overlaps(spec.series, (p) => [first.x.scale(p.x), first.y.scale(p.y)]);
  const legend = drawLegend(legendItems(spec, styles, hidden), left, legendTop(frame), WIDTH - left - right);
  const { box, x, y } = plot(legendTop(frame) + legend.height + 6);
  const body: string[] = [drawAxes(box, x, y), legend.svg];
  for (const r of spec.refLines ?? []) {
    const X = x.scale(r.x);
    if (!Number.isFinite(X) || X < box.left || X > box.left + box.width) continue;
    body.push(
      `<g class="ref"><line x1="${px(X)}" x2="${px(X)}" y1="${px(box.top)}" y2="${px(box.top + box.height)}" stroke="#777" stroke-width="1" stroke-dasharray="2 3"/>`,
    );
    body.push(`<text x="${px(X + 4)}" y="${px(box.top + 12)}" font-size="11" fill="#444">${esc(r.label)}</text></g>`);
  }
  // Bands first, under every line: the p5–p95 of each series where its points have one.
  for (const s of spec.series) {
    const st = styles.get(s.styleKey ?? s.name)!;
    const band = s.points.filter(
      (p) => p.lo !== undefined && p.hi !== undefined && Number.isFinite(x.scale(p.x)) && Number.isFinite(y.scale(p.lo)) && Number.isFinite(y.scale(p.hi)),
    );
    if (band.length < 2) continue;
    const upper = band.map((p) => `${px(x.scale(p.x))} ${px(y.scale(p.hi!))}`);
    const lower = band.map((p) => `${px(x.scale(p.x))} ${px(y.scale(p.lo!))}`).reverse();
    body.push(
      `<path class="band" d="M${[...upper, ...lower].join('L')}Z" fill="${st.colour}" fill-opacity="0.15" stroke="none"><title>${esc(`${s.name}: p5–p95 over the cost draws`)}</title></path>`,
    );
  }
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
  return wrapSvg(frame, body.join('\n'));
}

function legendItems(spec: LineChartSpec, styles: ReadonlyMap<string, SeriesStyle>, hidden: ReadonlyMap<string, string>): LegendItem[] {
  return [
    ...spec.series.map((s) => {
      const under = hidden.get(s.name);
      return { name: s.name, style: styles.get(s.styleKey ?? s.name)!, dashed: s.dashed === true, ...(under ? { note: `under ${under}` } : {}) };
    }),
    ...(spec.absent ?? []).map((a) => ({ name: a.name, style: styles.get(a.name)!, note: a.note })),
  ];
}

/**
 * Series drawn over by a later one (every point within SAME_PX of the later series' points, same
 * dash): name → the series on top. The legend says so, or a reader would think a design is missing.
 */
export function overlaps(series: readonly LineSeries[], at: (p: Point) => readonly [number, number]): Map<string, string> {
  const out = new Map<string, string>();
  series.forEach((s, i) => {
    for (let j = series.length - 1; j > i; j--) {
      const t = series[j]!;
      if (t.dashed !== s.dashed || t.points.length !== s.points.length || s.points.length === 0) continue;
      const same = s.points.every((p, k) => {
        const [ax, ay] = at(p);
        const [bx, by] = at(t.points[k]!);
        return Math.abs(ax - bx) <= SAME_PX && Math.abs(ay - by) <= SAME_PX;
      });
      if (same) {
        out.set(s.name, t.name);
        break;
      }
    }
  });
  return out;
}
