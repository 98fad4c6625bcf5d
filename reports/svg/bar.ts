/** Grouped bar charts: one group per category, one bar per series, linear axis from zero. */
import { escapeHtml as esc } from '../escape.js';
import { resolveAxis, drawAxes, type AxisSpec } from './axis.js';
import { drawLegend, legendTop, wrapSvg, WIDTH, HEIGHT } from './frame.js';
import { styleSeries } from './palette.js';
import { px } from './scale.js';

export interface Bar {
  readonly series: string;
  /** null: no value (the legend note or the tooltip says why). */
  readonly value: number | null;
  readonly tip: string;
  /** Short text above the bar (e.g. a ratio), or '' for none. */
  readonly label: string;
}

export interface BarGroup {
  readonly category: string;
  readonly bars: readonly Bar[];
}

export interface BarChartSpec {
  readonly title: string;
  /** Title of the category axis. */
  readonly xLabel: string;
  readonly y: AxisSpec;
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
}

export function renderBarChart(spec: BarChartSpec): string {
  const styles = styleSeries(spec.series);
  const left = 78;
  const right = 20;
  const legend = drawLegend(spec.series.map((name) => ({ name, style: styles.get(name)! })), left, legendTop(spec.title), WIDTH - left - right);
  const top = legendTop(spec.title) + legend.height + 10;
  const box = { left, top, width: WIDTH - left - right, height: HEIGHT - top - 52 };
  const values = spec.groups.flatMap((g) => g.bars.map((b) => b.value).filter((v): v is number => v !== null));
  const y = resolveAxis({ ...spec.y, zero: true, log: false }, values, [box.top + box.height, box.top]);
  // The category axis is drawn by hand; a dummy linear axis keeps drawAxes' frame and y grid.
  const xAxis = { scale: Object.assign((v: number) => v, { kind: 'linear' as const, domain: [0, 1] as const, range: [0, 1] as const }), ticks: [], format: () => '', title: spec.xLabel };
  const body: string[] = [drawAxes(box, xAxis, y), legend.svg];
  const groupW = box.width / Math.max(1, spec.groups.length);
  const barW = Math.min(36, (groupW * 0.8) / Math.max(1, spec.series.length));
  spec.groups.forEach((g, gi) => {
    const cx = box.left + groupW * (gi + 0.5);
    const start = cx - (barW * spec.series.length) / 2;
    spec.series.forEach((name, si) => {
      const bar = g.bars.find((b) => b.series === name);
      const x0 = start + si * barW;
      if (!bar) return;
      const st = styles.get(name)!;
      if (bar.value === null) {
        body.push(`<text x="${px(x0 + barW / 2)}" y="${px(box.top + box.height - 4)}" text-anchor="middle" font-size="10" fill="#666">–<title>${esc(bar.tip)}</title></text>`);
        return;
      }
      const yTop = y.scale(bar.value);
      const y0 = y.scale(0);
      body.push(`<rect x="${px(x0 + 1)}" y="${px(Math.min(yTop, y0))}" width="${px(barW - 2)}" height="${px(Math.abs(y0 - yTop))}" fill="${st.colour}"><title>${esc(bar.tip)}</title></rect>`);
      if (bar.label && barW >= 30) body.push(`<text x="${px(x0 + barW / 2)}" y="${px(Math.min(yTop, y0) - 4)}" text-anchor="middle" font-size="10" fill="#222">${esc(bar.label)}</text>`);
    });
    body.push(`<text x="${px(cx)}" y="${px(box.top + box.height + 18)}" text-anchor="middle" font-size="11" fill="#222">${esc(g.category)}</text>`);
  });
  return wrapSvg(spec.title, body.join('\n'));
}
