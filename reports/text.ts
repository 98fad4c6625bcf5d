/**
 * The table `run` prints on stdout: the headline lines of the report summary (`summarize`, the
 * one aggregation: the median of the nominal profile over seeds and repeats, the ratio per-mm /
 * mm-less, and with cost draws its paired p5–p95 and whether the winner is the same in every
 * draw), one aligned text table per workload.
 */
import { metricDef, type Row } from '../results/schema.js';
import { REFERENCE_DESIGN as REF, SUBJECT_DESIGN as SUBJECT } from '../backends/designs.js';
import { HEADLINE, ownParams, summarize, type Cell, type SummaryLine, type WorkloadSummary } from './summary.js';
import { hasDraws, nominal } from './uncertainty.js';

function fmt(value: number, unit: string): string {
  if (unit === 'ns') {
    if (value >= 1e9) return `${(value / 1e9).toPrecision(3)} s`;
    if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} ms`;
    if (value >= 1e3) return `${(value / 1e3).toPrecision(3)} µs`;
    return `${value.toPrecision(3)} ns`;
  }
  const text = Math.abs(value) >= 1e4 || Number.isInteger(value) ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
  return unit === 'count' || unit === 'ratio' ? text : `${text} ${unit}`;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n') + '\n';
}

function ratioText(r: number): string {
  return `${r >= 1000 ? Math.round(r).toLocaleString('en-US') : r.toPrecision(3)}×`;
}

/** What a design's column says on the outcome line of one configuration. */
function outcomeWord(cells: readonly (Cell | undefined)[]): string {
  if (cells.some((c) => c?.kind === 'value')) return 'ok';
  const failed = cells.find((c) => c?.kind === 'outcome');
  return failed?.kind === 'outcome' ? failed.outcome : '—';
}

/** The lines of one workload grouped by configuration, in first-seen order. */
function byConfig(w: WorkloadSummary): Map<string, SummaryLine[]> {
  const profiles = new Set(w.lines.map((l) => `${l.backend} ${l.profile}`));
  const groups = new Map<string, SummaryLine[]>();
  for (const l of w.lines) {
    const label = [profiles.size > 1 ? `${l.backend} ${l.profile}` : '', ownParams(w, l.params)].filter((s) => s !== '').join('  ');
    groups.set(label, [...(groups.get(label) ?? []), l]);
  }
  return groups;
}

function workloadTable(w: WorkloadSummary, withDraws: boolean): string | null {
  const designs = w.designs;
  const ratioCol = designs.includes(SUBJECT) && designs.includes(REF) && w.reference === REF;
  const verdictCol = ratioCol && withDraws;
  const extra = (ratio: string, verdict: string): string[] => [...(ratioCol ? [ratio] : []), ...(verdictCol ? [verdict] : [])];
  const table: string[][] = [[w.workload, ...designs, ...extra(`${SUBJECT} ÷ ${REF}`, 'verdict')]];
  const order = HEADLINE[w.workload] ?? [];
  const rank = (m: string): number => (order.includes(m) ? order.indexOf(m) : order.length);
  for (const [key, lines] of byConfig(w)) {
    const label = key === '' ? '' : `${key}  `;
    // Non-ok outcomes show once per configuration.
    const outcomes = designs.map((d) => outcomeWord(lines.map((l) => l.cells.get(d))));
    if (outcomes.some((o) => o !== 'ok' && o !== '—')) table.push([`${label}outcome`, ...outcomes, ...extra('', '')]);
    const shown = lines.filter((l) => l.headline && l.metric !== '' && metricDef(l.metric) !== undefined);
    // Stable sort: the workload's headline order, then the summary's (schema) order.
    shown.sort((a, b) => rank(a.metric) - rank(b.metric));
    for (const l of shown) {
      const cells = designs.map((d) => l.cells.get(d));
      if (!cells.some((c) => c?.kind === 'value')) continue;
      const subject = l.cells.get(SUBJECT);
      let ratio = '';
      let verdict = '';
      if (ratioCol && subject?.kind === 'value' && subject.ratio !== null) {
        ratio = ratioText(subject.ratio);
        if (subject.ratioSpread) ratio += ` [${ratioText(subject.ratioSpread.p5)}–${ratioText(subject.ratioSpread.p95)}]`;
      }
      if (verdictCol && subject?.kind === 'value') verdict = subject.verdict?.text ?? '';
      table.push([`${label}${l.metric}`, ...cells.map((c) => (c?.kind === 'value' ? fmt(c.median, l.unit) : '—')), ...extra(ratio, verdict)]);
    }
  }
  return table.length > 1 ? pad(table) : null;
}

export function summaryTable(allRows: readonly Row[]): string {
  if (allRows.length === 0) return 'no results\n';
  const rows = nominal(allRows);
  if (rows.length === 0) return 'no nominal (draw 0) results\n';
  const withDraws = hasDraws(allRows);
  const clock = [...new Set(rows.map((r) => r.clock))].join('/');
  const drawNote = withDraws ? `; nominal profile, ratios with [p5–p95] over the cost draws (paired)` : '';
  const out = [
    `Headline metrics (clock: ${clock}; median over repeats${drawNote}; every metric is in the CSV; 'eaddbench report' tabulates and charts them)\n`,
  ];
  for (const w of summarize(allRows)) {
    const t = workloadTable(w, withDraws);
    if (t !== null) out.push(t);
  }
  return out.join('\n');
}
