/**
 * The conclusions a report opens with when the rows have cost draws: for every headline metric,
 * each design against the reference, either robust (the same design wins in every draw) or not
 * (the winner depends on costs the profile does not pin down).
 */
import type { Row } from '../results/schema.js';
import { escapeMarkdown as md } from './escape.js';
import { formatParams, formatRatio, metricTitle } from './format.js';
import { winWord } from './uncertainty.js';
import { ownParams, type Cell, type SummaryLine, type WorkloadSummary } from './summary.js';
import { SUBJECT_DESIGN } from '../backends/designs.js';

/** Most conclusions listed per kind (the tables below have every one). */
export const MAX_CONCLUSIONS = 30;

/** The number of sampled draws in the rows (the largest draw index; 0 without draws). */
export function drawCount(rows: readonly Row[]): number {
  let n = 0;
  for (const r of rows) if (r.draw > n) n = r.draw;
  return n;
}

type ValueCell = Extract<Cell, { kind: 'value' }>;

/** The design a line's verdict column speaks for: the subject (per-mm) when present, else the first other design with a verdict. */
function mainCell(w: WorkloadSummary, l: SummaryLine): [string, ValueCell] | undefined {
  const candidates = [SUBJECT_DESIGN, ...w.designs.filter((d) => d !== SUBJECT_DESIGN)];
  for (const d of candidates) {
    const c = l.cells.get(d);
    if (d !== w.reference && c?.kind === 'value' && c.verdict) return [d, c];
  }
  return undefined;
}

/** "per-mm vs mm-less: mm-less faster in 32/32 draws", or undefined without draws. */
export function lineVerdict(w: WorkloadSummary, l: SummaryLine): string | undefined {
  const m = mainCell(w, l);
  return m ? `${m[0]} vs ${w.reference}: ${m[1].verdict!.text}` : undefined;
}

export interface Conclusion {
  readonly robust: boolean;
  readonly text: string;
}

/** Every headline comparison of a design with the reference that some draw separates. */
export function conclusionList(summaries: readonly WorkloadSummary[]): { list: Conclusion[]; equal: number } {
  const list: Conclusion[] = [];
  let equal = 0;
  for (const w of summaries) {
    for (const l of w.lines) {
      if (!l.headline || l.metric === '' || w.reference === null) continue;
      for (const d of w.designs) {
        const c = l.cells.get(d);
        if (d === w.reference || c?.kind !== 'value' || !c.verdict) continue;
        const v = c.verdict;
        if (v.winner === null) {
          equal++;
          continue;
        }
        const own = ownParams(w, l.params);
        const where = own === '' ? w.workload : `${w.workload} (${formatParams(w.workload, own)})`;
        const ratio =
          c.ratio === null
            ? ''
            : `; ${d} ÷ ${w.reference} ${formatRatio(c.ratio)}${c.ratioSpread ? ` [${formatRatio(c.ratioSpread.p5)}–${formatRatio(c.ratioSpread.p95)}]` : ''}`;
        list.push({
          robust: v.robust,
          text: `${where}, ${metricTitle(l.metric)}: ${v.winner} ${winWord(l.metric)} than ${v.loser} in ${v.wins}/${v.draws} draws${ratio}`,
        });
      }
    }
  }
  return { list, equal };
}

/** The Markdown section report.md opens with. */
export function conclusions(summaries: readonly WorkloadSummary[], draws: number): string[] {
  const { list, equal } = conclusionList(summaries);
  const out: string[] = [`## Conclusions over ${draws} cost draws`, ''];
  const part = (robust: boolean, heading: string) => {
    const items = list.filter((c) => c.robust === robust);
    out.push(`**${heading}** — ${items.length}:`, '');
    if (items.length === 0) out.push('- none');
    for (const c of items.slice(0, MAX_CONCLUSIONS)) out.push(`- ${md(c.text)}`);
    if (items.length > MAX_CONCLUSIONS) out.push(`- … and ${items.length - MAX_CONCLUSIONS} more (in the verdict columns below)`);
    out.push('');
  };
  part(true, 'Robust: the same design wins in every draw');
  part(false, 'Not robust: the winner depends on the costs');
  if (equal > 0) out.push(`${equal} headline comparison(s) gave equal values in every draw and are not listed.`, '');
  return out;
}
