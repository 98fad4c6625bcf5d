/**
 * How a cost's grade maps to its default range (docs/validation.md, "Cost ranges"): the range
 * is `[value / f, value × f]` with the factor `f` of the grade. A profile states `low` and
 * `high` for every cost; the shipped profiles use these defaults except where a source gives
 * its own bounds, and a fit writes the range it found (grade `fitted`).
 */

/** The confidence grades a profile value may carry. */
export const GRADES = ['high', 'medium', 'low', 'UNCONFIRMED', 'measured', 'fitted'] as const;
export type Grade = (typeof GRADES)[number];

/** Multiplicative half-width of the default range per grade (`fitted` ranges come from the fit). */
export const GRADE_FACTOR: Readonly<Record<Exclude<Grade, 'fitted'>, number>> = {
  measured: 1.1,
  high: 1.2,
  medium: 1.5,
  low: 2,
  UNCONFIRMED: 3,
};

/** Four significant digits: ranges are priors, not measurements. */
function round4(x: number): number {
  if (x === 0) return 0;
  return Number(x.toPrecision(4));
}

/** The default range of a value of the given grade (a fitted grade keeps the prior's UNCONFIRMED width). */
export function defaultRange(grade: Grade, value: number): { low: number; high: number } {
  const f = grade === 'fitted' ? GRADE_FACTOR.UNCONFIRMED : GRADE_FACTOR[grade];
  return { low: Math.min(value, round4(value / f)), high: Math.max(value, round4(value * f)) };
}
