/**
 * report.md: a summary short enough for a pull-request comment or a CI job summary (GitHub
 * takes at most 65,536 characters in a comment). Per workload, the headline metrics for every
 * design side by side with the ratio to mm-less; the other metrics fold into a <details> block;
 * cases that did not finish are listed with reasons. When the whole text would pass the budget,
 * the folded details go first (a line says the full tables are in index.html).
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { EMULATED_NOTE, isEmulatedProfile } from '../results/emulated.js';
import { escapeMarkdown as md } from './escape.js';
import { formatParams, formatQuantity, formatRatio, metricTitle } from './format.js';
import { failedGroups, ownParams, summarize, type Cell, type SummaryLine, type WorkloadSummary } from './summary.js';
import { conclusions, drawCount, lineVerdict } from './conclusions.js';
import type { Spread } from './stats.js';
import type { TimelineSet } from './timelines.js';

export interface ReportSource {
  /** File names as given on the command line (shown, escaped). */
  readonly files: readonly string[];
  readonly rows: readonly Row[];
  /** Swimlane timelines from `report --traces DIR` (index.html only); undefined: none given. */
  readonly timelines?: readonly TimelineSet[];
}

/** GitHub's limit for a pull-request comment, in characters. */
export const COMMENT_LIMIT = 65_536;
/** What report.md aims to stay under: the limit less room for a heading a CI job may add. */
export const MD_BUDGET = 64_000;

/** One workload's part: the headline (always kept) and the folded details (cut first). */
interface Block {
  readonly workload: string;
  readonly head: string[];
  readonly details: string[];
}

export function renderMarkdown(src: ReportSource, budget = MD_BUDGET): string {
  const { rows } = src;
  const intro: string[] = ['# eaddbench report', '', sourceLine(src), ''];
  if (rows.length === 0) return [...intro, 'No result rows in the input.', ''].join('\n');
  intro.push(
    'Values are medians over seeds and repeats, with the clock they were taken on (`model` = virtual time of the simulation, `wall` = real time). ' +
      "A ratio is the design's median ÷ the reference design's (mm-less when present; `÷N` is a ratio of 1/N); whether above 1 is worse or better depends on the metric (shown in its row, ↓ lower is better, ↑ higher is better).",
    '',
  );
  const summaries = summarize(rows);
  const draws = drawCount(rows);
  if (draws > 0) {
    intro.splice(
      4,
      0,
      ...conclusions(summaries, draws),
      `With cost draws: each value is the nominal profile's (draw 0) followed by [p5–p95] over the ${draws} cost draws; each ratio is taken per draw (paired: both designs saw the same costs) and shown the same way. The verdict column says whether the winner against the reference is the same in every draw.`,
      '',
    );
  }
  const blocks = summaries.map((w) => block(w, draws > 0));
  const failed = failedTable(rows);
  const length = (parts: readonly (readonly string[])[]) => parts.reduce((n, p) => n + p.join('\n').length + 1, 0);
  const fixedCost = length([intro, failed, ...blocks.map((b) => b.head)]);
  // Details in workload order while they fit; the rest are replaced by a pointer to index.html.
  let room = budget - fixedCost;
  const kept = blocks.map((b) => {
    const cost = length([b.details]);
    if (b.details.length === 0 || cost <= room) {
      room -= cost;
      return b.details;
    }
    const note = [
      `*Other metrics of ${md(b.workload)} left out to keep this report under ${COMMENT_LIMIT.toLocaleString('en-US')} characters; the full tables are in index.html.*`,
      '',
    ];
    room -= length([note]);
    return note;
  });
  const out = [...intro, ...blocks.flatMap((b, i) => [...b.head, ...kept[i]!]), ...failed].join('\n');
  return out.length <= budget ? out : shorten(intro, blocks, failed, budget);
}

/**
 * Last resort when even the headline tables pass the budget (a very wide sweep): every table
 * keeps its first rows, evenly, and says how many it left out.
 */
function shorten(intro: readonly string[], blocks: readonly Block[], failed: readonly string[], budget: number): string {
  const note = (n: number) => [`*${n} more row(s) left out to fit a pull-request comment; the full tables are in index.html.*`, ''];
  const parts = [...blocks.map((b) => b.head), failed].filter((p) => p.length > 0);
  for (let keep = 40; keep >= 0; keep = keep > 8 ? Math.floor(keep / 2) : keep - 1) {
    const cut = parts.map((p) => {
      // A table part is: heading lines, then `|` rows (two of them the header), then a blank line.
      const first = p.findIndex((l) => l.startsWith('|'));
      if (first < 0) return p;
      const body = p.slice(first + 2).filter((l) => l.startsWith('|'));
      if (body.length <= keep) return p;
      return [...p.slice(0, first + 2 + keep), '', ...note(body.length - keep)];
    });
    const text = [...intro, ...cut.flat()].join('\n');
    if (text.length <= budget || keep === 0)
      return text.length <= budget ? text : text.slice(0, budget - 80) + '\n\n*Report cut to fit a pull-request comment; see index.html.*\n';
  }
  return intro.join('\n');
}

function sourceLine(src: ReportSource): string {
  const uniq = (f: (r: Row) => string) => [...new Set(src.rows.map(f))].map((s) => md(s)).join(', ') || '—';
  const cases = new Set(src.rows.map((r) => r.case_id)).size;
  return (
    `Input: ${src.files.map((f) => md(f)).join(', ')} — ${src.rows.length} rows, ${cases} cases; ` +
    `backends: ${uniq((r) => r.backend)}; profiles: ${uniq((r) => r.profile)}; clocks: ${uniq((r) => r.clock)}.` +
    (src.rows.some((r) => isEmulatedProfile(r.profile)) ? ` ${md(EMULATED_NOTE)}` : '')
  );
}

function block(w: WorkloadSummary, withVerdict: boolean): Block {
  const head: string[] = [`## ${md(w.workload)}`, ''];
  if (w.fixed !== '') head.push(`Fixed for every case below: ${md(formatParams(w.workload, w.fixed))}.`, '');
  const varies = new Set(w.lines.map((l) => `${l.backend}\u001f${l.profile}`)).size > 1;
  const rest = w.lines.filter((l) => !l.headline);
  head.push(
    ...table(
      w,
      w.lines.filter((l) => l.headline),
      varies,
      false,
      withVerdict,
    ),
    '',
  );
  if (rest.length === 0) return { workload: w.workload, head, details: [] };
  const details = [
    `<details><summary>Other metrics of ${md(w.workload)} (${rest.length} rows)</summary>`,
    '',
    ...table(w, rest, varies, true, withVerdict),
    '',
    '</details>',
    '',
  ];
  return { workload: w.workload, head, details };
}

/** `compact`: params only where they change, short metric labels (the folded detail tables). */
function table(w: WorkloadSummary, lines: readonly SummaryLine[], withBackend: boolean, compact: boolean, withVerdict: boolean): string[] {
  const withParams = lines.some((l) => ownParams(w, l.params) !== '');
  const cols = w.designs.map((d) => (d === w.reference ? `${md(d)} (reference)` : md(d)));
  const out: string[] = [];
  out.push(`| ${withBackend ? 'backend / profile | ' : ''}${withParams ? 'params | ' : ''}metric | ${cols.join(' | ')} |${withVerdict ? ' verdict |' : ''}`);
  out.push(`|${withBackend ? '---|' : ''}${withParams ? '---|' : ''}---|${w.designs.map(() => '---:').join('|')}|${withVerdict ? '---|' : ''}`);
  let last = '';
  for (const l of lines) {
    const cells = w.designs.map((d) => cell(l.cells.get(d) ?? { kind: 'none' }, l.unit));
    const config = `${l.backend}\u001f${l.profile}\u001f${l.params}`;
    const repeat = compact && config === last;
    last = config;
    const prefix = withBackend ? `${repeat ? '' : `${md(l.backend)} / ${md(l.profile)}`} | ` : '';
    const own = ownParams(w, l.params);
    const params = withParams ? `${repeat ? '' : md(own === '' ? '(fixed only)' : formatParams(w.workload, own))} | ` : '';
    const verdict = withVerdict ? ` ${md(lineVerdict(w, l) ?? '—')} |` : '';
    out.push(`| ${prefix}${params}${metricLabel(l, compact)} | ${cells.join(' | ')} |${verdict}`);
  }
  return out;
}

function metricLabel(l: SummaryLine, compact: boolean): string {
  if (l.metric === '') return '(no metrics)';
  const better = metricDef(l.metric)?.better;
  if (compact) return `${md(metricTitle(l.metric))} (${md(l.unit)}, ${l.clock})${better === 'lower' ? ' ↓' : better === 'higher' ? ' ↑' : ''}`;
  const dir = better === 'lower' ? ', lower is better' : better === 'higher' ? ', higher is better' : '';
  return `${md(metricTitle(l.metric))} (${md(l.unit)}, ${l.clock}${dir})`;
}

function failedTable(rows: readonly Row[]): string[] {
  const groups = failedGroups(rows);
  if (groups.length === 0) return [];
  const out = ['## Cases without metrics', '', '| workload | design | params | runs | outcome | reason |', '|---|---|---|---:|---|---|'];
  for (const { row: r, runs } of groups) {
    out.push(`| ${md(r.workload)} | ${md(r.design)} | ${md(formatParams(r.workload, r.params))} | ${runs} | ${md(r.outcome)} | ${md(r.detail)} |`);
  }
  out.push('');
  return out;
}

function cell(c: Cell, unit: string): string {
  switch (c.kind) {
    case 'none':
      return '—';
    case 'outcome':
      return `*${md(c.outcome)}*`;
    case 'value': {
      const v = md(formatQuantity(c.median, unit)) + (c.spread ? ` ${md(spreadText(c.spread, (x) => formatQuantity(x, unit)))}` : '');
      const n = c.n > 1 ? ` n=${c.n}` : '';
      if (c.ratio === null) return `${v}${n}`;
      const r = formatRatio(c.ratio) + (c.ratioSpread ? ` ${spreadText(c.ratioSpread, formatRatio)}` : '');
      return `${v} (${md(r)})${n}`;
    }
  }
}

/** `[p5–p95]` of a spread. */
export function spreadText(s: Spread, fmt: (x: number) => string): string {
  return `[${fmt(s.p5)}–${fmt(s.p95)}]`;
}
