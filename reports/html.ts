/**
 * index.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
 * summary tables and the charts. Every string that came from a CSV goes through escapeHtml.
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { EMULATED_NOTE, isEmulatedProfile } from '../results/emulated.js';
import { escapeHtml as esc } from './escape.js';
import { formatParams, formatQuantity, formatRatio, metricTitle, sig3 } from './format.js';
import type { Spread } from './stats.js';
import { FACTORS, buildCharts, type ChartSection, type FactorRow } from './charts.js';
import { conclusionList, drawCount, lineVerdict, MAX_CONCLUSIONS } from './conclusions.js';
import { failedGroups, ownParams, summarize, type Cell, type SummaryLine, type WorkloadSummary } from './summary.js';
import type { ReportSource } from './markdown.js';
import { timelineSection } from './timeline-section.js';

const CSS = `
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#111;background:#fafafa}
main{max-width:1280px;margin:0 auto;padding:16px 8px 40px;box-sizing:border-box}
h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}
p.caption,p.meta{color:#333;max-width:1100px;line-height:1.4}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));gap:12px}
.charts figure{margin:0;background:#fff;border:1px solid #ddd;min-width:0}
.charts figure.wide{grid-column:1/-1}
.charts svg{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{font-size:12px;color:#444;padding:2px 10px 8px;line-height:1.35}
.empty{color:#555;font-style:italic;background:#fff;border:1px dashed #bbb;padding:12px;max-width:600px}
table{border-collapse:collapse;background:#fff;font-size:13px;margin:6px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.outcome{color:#a33;font-style:italic;text-align:right}
.ratio{color:#555}
details{margin:6px 0}
`;

export function renderHtml(src: ReportSource): string {
  const { rows } = src;
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push('<title>eaddbench report</title>', `<style>${CSS}</style>`, '</head>', '<body>', '<main>');
  parts.push('<h1>eaddbench report</h1>');
  const cases = new Set(rows.map((r) => r.case_id)).size;
  const uniq = (f: (r: Row) => string) => [...new Set(rows.map(f))].join(', ') || '—';
  parts.push(
    `<p class="meta">Input: ${esc(src.files.join(', '))} — ${rows.length} rows, ${cases} cases; backends: ${esc(uniq((r) => r.backend))}; profiles: ${esc(uniq((r) => r.profile))}; clocks: ${esc(uniq((r) => r.clock))}. Values are medians over seeds and repeats; ratios are to mm-less (the reference design) when present.</p>`,
  );
  if (rows.some((r) => isEmulatedProfile(r.profile))) parts.push(`<p class="meta emulated">${esc(EMULATED_NOTE)}</p>`);
  if (rows.length === 0) {
    parts.push('<p class="empty">No result rows in the input.</p>');
  } else {
    const summaries = summarize(rows);
    const draws = drawCount(rows);
    if (draws > 0) parts.push(conclusionsHtml(summaries, draws));
    parts.push('<h2 id="charts">Charts</h2>');
    for (const s of buildCharts(rows)) parts.push(chartSection(s));
    if (rows.some((r) => r.workload === 'concurrent' || r.workload === 'mmap-contention')) parts.push(timelineSection(src.timelines));
    parts.push('<h2 id="summary">Summary by workload</h2>');
    for (const w of summaries) parts.push(workloadTables(w, draws > 0));
    const failed = failedGroups(rows);
    if (failed.length > 0) {
      parts.push(
        '<h2 id="failed">Cases without metrics</h2>',
        '<table><thead><tr><th>workload</th><th>design</th><th>params</th><th>runs</th><th>outcome</th><th>reason</th></tr></thead><tbody>',
      );
      for (const { row: r, runs } of failed) {
        parts.push(
          `<tr><td>${esc(r.workload)}</td><td>${esc(r.design)}</td><td>${esc(formatParams(r.workload, r.params))}</td><td class="num">${runs}</td><td>${esc(r.outcome)}</td><td>${esc(r.detail)}</td></tr>`,
        );
      }
      parts.push('</tbody></table>');
    }
  }
  parts.push('</main>', '</body>', '</html>', '');
  return parts.join('\n');
}

function chartSection(s: ChartSection): string {
  const out = [`<h3 id="chart-${esc(s.id)}">${esc(s.heading)}</h3>`, `<p class="caption">${esc(s.caption)}</p>`];
  if (s.empty) out.push(`<p class="empty">${code(esc(s.empty))}</p>`);
  else {
    out.push('<div class="charts">');
    for (const c of s.charts) out.push(`<figure${c.wide ? ' class="wide"' : ''}>${c.svg}${c.note ? `<figcaption>${esc(c.note)}</figcaption>` : ''}</figure>`);
    out.push('</div>');
    if (s.omitted) out.push(`<p class="caption">${s.omitted} more chart(s) of this kind left out; their numbers are in the summary tables.</p>`);
  }
  for (const n of s.notes ?? []) out.push(`<p class="caption">${esc(n)}</p>`);
  if (s.factors && s.factors.length > 0) out.push(factorTable(s.factors));
  return out.join('\n');
}

/** `name` in our own (already escaped) notes becomes <code>name</code>. */
function code(escaped: string): string {
  return escaped.replace(/`([^`]*)`/g, '<code>$1</code>');
}

function factorTable(rows: readonly FactorRow[]): string {
  const r = (x: number | string | undefined, s: Spread | undefined) =>
    typeof x === 'number'
      ? esc(formatRatio(x)) + (s ? ` <span class="ratio">[${esc(formatRatio(s.p5))}–${esc(formatRatio(s.p95))}]</span>` : '')
      : `<span class="ratio">${esc(x ?? '—')}</span>`;
  const multi = new Set(rows.map((f) => `${f.backend}\u001f${f.profile}`)).size > 1;
  const out = [
    `<table class="factors"><thead><tr><th>workload</th>${multi ? '<th>backend / profile</th>' : ''}<th>params</th><th>metric</th>${FACTORS.map((f) => `<th>${esc(f.label)}</th>`).join('')}</tr></thead><tbody>`,
  ];
  for (const f of rows) {
    const cells = FACTORS.map((k) => `<td class="num">${r(f.costs.get(k.id), f.spreads.get(k.id))}</td>`).join('');
    out.push(
      `<tr><td>${esc(f.workload)}</td>${multi ? `<td>${esc(f.backend)} / ${esc(f.profile)}</td>` : ''}<td>${esc(f.params)}</td><td>${esc(metricTitle(f.metric))}</td>${cells}</tr>`,
    );
  }
  out.push('</tbody></table>');
  return out.join('\n');
}

function conclusionsHtml(summaries: readonly WorkloadSummary[], draws: number): string {
  const { list, equal } = conclusionList(summaries);
  const out = [`<h2 id="conclusions">Conclusions over ${draws} cost draws</h2>`];
  out.push(
    `<p class="caption">Each value below is the nominal profile's (draw 0) with [p5–p95] over the ${draws} cost draws; ratios are taken per draw (paired: both designs saw the same costs). A conclusion is robust when the same design wins in every draw.</p>`,
  );
  for (const [robust, heading] of [
    [true, 'Robust: the same design wins in every draw'],
    [false, 'Not robust: the winner depends on the costs'],
  ] as const) {
    const items = list.filter((c) => c.robust === robust);
    out.push(`<h3>${esc(heading)} — ${items.length}</h3>`, '<ul>');
    if (items.length === 0) out.push('<li>none</li>');
    for (const c of items.slice(0, MAX_CONCLUSIONS * 4)) out.push(`<li>${esc(c.text)}</li>`);
    if (items.length > MAX_CONCLUSIONS * 4) out.push(`<li>… and ${items.length - MAX_CONCLUSIONS * 4} more (in the verdict columns below)</li>`);
    out.push('</ul>');
  }
  if (equal > 0) out.push(`<p class="caption">${equal} headline comparison(s) gave equal values in every draw and are not listed.</p>`);
  return out.join('\n');
}

function workloadTables(w: WorkloadSummary, withVerdict: boolean): string {
  const varies = new Set(w.lines.map((l) => `${l.backend}\u001f${l.profile}`)).size > 1;
  const head = w.lines.filter((l) => l.headline);
  const rest = w.lines.filter((l) => !l.headline);
  const out = [`<h3 id="workload-${esc(w.workload)}">${esc(w.workload)}</h3>`];
  if (w.fixed !== '') out.push(`<p class="meta">Fixed for every case below: ${esc(formatParams(w.workload, w.fixed))}.</p>`);
  out.push(table(w, head, varies, withVerdict));
  if (rest.length > 0)
    out.push(`<details><summary>Other metrics of ${esc(w.workload)} (${rest.length} rows)</summary>`, table(w, rest, varies, withVerdict), '</details>');
  return out.join('\n');
}

function table(w: WorkloadSummary, lines: readonly SummaryLine[], withBackend: boolean, withVerdict: boolean): string {
  const withParams = lines.some((l) => ownParams(w, l.params) !== '');
  const out: string[] = ['<table><thead><tr>'];
  if (withBackend) out.push('<th>backend / profile</th>');
  out.push(`${withParams ? '<th>params</th>' : ''}<th>metric</th>`);
  for (const d of w.designs) out.push(`<th>${esc(d)}${d === w.reference ? ' (reference)' : ''}</th>`);
  if (withVerdict) out.push('<th>verdict</th>');
  out.push('</tr></thead><tbody>');
  for (const l of lines) {
    out.push('<tr>');
    if (withBackend) out.push(`<td>${esc(l.backend)} / ${esc(l.profile)}</td>`);
    const own = ownParams(w, l.params);
    if (withParams) out.push(`<td>${esc(own === '' ? '(fixed only)' : formatParams(w.workload, own))}</td>`);
    out.push(`<td>${metricLabel(l)}</td>`);
    for (const d of w.designs) out.push(cell(l.cells.get(d) ?? { kind: 'none' }, l.unit));
    if (withVerdict) out.push(`<td>${esc(lineVerdict(w, l) ?? '—')}</td>`);
    out.push('</tr>');
  }
  out.push('</tbody></table>');
  return out.join('');
}

function metricLabel(l: SummaryLine): string {
  if (l.metric === '') return '(no metrics)';
  const better = metricDef(l.metric)?.better;
  const dir = better === 'lower' ? ', lower is better' : better === 'higher' ? ', higher is better' : '';
  return `${esc(metricTitle(l.metric))} <span class="ratio">(${esc(l.unit)}, ${l.clock}${dir})</span>`;
}

function cell(c: Cell, unit: string): string {
  switch (c.kind) {
    case 'none':
      return '<td class="num">—</td>';
    case 'outcome':
      return `<td class="outcome" title="${esc(c.detail)}">${esc(c.outcome)}</td>`;
    case 'value': {
      const n = c.n > 1 ? ` <span class="ratio">n=${c.n}</span>` : '';
      const rs = c.ratioSpread ? ` [${formatRatio(c.ratioSpread.p5)}–${formatRatio(c.ratioSpread.p95)}]` : '';
      const ratio = c.ratio === null ? '' : ` <span class="ratio">(${esc(formatRatio(c.ratio) + rs)})</span>`;
      const spread = c.spread ? ` <span class="ratio">[${esc(formatQuantity(c.spread.p5, unit))}–${esc(formatQuantity(c.spread.p95, unit))}]</span>` : '';
      return `<td class="num" title="${esc(sig3(c.median))} ${esc(unit)}">${esc(formatQuantity(c.median, unit))}${spread}${ratio}${n}</td>`;
    }
  }
}
