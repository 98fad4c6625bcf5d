/** Axes with units: tick values, tick labels, grid lines and the axis title. */
import { escapeHtml as esc } from '../escape.js';
import { displayUnit, formatQuantity, formatRatio, sig3 } from '../format.js';
import { linearScale, logScale, niceLinear, niceLog, px, type Scale } from './scale.js';

export interface AxisSpec {
  /** What the axis shows, e.g. "throughput". */
  readonly label: string;
  /** Unit of the data values (a schema unit, `bytes`, `1/s`, `count`, or ''). */
  readonly unit: string;
  /** Logarithmic axis (falls back to linear when a value is ≤ 0). */
  readonly log?: boolean;
  /** Put ticks exactly at these values (parameter sweeps) instead of nice ones. */
  readonly ticksAt?: readonly number[] | undefined;
  /** Start a linear axis at zero (bar charts, counts). */
  readonly zero?: boolean;
  /** Fixed domain (e.g. 0..1 for a cumulative fraction). */
  readonly domain?: readonly [number, number];
}

export interface ResolvedAxis {
  readonly scale: Scale;
  readonly ticks: readonly number[];
  /** Tick label text for a value. */
  readonly format: (v: number) => string;
  /** Axis title with its unit, e.g. "build time p50 (ms)". */
  readonly title: string;
}

/** One display unit for a linear axis, chosen from its largest tick: "(ms)", "(M pages/s)". */
function linearDisplay(unit: string, maxAbs: number): { factor: number; unit: string } {
  const d = displayUnit(unit, maxAbs);
  return { factor: d.factor, unit: d.factor === 1 && unit !== 'ns' && unit !== 'bytes' ? unit : d.unit };
}

/** Compact per-tick label for log axes: each tick carries its own unit prefix. */
function logLabel(v: number, unit: string): string {
  if (unit === 'ns' || unit === 'bytes') return formatQuantity(v, unit);
  if (unit === 'ratio') return formatRatio(v);
  const d = displayUnit('', v);
  return `${sig3(v / d.factor)}${d.prefix}`;
}

/**
 * Values beyond ±PLOT_LIMIT (or not finite) stay out of an axis's domain: a CSV may hold 1e308,
 * and nice ticks over it overflow to Infinity. Such points are drawn clipped at the axis edge and
 * the axis title says how many there were.
 */
export const PLOT_LIMIT = 1e100;

export function resolveAxis(spec: AxisSpec, values: readonly number[], range: readonly [number, number]): ResolvedAxis {
  const finite = values.filter((v) => Number.isFinite(v) && Math.abs(v) <= PLOT_LIMIT);
  const outside = values.length - finite.length;
  const axis = resolveInRange(spec, finite, range);
  const [r0, r1] = [Math.min(range[0], range[1]), Math.max(range[0], range[1])];
  const inner = axis.scale;
  const clamp = (v: number): number => {
    const p = inner(v);
    if (Number.isNaN(p)) return v > 0 || Number.isNaN(v) ? inner.range[1] : inner.range[0];
    return Math.min(r1, Math.max(r0, p));
  };
  const scale = Object.assign(clamp, { kind: inner.kind, domain: inner.domain, range: inner.range });
  const title =
    outside > 0
      ? `${axis.title}; ${outside} value${outside === 1 ? '' : 's'} out of range (beyond ±1e100 or not finite), drawn clipped at the edge`
      : axis.title;
  return { ...axis, scale, title };
}

function resolveInRange(spec: AxisSpec, finite: readonly number[], range: readonly [number, number]): ResolvedAxis {
  let min = finite.length ? Math.min(...finite) : 0;
  let max = finite.length ? Math.max(...finite) : 1;
  if (spec.domain) [min, max] = spec.domain;
  const useLog = spec.log === true && min > 0 && !spec.domain;
  if (useLog) {
    if (spec.ticksAt && spec.ticksAt.length > 0) {
      const lo = Math.min(...spec.ticksAt);
      const hi = Math.max(...spec.ticksAt);
      const pad = hi > lo ? (hi / lo) ** 0.04 : 2;
      return {
        scale: logScale([lo / pad, hi * pad], range),
        ticks: [...spec.ticksAt],
        format: (v) => logLabel(v, spec.unit),
        title: `${spec.label}${unitSuffix(spec.unit)}, log scale`,
      };
    }
    const { domain, ticks } = niceLog(min, max);
    return { scale: logScale(domain, range), ticks, format: (v) => logLabel(v, spec.unit), title: `${spec.label}${unitSuffix(spec.unit)}, log scale` };
  }
  if (spec.zero) min = Math.min(0, min);
  if (spec.ticksAt && spec.ticksAt.length > 0 && !spec.zero) {
    const lo = Math.min(...spec.ticksAt);
    const hi = Math.max(...spec.ticksAt);
    const pad = (hi - lo) * 0.04 || 1;
    const d = linearDisplay(spec.unit, Math.max(Math.abs(lo), Math.abs(hi)));
    return {
      scale: linearScale([lo - pad, hi + pad], range),
      ticks: [...spec.ticksAt],
      format: (v) => sig3(v / d.factor),
      title: `${spec.label}${d.unit ? ` (${d.unit})` : ''}`,
    };
  }
  const { domain, ticks } = spec.domain ? { domain: [min, max] as [number, number], ticks: niceLinear(min, max, 5).ticks } : niceLinear(min, max, 5);
  const d = linearDisplay(spec.unit, Math.max(Math.abs(domain[0]), Math.abs(domain[1])));
  return { scale: linearScale(domain, range), ticks, format: (v) => sig3(v / d.factor), title: `${spec.label}${d.unit ? ` (${d.unit})` : ''}` };
}

/** Log-axis titles name the unit only when the tick labels do not carry it themselves. */
function unitSuffix(unit: string): string {
  return unit === '' || unit === 'ns' || unit === 'bytes' || unit === 'ratio' ? '' : ` (${unit})`;
}

export interface PlotBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** SVG for both axes: grid lines, ticks, tick labels and titles. */
export function drawAxes(box: PlotBox, x: ResolvedAxis, y: ResolvedAxis, opts: { readonly xTitleOffset?: number } = {}): string {
  const out: string[] = [];
  const bottom = box.top + box.height;
  const right = box.left + box.width;
  out.push(`<g class="grid" stroke="#e3e3e3" stroke-width="1">`);
  for (const t of y.ticks) out.push(`<line x1="${px(box.left)}" x2="${px(right)}" y1="${px(y.scale(t))}" y2="${px(y.scale(t))}"/>`);
  for (const t of x.ticks) out.push(`<line x1="${px(x.scale(t))}" x2="${px(x.scale(t))}" y1="${px(box.top)}" y2="${px(bottom)}"/>`);
  out.push(`</g>`);
  out.push(`<g class="axis" stroke="#444" stroke-width="1">`);
  out.push(`<line x1="${px(box.left)}" x2="${px(right)}" y1="${px(bottom)}" y2="${px(bottom)}"/>`);
  out.push(`<line x1="${px(box.left)}" x2="${px(box.left)}" y1="${px(box.top)}" y2="${px(bottom)}"/>`);
  for (const t of x.ticks) out.push(`<line x1="${px(x.scale(t))}" x2="${px(x.scale(t))}" y1="${px(bottom)}" y2="${px(bottom + 5)}"/>`);
  for (const t of y.ticks) out.push(`<line x1="${px(box.left - 5)}" x2="${px(box.left)}" y1="${px(y.scale(t))}" y2="${px(y.scale(t))}"/>`);
  out.push(`</g>`);
  out.push(`<g class="ticks" font-size="11" fill="#222">`);
  for (const t of x.ticks) out.push(`<text x="${px(x.scale(t))}" y="${px(bottom + 18)}" text-anchor="middle">${esc(x.format(t))}</text>`);
  for (const t of y.ticks) out.push(`<text x="${px(box.left - 8)}" y="${px(y.scale(t) + 4)}" text-anchor="end">${esc(y.format(t))}</text>`);
  out.push(`</g>`);
  out.push(
    `<text x="${px(box.left + box.width / 2)}" y="${px(bottom + (opts.xTitleOffset ?? 38))}" text-anchor="middle" font-size="12" fill="#222">${esc(x.title)}</text>`,
  );
  const cy = box.top + box.height / 2;
  out.push(
    `<text x="${px(16)}" y="${px(cy)}" text-anchor="middle" font-size="12" fill="#222" transform="rotate(-90 ${px(16)} ${px(cy)})">${esc(y.title)}</text>`,
  );
  return out.join('\n');
}
