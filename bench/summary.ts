/**
 * The table `run` prints on stdout: per workload and parameter point, the key metrics of each
 * design, and the ratio per-mm / mm-less. With cost draws (`--draws N`) the values are the
 * nominal profile's (draw 0), the ratio shows its paired p5–p95 over the draws, and a verdict
 * column says whether the winner is the same in every draw.
 */
import { metricDef, type Row } from '../results/schema.js';
import { HEADLINE } from '../reports/summary.js';
import { REFERENCE_DESIGN as REF, SUBJECT_DESIGN as SUBJECT } from '../backends/designs.js';
import { metricKey } from '../reports/group.js';
import { spread } from '../reports/stats.js';
import { drawValues, nominal, pairedRatios, robustness, type DrawValues } from '../reports/uncertainty.js';

/** Metrics shown for a workload without headline metrics of its own. */
const FALLBACK = ['build_time_p50', 'throughput', 'ready_latency_p50'];

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

/** The params of a row, keeping only keys whose values vary within its workload in this run. */
function varyingParams(rows: readonly Row[]): (r: Row) => string {
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const r of rows) {
    const keys = seen.get(r.workload) ?? new Map<string, Set<string>>();
    for (const kv of r.params.split(';')) {
      const [k, v] = kv.split('=');
      if (k === undefined || v === undefined) continue;
      keys.set(k, (keys.get(k) ?? new Set()).add(v));
    }
    seen.set(r.workload, keys);
  }
  return (r) => {
    const keys = seen.get(r.workload);
    return r.params
      .split(';')
      .filter((kv) => (keys?.get(kv.split('=')[0] ?? '')?.size ?? 0) > 1)
      .join(';');
  };
}

/** One table per workload: its parameter points × headline metrics, one column per design it ran. */
function ratioText(r: number): string {
  return `${r >= 1000 ? Math.round(r).toLocaleString('en-US') : r.toPrecision(3)}×`;
}

export function summaryTable(allRows: readonly Row[]): string {
  if (allRows.length === 0) return 'no results\n';
  const byDraw: DrawValues = drawValues(allRows);
  const withDraws = byDraw.size > 0;
  const rows = nominal(allRows);
  if (rows.length === 0) return 'no nominal (draw 0) results\n';
  const shown = varyingParams(rows);
  const byWorkload = new Map<string, Map<string, Row[]>>();
  for (const r of rows) {
    const groups = byWorkload.get(r.workload) ?? new Map<string, Row[]>();
    const key = shown(r);
    groups.set(key, [...(groups.get(key) ?? []), r]);
    byWorkload.set(r.workload, groups);
  }
  const clock = [...new Set(rows.map((r) => r.clock))].join('/');
  const drawNote = withDraws ? `; nominal profile, ratios with [p5–p95] over the cost draws (paired)` : '';
  const out = [`Headline metrics (clock: ${clock}; repeats averaged${drawNote}; every metric is in the CSV; 'eaddbench report' tabulates and charts them)\n`];
  for (const [workload, groups] of byWorkload) {
    const designs = [...new Set([...groups.values()].flat().map((r) => r.design))];
    const ratioCol = designs.includes(SUBJECT) && designs.includes(REF);
    const verdictCol = ratioCol && withDraws;
    const table: string[][] = [[workload, ...designs, ...(ratioCol ? [`${SUBJECT} ÷ ${REF}`] : []), ...(verdictCol ? ['verdict'] : [])]];
    for (const [key, list] of groups) {
      const label = key === '' ? '' : `${key}  `;
      // Non-ok outcomes show once per parameter point.
      const outcomes = designs.map((d) => {
        const caseRow = list.find((r) => r.design === d && r.metric === 'case');
        return caseRow ? caseRow.outcome : list.some((r) => r.design === d) ? 'ok' : '—';
      });
      if (outcomes.some((o) => o !== 'ok' && o !== '—')) table.push([`${label}outcome`, ...outcomes, ...(ratioCol ? [''] : []), ...(verdictCol ? [''] : [])]);
      for (const metric of HEADLINE[workload] ?? FALLBACK) {
        const def = metricDef(metric);
        if (!def) continue;
        // Mean over repeats.
        const values = designs.map((d) => {
          const vs = list.filter((r) => r.design === d && r.metric === metric && r.value !== null).map((r) => r.value as number);
          return vs.length ? vs.reduce((x, y) => x + y, 0) / vs.length : undefined;
        });
        if (values.every((v) => v === undefined)) continue;
        const a = values[designs.indexOf(SUBJECT)];
        const b = values[designs.indexOf(REF)];
        let ratio = a !== undefined && b !== undefined && b !== 0 ? ratioText(a / b) : '';
        let verdict = '';
        if (verdictCol) {
          const drawsOf = (d: string) => {
            const r = list.find((x) => x.design === d && x.metric === metric);
            return r ? byDraw.get(metricKey(r)) : undefined;
          };
          const da = drawsOf(SUBJECT);
          const db = drawsOf(REF);
          const s = da && db ? spread(pairedRatios(da, db)) : null;
          if (s && ratio !== '') ratio += ` [${ratioText(s.p5)}–${ratioText(s.p95)}]`;
          verdict = (da && db ? robustness(metric, SUBJECT, da, REF, db)?.text : undefined) ?? '';
        }
        table.push([
          `${label}${metric}`,
          ...values.map((v) => (v === undefined ? '—' : fmt(v, def.unit))),
          ...(ratioCol ? [ratio] : []),
          ...(verdictCol ? [verdict] : []),
        ]);
      }
    }
    if (table.length > 1) out.push(pad(table));
  }
  return out.join('\n');
}
