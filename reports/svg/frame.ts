/** The frame every chart shares: size, title, legend, markers and the <svg> wrapper. */
import { escapeHtml as esc } from '../escape.js';
import type { Marker, SeriesStyle } from './palette.js';
import { px } from './scale.js';

export const WIDTH = 620;
export const HEIGHT = 380;
/** Rough width of one character at 12 px sans-serif, for laying out legends without font metrics. */
const CHAR_W = 6.8;

export interface LegendItem {
  readonly name: string;
  readonly style: SeriesStyle;
  readonly dashed?: boolean;
  /** Extra text after the name, e.g. "rejected". */
  readonly note?: string | undefined;
}

/** Legend items in rows under the title; returns the SVG and the height it takes. */
export function drawLegend(items: readonly LegendItem[], left: number, top: number, width: number): { svg: string; height: number } {
  const out: string[] = [];
  let x = left;
  let y = top;
  for (const it of items) {
    const text = it.note ? `${it.name} (${it.note})` : it.name;
    const w = 34 + text.length * CHAR_W + 14;
    if (x + w > left + width && x > left) {
      x = left;
      y += 18;
    }
    const dash = it.dashed ? ' stroke-dasharray="5 3"' : '';
    out.push(`<g class="legend-item"><line x1="${px(x)}" x2="${px(x + 26)}" y1="${px(y)}" y2="${px(y)}" stroke="${it.style.colour}" stroke-width="2"${dash}/>`);
    out.push(marker(it.style.marker, x + 13, y, it.style.colour, ''));
    out.push(`<text x="${px(x + 32)}" y="${px(y + 4)}" font-size="12" fill="#222">${esc(text)}</text></g>`);
    x += w;
  }
  return { svg: out.join('\n'), height: y - top + 18 };
}

/** A marker shape centred at (x, y), with an optional <title> tooltip. */
export function marker(kind: Marker, x: number, y: number, colour: string, tip: string): string {
  const t = tip ? `<title>${esc(tip)}</title>` : '';
  const r = 4;
  switch (kind) {
    case 'circle':
      return `<circle cx="${px(x)}" cy="${px(y)}" r="${r}" fill="${colour}">${t}</circle>`;
    case 'square':
      return `<rect x="${px(x - r)}" y="${px(y - r)}" width="${2 * r}" height="${2 * r}" fill="${colour}">${t}</rect>`;
    case 'triangle':
      return `<path d="M${px(x)} ${px(y - r - 1)}L${px(x + r + 1)} ${px(y + r)}L${px(x - r - 1)} ${px(y + r)}Z" fill="${colour}">${t}</path>`;
    case 'diamond':
      return `<path d="M${px(x)} ${px(y - r - 1)}L${px(x + r + 1)} ${px(y)}L${px(x)} ${px(y + r + 1)}L${px(x - r - 1)} ${px(y)}Z" fill="${colour}">${t}</path>`;
  }
}

/** Rough width of one character of the 14 px bold title, and of the 11 px subtitle. */
const TITLE_CHAR_W = 8.2;
const SUB_CHAR_W = 6.2;

/** The visible title: split after " — " onto a second line when long, each line cut with "…" to fit. */
export function titleLines(title: string, width = WIDTH): string[] {
  const max = Math.floor((width - 24) / TITLE_CHAR_W);
  const cut = (s: string) => (s.length > max ? s.slice(0, max - 1).trimEnd() + '…' : s);
  if (title.length <= max) return [title];
  const at = title.indexOf(' — ');
  return at < 0 ? [cut(title)] : [cut(title.slice(0, at)), cut(title.slice(at + 3))];
}

/** What a chart's frame shows above the plot: the title, and a smaller line under it. */
export interface FrameText {
  readonly title: string;
  /** One short grey line under the title (e.g. which quantiles were drawn); cut to fit. */
  readonly subtitle?: string | undefined;
  /** Width of the whole chart in px (default WIDTH). */
  readonly width?: number;
}

/** Where the legend starts below the title (and subtitle). */
export function legendTop(f: FrameText): number {
  return 40 + 18 * (titleLines(f.title, f.width).length - 1) + (f.subtitle ? 16 : 0);
}

/** The <svg> element; the full title is its accessible name and tooltip. */
export function wrapSvg(f: FrameText, body: string, height = HEIGHT): string {
  const width = f.width ?? WIDTH;
  const lines = titleLines(f.title, width).map(
    (l, i) => `<text x="${px(width / 2)}" y="${20 + 18 * i}" text-anchor="middle" font-size="14" font-weight="600" fill="#111">${esc(l)}</text>`,
  );
  if (f.subtitle) {
    const max = Math.floor((width - 24) / SUB_CHAR_W);
    const sub = f.subtitle.length > max ? f.subtitle.slice(0, max - 1).trimEnd() + '…' : f.subtitle;
    lines.push(`<text x="${px(width / 2)}" y="${20 + 18 * (lines.length - 1) + 16}" text-anchor="middle" font-size="11" fill="#444">${esc(sub)}</text>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(f.title)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif">\n` +
    `<title>${esc(f.title)}${f.subtitle ? ` (${esc(f.subtitle)})` : ''}</title>\n<rect width="${width}" height="${height}" fill="#fff"/>\n` +
    lines.join('\n') +
    '\n' +
    body +
    `\n</svg>`
  );
}
