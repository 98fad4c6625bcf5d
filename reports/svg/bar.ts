/**
 * Grouped bar charts: one group per category, one bar per series. Linear axis from zero, or a
 * log axis of ratios whose bars grow up or down from ×1.
 */
import { escapeHtml as esc } from '../escape.js';
import { resolveAxis, drawAxes, type AxisSpec } from './axis.js';
import { drawLegend, legendTop, wrapSvg, WIDTH, HEIGHT } from './frame.js';
import { styleSeries } from './palette.js';
import { px } from './scale.js';

export interface Bar {
  readonly series: string;
  /** null: no value (the tooltip says why). */
  readonly value: number | null;
  readonly tip: string;
  /** Short text above the bar (e.g. a ratio), or '' for none. */
  readonly label: string;
  /** An interval around the value (e.g. p5–p95 over cost draws), drawn as an error bar. */
  readonly lo?: number;
  readonly hi?: number;
}

export interface BarGroup {
  /** Category label; a newline starts a second, smaller line. */
  readonly category: string;
  readonly bars: readonly Bar[];
}

export interface BarChartSpec {
  readonly title: string;
  readonly subtitle?: string | undefined;
  /** Width in px (default WIDTH; a chart with many groups may span the page). */
  readonly width?: number;
  /** Title of the category axis. */
  readonly xLabel: string;
  /** With `log`, values are ratios: bars start at 1 and the axis is logarithmic. */
  readonly y: AxisSpec;
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
}

/** Rough width of one character of the 10 px bar labels. */
const LABEL_CHAR_W = 5.8;

export function renderBarChart(spec: BarChartSpec): string {
  const width = spec.width ?? WIDTH;
  const frame = { title: spec.title, subtitle: spec.subtitle, width };
  const styles = styleSeries(spec.series);
  const left = 78;
  const right = 20;
  const legend = drawLegend(
    spec.series.map((name) => ({ name, style: styles.get(name)! })),
    left,
    legendTop(frame),
    width - left - right,
  );
  const top = legendTop(frame) + legend.height + 14;
  const box = { left, top, width: width - left - right, height: HEIGHT - top - 80 };
  const values = spec.groups.flatMap((g) =>
    g.bars
      .flatMap((b) => (b.value === null ? [] : [b.value, ...(b.lo !== undefined && b.hi !== undefined ? [b.lo, b.hi] : [])]))
      .filter((v) => !spec.y.log || v > 0),
  );
  const ratio = spec.y.log === true;
  // A ratio axis always shows ×1, the line the bars start from.
  const y = resolveAxis({ ...spec.y, zero: !ratio }, ratio ? [...values, 1] : values, [box.top + box.height, box.top]);
  // The category axis is drawn by hand; a dummy linear axis keeps drawAxes' frame and y grid.
  const xAxis = {
    scale: Object.assign((v: number) => v, { kind: 'linear' as const, domain: [0, 1] as const, range: [0, 1] as const }),
    ticks: [],
    format: () => '',
    title: spec.xLabel,
  };
  const body: string[] = [drawAxes(box, xAxis, y, { xTitleOffset: 66 }), legend.svg];
  const base = y.scale(ratio ? 1 : 0);
  if (ratio) body.push(`<line x1="${px(box.left)}" x2="${px(box.left + box.width)}" y1="${px(base)}" y2="${px(base)}" stroke="#444" stroke-width="1"/>`);
  const groupW = box.width / Math.max(1, spec.groups.length);
  const barW = Math.min(40, (groupW * 0.84) / Math.max(1, spec.series.length));
  spec.groups.forEach((g, gi) => {
    const cx = box.left + groupW * (gi + 0.5);
    const start = cx - (barW * spec.series.length) / 2;
    spec.series.forEach((name, si) => {
      const bar = g.bars.find((b) => b.series === name);
      const x0 = start + si * barW;
      if (!bar) return;
      const st = styles.get(name)!;
      if (bar.value === null || (ratio && !(bar.value > 0))) {
        // No bar: say why, written upwards from the baseline (e.g. "deadlock").
        const X = px(x0 + barW / 2 + 4);
        body.push(
          `<text x="${X}" y="${px(base - 4)}" transform="rotate(-90 ${X} ${px(base - 4)})" font-size="10" fill="#666">${esc(bar.label || 'n/a')}<title>${esc(bar.tip)}</title></text>`,
        );
        return;
      }
      const yv = y.scale(bar.value);
      const up = yv <= base;
      body.push(
        `<rect x="${px(x0 + 1)}" y="${px(Math.min(yv, base))}" width="${px(barW - 2)}" height="${px(Math.max(1, Math.abs(base - yv)))}" fill="${st.colour}"><title>${esc(bar.tip)}</title></rect>`,
      );
      let labelAt = up ? Math.min(yv, base) - 4 : Math.max(yv, base) + 11;
      if (bar.lo !== undefined && bar.hi !== undefined && (!ratio || (bar.lo > 0 && bar.hi > 0))) {
        const [y1, y2] = [y.scale(bar.lo), y.scale(bar.hi)];
        const cx0 = x0 + barW / 2;
        const cap = Math.min(6, barW / 3);
        body.push(
          `<path class="errorbar" d="M${px(cx0)} ${px(y1)}V${px(y2)}M${px(cx0 - cap)} ${px(y1)}H${px(cx0 + cap)}M${px(cx0 - cap)} ${px(y2)}H${px(cx0 + cap)}" stroke="#222" stroke-width="1.2" fill="none"><title>${esc(bar.tip)}</title></path>`,
        );
        labelAt = up ? Math.min(labelAt, Math.min(y1, y2) - 4) : Math.max(labelAt, Math.max(y1, y2) + 11);
      }
      // A label only where it fits over its own bar; the tooltip always has the value.
      if (bar.label && bar.label.length * LABEL_CHAR_W <= barW + 2) {
        body.push(`<text x="${px(x0 + barW / 2)}" y="${px(labelAt)}" text-anchor="middle" font-size="10" fill="#222">${esc(bar.label)}</text>`);
      }
    });
    g.category
      .split('\n')
      .slice(0, 3)
      .forEach((line, i) => {
        const [size, charW, colour] = i === 0 ? [11, 6.3, '#222'] : [10, 5.8, '#555'];
        body.push(
          `<text x="${px(cx)}" y="${px(box.top + box.height + 18 + 13 * i)}" text-anchor="middle" font-size="${size}" fill="${colour}">${esc(fit(line, groupW, charW))}<title>${esc(line)}</title></text>`,
        );
      });
  });
  return wrapSvg(frame, body.join('\n'));
}

/** Cuts text with "…" to about `width` px at `charW` px a character. */
function fit(text: string, width: number, charW: number): string {
  const max = Math.max(3, Math.floor((width - 4) / charW));
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}
