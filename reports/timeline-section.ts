/**
 * The report's "Timelines" section: for concurrent builders and mmap-contention, the first
 * milliseconds of one case per design as swimlanes side by side (from `report --traces DIR`).
 */
import { escapeHtml as esc } from './escape.js';
import { formatParams } from './format.js';
import { swimlaneSvg } from './svg/swimlane.js';
import type { TimelineSet } from './timelines.js';

const CAPTION =
  "The first milliseconds of model time of one case per design, one lane per simulated task (builders, application threads, the add-page worker kworker*, ksgxd). Pale bars are the outer slices (ioctls, operations, the worker's work item); inside them, EADDs in blue and lock waits (mmap_sem, encl->lock, flush_work) in vermillion; a thin orange bar along a lane's foot is a lock it holds while another task waits for it. Where one worker serialises several builders, or a fault waits behind a writer, it shows here: the wait on one lane ends where the hold on another does. From the traces of run --trace (docs/traces.md).";

export function timelineSection(sets: readonly TimelineSet[] | undefined): string {
  const out = ['<h3 id="chart-timelines">Timelines: the first milliseconds, per design</h3>', `<p class="caption">${esc(CAPTION)}</p>`];
  if (sets === undefined) {
    out.push('<p class="empty">No traces given: run with <code>--trace DIR</code> and pass <code>--traces DIR</code> to <code>eaddbench report</code>.</p>');
    return out.join('\n');
  }
  const drawn = sets.filter((s) => s.timelines.length > 0);
  if (drawn.length === 0)
    out.push('<p class="empty">No trace of a concurrent or mmap-contention case of these results was found in the --traces directory.</p>');
  for (const s of drawn) {
    out.push(`<p class="caption"><b>${esc(s.workload)}</b>, ${esc(formatParams(s.workload, s.params))}</p>`, '<div class="charts">');
    for (const t of s.timelines) {
      const sub = `${t.lanes.length} tasks, first ${t.windowUs / 1000} ms (model)${t.moreLanes > 0 ? `; ${t.moreLanes} more not drawn` : ''}`;
      out.push(`<figure>${swimlaneSvg(`${t.design} — ${t.workload}`, sub, t.lanes, t.windowUs)}<figcaption>case ${esc(t.caseId)}</figcaption></figure>`);
    }
    out.push('</div>');
    if (s.missing.length > 0) out.push(`<p class="caption">No trace found for: ${esc(s.missing.join(', '))}.</p>`);
  }
  return out.join('\n');
}
