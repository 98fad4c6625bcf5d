/** Scales and ticks: linear with "nice" 1-2-5 steps, and logarithmic (base 10). */

export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  (v: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = (v: number) => r0 + ((v - d0) / span) * (r1 - r0);
  return Object.assign(f, { kind: 'linear' as const, domain, range });
}

/** Domain values must be > 0. */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const l0 = Math.log10(domain[0]);
  const l1 = Math.log10(domain[1]);
  const span = l1 - l0 || 1;
  const [r0, r1] = range;
  const f = (v: number) => r0 + ((Math.log10(v) - l0) / span) * (r1 - r0);
  return Object.assign(f, { kind: 'log' as const, domain, range });
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over [min, max]. */
export function niceStep(min: number, max: number, count: number): number {
  const raw = (max - min) / Math.max(1, count);
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/** The domain widened to whole steps, and its ticks. */
export function niceLinear(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = niceStep(min, max, count);
  const lo = roundTo(Math.floor(min / step) * step, step);
  const hi = roundTo(Math.ceil(max / step) * step, step);
  const ticks: number[] = [];
  // Integer stepping avoids accumulating floating-point error in tick values.
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) ticks.push(roundTo(lo + i * step, step));
  return { domain: [lo, hi], ticks };
}

function roundTo(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, digits)));
}

/** Powers of ten covering [min, max] (both > 0); 2 and 5 multiples too when the span is short. */
export function niceLog(min: number, max: number): { domain: [number, number]; ticks: number[] } {
  const lo = Math.floor(Math.log10(min));
  let hi = Math.ceil(Math.log10(max));
  if (hi === lo) hi = lo + 1;
  const ticks: number[] = [];
  const decades = hi - lo;
  for (let e = lo; e <= hi; e++) {
    const base = 10 ** e;
    ticks.push(Number(base.toPrecision(12)));
    if (decades <= 2 && e < hi) ticks.push(Number((2 * base).toPrecision(12)), Number((5 * base).toPrecision(12)));
  }
  return { domain: [10 ** lo, 10 ** hi], ticks };
}

/** Pixel coordinates with one decimal: byte-stable output. */
export function px(v: number): string {
  const s = v.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
}
