/** What every chart builder returns: the drawn charts and what it left out, with why. */

export interface Chart {
  readonly title: string;
  readonly svg: string;
  /** Text under the chart: the parameters it holds fixed, what it was drawn from. */
  readonly note?: string | undefined;
  /** Spans the page width instead of one column. */
  readonly wide?: boolean;
}

export interface Built {
  readonly charts: readonly Chart[];
  /** Charts left out by the cap (their numbers are in the tables). */
  readonly omitted: number;
  /** Sentences about what was not drawn and why, or how the charts were chosen. */
  readonly notes: readonly string[];
}

/** Most charts of one kind; the rest are in the tables. */
export const MAX_CHARTS_PER_KIND = 4;

export function mergeBuilt(a: Built, b: Built): Built {
  return { charts: [...a.charts, ...b.charts], omitted: a.omitted + b.omitted, notes: [...new Set([...a.notes, ...b.notes])] };
}

/** Group key of a series: backend, profile and a params string. */
export function keyOf(backend: string, profile: string, params: string): string {
  return [backend, profile, params].join('\u001f');
}
