/**
 * report.md: a summary short enough for a pull-request comment or a CI job summary. Per
 * workload, the headline metrics for every design side by side with the ratio to mm-less; the
 * other metrics fold into a <details> block; cases that did not finish are listed with reasons.
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { escapeMarkdown as md } from './escape.js';
import { formatParams, formatQuantity, formatRatio, metricTitle } from './format.js';
import { failedCases, summarize, type Cell, type SummaryLine, type WorkloadSummary } from './summary.js';

export interface ReportSource {
  /** File names as given on the command line (shown, escaped). */
  readonly files: readonly string[];
  readonly rows: readonly Row[];
}

export function renderMarkdown(src: ReportSource): string {
  const out: string[] = [];
  const { rows } = src;
  out.push('# eaddbench report', '');
  out.push(sourceLine(src), '');
  if (rows.length === 0) {
    out.push('No result rows in the input.', '');
    return out.join('\n');
  }
  out.push(
    'Values are medians over seeds and repeats, with the clock they were taken on (`model` = virtual time of the simulation, `wall` = real time). ' +
      'A ratio is the design\'s median ÷ the reference design\'s (mm-less when present); whether above 1 is worse or better depends on the metric (shown in its row).',
    '',
  );
  for (const w of summarize(rows)) out.push(...workloadSection(w));
  const failed = failedCases(rows);
  if (failed.length > 0) {
    out.push('## Cases without metrics', '');
    out.push('| workload | design | params | seed | repeat | outcome | reason |', '|---|---|---|---:|---:|---|---|');
    for (const r of failed) {
      out.push(`| ${md(r.workload)} | ${md(r.design)} | ${md(formatParams(r.workload, r.params))} | ${r.seed} | ${r.repeat} | ${md(r.outcome)} | ${md(r.detail)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function sourceLine(src: ReportSource): string {
  const uniq = (f: (r: Row) => string) => [...new Set(src.rows.map(f))].map((s) => md(s)).join(', ') || '—';
  const cases = new Set(src.rows.map((r) => r.case_id)).size;
  return (
    `Input: ${src.files.map((f) => md(f)).join(', ')} — ${src.rows.length} rows, ${cases} cases; ` +
    `backends: ${uniq((r) => r.backend)}; profiles: ${uniq((r) => r.profile)}; clocks: ${uniq((r) => r.clock)}.`
  );
}

function workloadSection(w: WorkloadSummary): string[] {
  const out: string[] = [`## ${md(w.workload)}`, ''];
  const varies = new Set(w.lines.map((l) => `${l.backend}\u001f${l.profile}`)).size > 1;
  const head = w.lines.filter((l) => l.headline);
  const rest = w.lines.filter((l) => !l.headline);
  out.push(...table(w, head, varies), '');
  if (rest.length > 0) {
    out.push(`<details><summary>Other metrics of ${md(w.workload)} (${rest.length} rows)</summary>`, '');
    out.push(...table(w, rest, varies), '', '</details>', '');
  }
  return out;
}

function table(w: WorkloadSummary, lines: readonly SummaryLine[], withBackend: boolean): string[] {
  const cols = w.designs.map((d) => (d === w.reference ? `${md(d)} (reference)` : md(d)));
  const out: string[] = [];
  out.push(`| ${withBackend ? 'backend / profile | ' : ''}params | metric | ${cols.join(' | ')} |`);
  out.push(`|${withBackend ? '---|' : ''}---|---|${w.designs.map(() => '---:').join('|')}|`);
  for (const l of lines) {
    const cells = w.designs.map((d) => cell(l.cells.get(d) ?? { kind: 'none' }, l.unit));
    const prefix = withBackend ? `${md(l.backend)} / ${md(l.profile)} | ` : '';
    out.push(`| ${prefix}${md(formatParams(w.workload, l.params))} | ${metricLabel(l)} | ${cells.join(' | ')} |`);
  }
  return out;
}

function metricLabel(l: SummaryLine): string {
  if (l.metric === '') return '(no metrics)';
  const better = metricDef(l.metric)?.better;
  const dir = better === 'lower' ? ', lower is better' : better === 'higher' ? ', higher is better' : '';
  return `${md(metricTitle(l.metric))} (${md(l.unit)}, ${l.clock}${dir})`;
}

function cell(c: Cell, unit: string): string {
  switch (c.kind) {
    case 'none':
      return '—';
    case 'outcome':
      return `*${md(c.outcome)}*`;
    case 'value': {
      const v = md(formatQuantity(c.median, unit));
      const n = c.n > 1 ? ` n=${c.n}` : '';
      return c.ratio === null ? `${v}${n}` : `${v} (${formatRatio(c.ratio)})${n}`;
    }
  }
}
