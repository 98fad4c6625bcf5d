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
  readonly note?: string;
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

/** Rough width of one character of the 14 px bold title. */
const TITLE_CHAR_W = 8.2;
const TITLE_MAX = Math.floor((WIDTH - 24) / TITLE_CHAR_W);

/** The visible title: split after " — " onto a second line when long, each line cut with "…" to fit. */
export function titleLines(title: string): string[] {
  const cut = (s: string) => (s.length > TITLE_MAX ? s.slice(0, TITLE_MAX - 1).trimEnd() + '…' : s);
  if (title.length <= TITLE_MAX) return [title];
  const at = title.indexOf(' — ');
  return at < 0 ? [cut(title)] : [cut(title.slice(0, at)), cut(title.slice(at + 3))];
}

/** Where the legend starts below the title. */
export function legendTop(title: string): number {
  return 40 + 18 * (titleLines(title).length - 1);
}

/** The <svg> element; the full title is its accessible name and tooltip. */
export function wrapSvg(title: string, body: string, height = HEIGHT): string {
  const lines = titleLines(title)
    .map((l, i) => `<text x="${px(WIDTH / 2)}" y="${20 + 18 * i}" text-anchor="middle" font-size="14" font-weight="600" fill="#111">${esc(l)}</text>`)
    .join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(title)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif">\n` +
    `<title>${esc(title)}</title>\n<rect width="${WIDTH}" height="${height}" fill="#fff"/>\n` +
    lines +
    '\n' +
    body +
    `\n</svg>`
  );
}
