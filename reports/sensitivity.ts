/**
 * Which costs matter (`run --draws N --sensitivity`): per (configuration, metric), Spearman's
 * rank correlation of each cost's drawn values with the metric over the draws, the strongest
 * first. A cost whose range moves a metric most is the one to measure first
 * (`eaddbench calibrate` on hardware, `eaddbench fit` against published figures).
 *
 * Rank correlation, not linear: the model's response to a cost is monotone but rarely linear
 * (a queue saturates, reclaim starts at a threshold). With Latin hypercube draws every cost is
 * spread over its whole range, so one run ranks them all (a global, one-pass screening in the
 * sense of Saltelli et al., "Global Sensitivity Analysis: The Primer", 2008, ch. 1).
 *
 * With few draws, independently drawn costs correlate with each other by chance, and so a cost
 * the metric does not depend on can correlate with it through one it does. The largest |rho|
 * between two cost columns of the run is that chance level: a correlation at or below it is
 * marked as within chance (more draws lower it, about as 1/sqrt(N)).
 */
import { stringify } from 'csv-stringify/sync';
import type { Row } from '../results/schema.js';
import { formatNumber } from '../results/csv.js';
import { spearman } from './stats.js';
import { drawValues } from './uncertainty.js';
import { metricFields, metricKey } from './group.js';

/** How many costs are kept per metric. */
export const TOP_COSTS = 5;

export interface CostCorrelation {
  readonly backend: string;
  readonly design: string;
  readonly workload: string;
  readonly profile: string;
  readonly params: string;
  readonly metric: string;
  /** 1 = the strongest correlation of this metric. */
  readonly rank: number;
  readonly cost: string;
  /** Spearman's rho over the draws, in [−1, 1]. */
  readonly rho: number;
  /** Draws the correlation is taken over. */
  readonly draws: number;
  /** |rho| ≤ the run's chance level (see chanceLevel). */
  readonly withinChance: boolean;
}

/** The largest |rho| between two cost columns: what chance alone gives with these draws. */
export function chanceLevel(vectors: readonly Readonly<Record<string, number>>[]): number {
  const costs = vectors.length > 0 ? Object.keys(vectors[0]!) : [];
  const cols = costs.map((c) => vectors.map((v) => v[c]!));
  let max = 0;
  for (let i = 0; i < cols.length; i++) {
    for (let j = i + 1; j < cols.length; j++) {
      const r = Math.abs(spearman(cols[i]!, cols[j]!));
      if (Number.isFinite(r) && r > max) max = r;
    }
  }
  return max;
}

/**
 * The top `top` costs by |rho| of every (configuration, metric) with at least 3 draws.
 * `vectors[d − 1]` is the cost vector of draw d. Costs that never vary, and metrics that do
 * not move, have no correlation and are left out.
 */
export function costSensitivity(rows: readonly Row[], vectors: readonly Readonly<Record<string, number>>[], top = TOP_COSTS): CostCorrelation[] {
  const out: CostCorrelation[] = [];
  const costs = vectors.length > 0 ? Object.keys(vectors[0]!) : [];
  const chance = chanceLevel(vectors);
  // The key order of drawValues is first-seen row order, i.e. plan order.
  const firstRow = new Map<string, Row>();
  for (const r of rows) {
    const k = metricKey(r); // the key drawValues groups by
    if (!firstRow.has(k)) firstRow.set(k, r);
  }
  for (const [key, byDraw] of drawValues(rows)) {
    const draws = [...byDraw.keys()].filter((d) => d >= 1 && d <= vectors.length).sort((a, b) => a - b);
    if (draws.length < 3) continue;
    const y = draws.map((d) => byDraw.get(d)!);
    const scored = costs
      .map((cost) => ({
        cost,
        rho: spearman(
          draws.map((d) => vectors[d - 1]![cost]!),
          y,
        ),
      }))
      .filter((c) => Number.isFinite(c.rho))
      .sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho) || (a.cost < b.cost ? -1 : 1))
      .slice(0, top);
    const r = firstRow.get(key)!;
    scored.forEach((c, i) =>
      out.push({
        ...metricFields(r),
        rank: i + 1,
        cost: c.cost,
        rho: c.rho,
        draws: draws.length,
        withinChance: Math.abs(c.rho) <= chance,
      }),
    );
  }
  return out;
}

export const SENSITIVITY_COLUMNS = ['backend', 'design', 'workload', 'profile', 'params', 'metric', 'rank', 'cost', 'rho', 'draws', 'within_chance'] as const;

/** The sensitivity CSV (one row per metric and ranked cost). */
export function sensitivityCsv(list: readonly CostCorrelation[]): string {
  const records = list.map((c) =>
    SENSITIVITY_COLUMNS.map((k) =>
      k === 'rho' ? formatNumber(Math.round(c.rho * 1e4) / 1e4) : k === 'within_chance' ? (c.withinChance ? '1' : '0') : String(c[k]),
    ),
  );
  return stringify([[...SENSITIVITY_COLUMNS], ...records], { record_delimiter: 'unix' });
}

/** A text table of the given metrics: per configuration and design, the top costs with rho. */
export function sensitivityTable(list: readonly CostCorrelation[], metrics: (workload: string) => readonly string[], chance: number): string {
  const groups = new Map<string, CostCorrelation[]>();
  for (const c of list) {
    if (!metrics(c.workload).includes(c.metric)) continue;
    const k = [c.workload, c.params, c.design, c.metric].join('\u001f');
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  if (groups.size === 0) return '';
  const lines = [
    `Which costs matter (Spearman rank correlation with the metric over the ${list[0]?.draws ?? 0} draws, top ${TOP_COSTS}; ` +
      `'?' marks |rho| ≤ ${chance.toFixed(2)}, the largest correlation between two independently drawn costs, i.e. within chance):`,
  ];
  for (const g of groups.values()) {
    const c = g[0]!;
    const costs = g.map((x) => `${x.cost} ${x.rho >= 0 ? '+' : '−'}${Math.abs(x.rho).toFixed(2)}${x.withinChance ? '?' : ''}`).join(', ');
    lines.push(`  ${c.workload} ${c.design} ${c.params === '' ? '' : c.params + ' '}${c.metric}: ${costs}`);
  }
  return lines.join('\n') + '\n';
}
