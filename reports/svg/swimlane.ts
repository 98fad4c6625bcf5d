/**
 * A swimlane chart: one lane per task, time across (µs of model time from the case's start),
 * the task's outer slices (ioctls, operations, work items) as pale bars and the slices inside
 * them coloured by kind: EADD, lock waits, reclaim, other enclave instructions; lock holds
 * (`holds mmap_sem(mm1) [read]`, `holds encl1->lock`) as a thin bar along the lane's foot, so a
 * wait on one lane lines up with the hold on another. Rectangles narrower than half a pixel
 * merge with their neighbour of the same kind and layer, so the SVG stays small whatever the
 * trace holds.
 */
import { escapeHtml as esc } from '../escape.js';
import type { Lane, LaneSlice } from '../timelines.js';
import { niceLinear, px } from './scale.js';
import { wrapSvg } from './frame.js';

export const SWIM_WIDTH = 620;
const LEFT = 150;
const RIGHT = 14;
const LANE_H = 22;
const TOP = 58;

export interface SliceKind {
  readonly id: string;
  readonly label: string;
  readonly colour: string;
  readonly test: (name: string) => boolean;
}

/** Kinds in the order they are tried (Okabe–Ito colours; the legend names each). */
export const KINDS: readonly SliceKind[] = [
  { id: 'hold', label: 'lock held', colour: '#E69F00', test: (n) => n.startsWith('holds ') },
  { id: 'wait', label: 'lock wait', colour: '#D55E00', test: (n) => /mmap_sem|->lock|flush_work|^wait for/.test(n) },
  { id: 'eadd', label: 'EADD (+EEXTEND)', colour: '#0072B2', test: (n) => n.startsWith('EADD') },
  { id: 'reclaim', label: 'reclaim', colour: '#009E73', test: (n) => /reclaim|EWB/.test(n) },
  { id: 'other', label: 'other step', colour: '#CC79A7', test: () => true },
];
const OUTER = '#d9d9d9';

function kindOf(s: LaneSlice): SliceKind {
  return KINDS.find((k) => k.test(s.name))!;
}

/** Outer slices, the kinds inside them, and lock holds (drawn apart: they span the others). */
type Layer = 'outer' | 'inner' | 'hold';

interface Rect {
  x0: number;
  x1: number;
  readonly colour: string;
  readonly layer: Layer;
  n: number;
  readonly name: string;
}

export function swimlaneSvg(title: string, subtitle: string, lanes: readonly Lane[], windowUs: number): string {
  const plotW = SWIM_WIDTH - LEFT - RIGHT;
  const x = (us: number) => LEFT + (Math.min(windowUs, Math.max(0, us)) / windowUs) * plotW;
  const height = TOP + Math.max(1, lanes.length) * LANE_H + 62;
  const out: string[] = [];
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    const label = lane.name.length > 22 ? lane.name.slice(0, 21) + '…' : lane.name;
    out.push(
      `<text x="${LEFT - 6}" y="${px(y + 15)}" text-anchor="end" font-size="11" fill="#222">${esc(label)}<title>${esc(`${lane.group} / ${lane.name}`)}</title></text>`,
    );
    out.push(`<line x1="${LEFT}" x2="${SWIM_WIDTH - RIGHT}" y1="${px(y + LANE_H - 0.5)}" y2="${px(y + LANE_H - 0.5)}" stroke="#eee"/>`);
    const rects: Rect[] = [];
    for (const s of lane.slices) {
      const kind = kindOf(s);
      const layer: Layer = kind.id === 'hold' ? 'hold' : s.depth > 0 || kind.id !== 'other' ? 'inner' : 'outer';
      const colour = layer === 'outer' ? OUTER : kind.colour;
      const x0 = x(s.start);
      const x1 = Math.max(x(s.end), x0 + 0.5);
      const last = findLast(rects, layer, colour);
      if (last && x0 - last.x1 < 0.5) {
        last.x1 = Math.max(last.x1, x1);
        last.n++;
      } else rects.push({ x0, x1, colour, layer, n: 1, name: s.name });
    }
    // Outer bars first, then the holds along the foot, then the inner kinds on top.
    for (const layer of ['outer', 'hold', 'inner'] as const)
      for (const r of rects) {
        if (r.layer !== layer) continue;
        const h = layer === 'outer' ? 18 : layer === 'hold' ? 4 : 12;
        const top = layer === 'hold' ? y + LANE_H - 5 : y + (LANE_H - h) / 2;
        const tip = r.n > 1 ? `${r.n} slices (${r.name}, …)` : r.name;
        out.push(`<rect x="${px(r.x0)}" y="${px(top)}" width="${px(r.x1 - r.x0)}" height="${h}" fill="${r.colour}"><title>${esc(tip)}</title></rect>`);
      }
  });
  const axisY = TOP + Math.max(1, lanes.length) * LANE_H + 4;
  const { ticks } = niceLinear(0, windowUs, 5);
  out.push(`<line x1="${LEFT}" x2="${SWIM_WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}" stroke="#444"/>`);
  for (const t of ticks) {
    if (t > windowUs) continue;
    out.push(
      `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${axisY}" y2="${axisY + 4}" stroke="#444"/><text x="${px(x(t))}" y="${axisY + 16}" text-anchor="middle" font-size="11" fill="#222">${t}</text>`,
    );
  }
  out.push(`<text x="${px(LEFT + plotW / 2)}" y="${axisY + 31}" text-anchor="middle" font-size="11" fill="#222">model time since the case started (µs)</text>`);
  let lx = 10;
  const ly = axisY + 46;
  for (const [label, colour] of [['outer (ioctl, op, work item)', OUTER], ...KINDS.map((k) => [k.label, k.colour] as const)] as const) {
    out.push(
      `<rect x="${px(lx)}" y="${ly - 8}" width="10" height="10" fill="${colour}"/><text x="${px(lx + 13)}" y="${ly + 1}" font-size="10" fill="#222">${esc(label)}</text>`,
    );
    lx += 20 + label.length * 6.2;
  }
  return wrapSvg({ title, subtitle, width: SWIM_WIDTH }, out.join('\n'), height);
}

function findLast(rects: readonly Rect[], layer: Layer, colour: string): Rect | undefined {
  for (let i = rects.length - 1; i >= 0; i--) {
    const r = rects[i]!;
    if (r.layer === layer && r.colour === colour) return r;
    if (r.layer === layer) return undefined;
  }
  return undefined;
}
