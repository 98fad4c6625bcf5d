/**
 * Cost draws in the reports (`run --draws N`): per-draw values of every (configuration, metric),
 * paired ratios between designs, and verdicts that say whether a winner holds in every draw.
 *
 * Draw 0 is the nominal profile and gives the headline value; draws 1..N are the sampled cost
 * vectors and give the p5–p95 spread. A ratio is taken per draw (design a's value in draw d ÷
 * design b's in the same draw) before its spread is taken: both designs saw the same costs, so
 * the uncertainty they share cancels (a paired comparison).
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { metricKey } from './group.js';
import { CASE_METRIC } from './read.js';
import { median, sorted, spread, type Spread } from './stats.js';

/** Per (configuration, metric) key: draw → median over that draw's seeds and repeats. */
export type DrawValues = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** The rows of the nominal profile (draw 0): what every headline value is taken from. */
export function nominal(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.draw === 0);
}

/** True when any row is a sampled draw. */
export function hasDraws(rows: readonly Row[]): boolean {
  return rows.some((r) => r.draw > 0);
}

/** Values of the sampled draws (1..N), keyed like seriesOf. */
export function drawValues(rows: readonly Row[]): DrawValues {
  const samples = new Map<string, Map<number, number[]>>();
  for (const r of rows) {
    if (r.draw === 0 || r.metric === CASE_METRIC || r.outcome !== 'ok' || r.value === null) continue;
    const k = metricKey(r);
    let m = samples.get(k);
    if (!m) samples.set(k, (m = new Map()));
    const list = m.get(r.draw);
    if (list) list.push(r.value);
    else m.set(r.draw, [r.value]);
  }
  const out = new Map<string, Map<number, number>>();
  for (const [k, m] of samples) out.set(k, new Map([...m].map(([d, vs]) => [d, median(sorted(vs))])));
  return out;
}

/** The spread of one series over its draws. */
export function drawSpread(values: ReadonlyMap<number, number> | undefined): Spread | null {
  return values ? spread([...values.values()]) : null;
}

/** a ÷ b in every draw both have (b ≠ 0), in draw order. */
export function pairedRatios(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const d of [...a.keys()].sort((x, y) => x - y)) {
    const av = a.get(d)!;
    const bv = b.get(d);
    if (bv !== undefined && bv !== 0) out.push(av / bv);
  }
  return out;
}

/** Whether one design wins a metric in every draw. */
export interface Robustness {
  /** The design that wins in most draws; null when no draw separates them. */
  readonly winner: string | null;
  readonly loser: string | null;
  readonly wins: number;
  /** Draws both designs have. */
  readonly draws: number;
  readonly robust: boolean;
  /** "mm-less faster in 32/32 draws" or "per-mm faster in 21/32 draws: not robust". */
  readonly text: string;
}

/** The word for winning a metric: faster on times and rates, better elsewhere. */
export function winWord(metric: string): string {
  const unit = metricDef(metric)?.unit;
  return unit === 'ns' || unit === 'pages/s' ? 'faster' : 'better';
}

/**
 * Counts the draws each design wins; robust when one wins every draw (or none differs in any).
 * The draws counted are those either design has: a draw where one design has no value (its case
 * deadlocked, was rejected or failed under that cost vector) is won by neither, so the verdict
 * cannot be robust. Undefined for a metric without a better direction or with no draw at all.
 */
export function robustness(
  metric: string,
  aName: string,
  a: ReadonlyMap<number, number>,
  bName: string,
  b: ReadonlyMap<number, number>,
): Robustness | undefined {
  const better = metricDef(metric)?.better;
  if (better !== 'lower' && better !== 'higher') return undefined;
  let aw = 0;
  let bw = 0;
  let missing = 0;
  const all = new Set([...a.keys(), ...b.keys()]);
  const draws = all.size;
  for (const d of all) {
    const av = a.get(d);
    const bv = b.get(d);
    if (av === undefined || bv === undefined) {
      missing++;
      continue;
    }
    if (av === bv) continue;
    if (av < bv === (better === 'lower')) aw++;
    else bw++;
  }
  if (draws === 0) return undefined;
  if (aw === 0 && bw === 0) {
    if (missing > 0) return { winner: null, loser: null, wins: 0, draws, robust: false, text: `no winner: a value is missing in ${missing}/${draws} draws` };
    return { winner: null, loser: null, wins: 0, draws, robust: true, text: `equal in ${draws}/${draws} draws` };
  }
  const [winner, loser, wins] = aw >= bw ? [aName, bName, aw] : [bName, aName, bw];
  const robust = wins === draws;
  return { winner, loser, wins, draws, robust, text: `${winner} ${winWord(metric)} in ${wins}/${draws} draws${robust ? '' : ': not robust'}` };
}
