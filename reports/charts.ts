/**
 * Which charts the rows allow, and the data each one gets. A chart whose workload, parameter or
 * metric is absent is replaced by a "no data" note naming what it needs.
 */
import type { Row } from '../results/schema.js';
import { metricDef } from '../results/schema.js';
import { outcomesOf, paramsWithout, parseParams, seriesOf, type Series } from './group.js';
import { formatParams, formatQuantity, formatRatio, metricTitle, paramUnit } from './format.js';
import { median, sorted } from './stats.js';
import { HEADLINE, REFERENCE_DESIGN, orderDesigns } from './summary.js';
import { renderLineChart, type LineSeries } from './svg/line.js';
import { renderBarChart, type BarGroup } from './svg/bar.js';

/** Most charts of one kind; sweeps beyond this are in the tables. */
export const MAX_CHARTS_PER_KIND = 4;

export interface Chart {
  readonly title: string;
  readonly svg: string;
}

export interface ChartSection {
  readonly id: string;
  readonly heading: string;
  /** What the chart shows and how to read it. */
  readonly caption: string;
  readonly charts: readonly Chart[];
  /** Set when nothing could be drawn: what the chart needs. */
  readonly empty?: string;
  /** Set when charts were left out by the cap. */
  readonly omitted?: number;
  /** Factor table (factor section only). */
  readonly factors?: readonly FactorRow[];
}

interface Sweep {
  readonly label: string;
  readonly series: Map<string, { x: number; y: number; n: number }[]>;
  /** Designs whose cases in this group ended without metrics, with the outcome. */
  readonly absent: Map<string, string>;
}

/** Groups a workload's `metric` by everything but `xParam`; one point per (design, x). */
function sweep(rows: readonly Row[], all: readonly Series[], workload: string, xParam: string, metric: string): Sweep[] {
  const groups = new Map<string, Sweep>();
  const multi = new Set(all.filter((s) => s.workload === workload).map((s) => `${s.backend}\u001f${s.profile}`)).size > 1;
  const labelOf = (s: { backend: string; profile: string; params: string }) => {
    const rest = paramsWithout(s.params, xParam);
    const p = rest === '' ? '' : formatParams(workload, rest);
    return [multi ? `${s.backend}, ${s.profile}` : '', p].filter((t) => t !== '').join('; ');
  };
  const groupKey = (s: { backend: string; profile: string; params: string }) => [s.backend, s.profile, paramsWithout(s.params, xParam)].join('\u001f');
  for (const s of all) {
    if (s.workload !== workload || s.metric !== metric || s.values.length === 0) continue;
    const xv = parseParams(s.params).get(xParam);
    const x = xv === undefined ? NaN : Number(xv);
    if (!Number.isFinite(x)) continue;
    const k = groupKey(s);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { label: labelOf(s), series: new Map(), absent: new Map() }));
    const pts = g.series.get(s.design) ?? [];
    pts.push({ x, y: median(sorted(s.values)), n: s.values.length });
    g.series.set(s.design, pts);
  }
  for (const o of outcomesOf(rows).values()) {
    if (o.workload !== workload || o.outcome === 'ok' || !parseParams(o.params).has(xParam)) continue;
    const g = groups.get(groupKey(o));
    if (g && !g.series.has(o.design)) g.absent.set(o.design, o.outcome);
  }
  for (const g of groups.values()) for (const pts of g.series.values()) pts.sort((a, b) => a.x - b.x);
  return [...groups.values()];
}

function sweepCharts(rows: readonly Row[], all: readonly Series[], opts: { workload: string; xParam: string; xLabel: string; metrics: readonly { metric: string; dashed?: boolean }[]; title: string; ylog?: boolean }): { charts: Chart[]; omitted: number } {
  const first = opts.metrics[0]!.metric;
  const groups = sweep(rows, all, opts.workload, opts.xParam, first);
  const charts: Chart[] = [];
  for (const g of groups.slice(0, MAX_CHARTS_PER_KIND)) {
    const byGroup = opts.metrics.map((m) => ({ ...m, g: m.metric === first ? g : sweep(rows, all, opts.workload, opts.xParam, m.metric).find((h) => h.label === g.label) }));
    const designs = orderDesigns([...g.series.keys(), ...g.absent.keys()]);
    const series: LineSeries[] = [];
    const unit = metricDef(first)?.unit ?? '';
    const xUnit = paramUnit(opts.workload, opts.xParam);
    for (const d of designs) {
      for (const m of byGroup) {
        const pts = m.g?.series.get(d);
        if (!pts) continue;
        const name = opts.metrics.length > 1 ? `${d} ${metricTitle(m.metric).split(' ').pop()}` : d;
        series.push({
          name,
          styleKey: d,
          dashed: m.dashed === true,
          points: pts.map((p) => ({ x: p.x, y: p.y, tip: `${d}: ${opts.xParam}=${xUnit === 'bytes' ? formatQuantity(p.x, 'bytes') : p.x} → ${metricTitle(m.metric)} ${formatQuantity(p.y, unit)}${p.n > 1 ? ` (median of ${p.n})` : ''}` })),
        });
      }
    }
    const absent = [...g.absent].filter(([d]) => !g.series.has(d)).map(([name, outcome]) => ({ name, note: outcome }));
    const xs = [...new Set([...g.series.values()].flatMap((p) => p.map((q) => q.x)))].sort((a, b) => a - b);
    const spread = xs.length > 1 && xs[0]! > 0 ? xs[xs.length - 1]! / xs[0]! : 1;
    const title = g.label ? `${opts.title} — ${g.label}` : opts.title;
    charts.push({
      title,
      svg: renderLineChart({
        title,
        x: { label: opts.xLabel, unit: xUnit, log: spread >= 8, ticksAt: xs.length <= 10 ? xs : undefined },
        y: { label: opts.metrics.length > 1 ? metricTitle(first).replace(/ p\d+$/, '') : metricTitle(first), unit, log: opts.ylog === true, zero: opts.ylog !== true },
        series,
        absent,
      }),
    });
  }
  return { charts, omitted: Math.max(0, groups.length - MAX_CHARTS_PER_KIND) };
}

function section(id: string, heading: string, caption: string, built: { charts: Chart[]; omitted: number }, needs: string): ChartSection {
  if (built.charts.length === 0) return { id, heading, caption, charts: [], empty: `No data for this chart: it needs ${needs}.` };
  return { id, heading, caption, charts: built.charts, omitted: built.omitted };
}

/** Quantile plots (a CDF sampled at the quantiles the backend reports) of one latency family. */
function quantileCharts(all: readonly Series[], family: string, label: string): { charts: Chart[]; omitted: number } {
  const re = new RegExp(`^${family}_(p(\\d+)|max)$`);
  const groups = new Map<string, { workload: string; backend: string; profile: string; params: string; designs: Map<string, { q: number; v: number }[]> }>();
  for (const s of all) {
    const m = re.exec(s.metric);
    if (!m || s.values.length === 0) continue;
    const q = m[1] === 'max' ? 1 : Number(`0.${m[2]}`);
    const k = [s.workload, s.backend, s.profile, s.params].join('\u001f');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { workload: s.workload, backend: s.backend, profile: s.profile, params: s.params, designs: new Map() }));
    const pts = g.designs.get(s.design) ?? [];
    pts.push({ q, v: median(sorted(s.values)) });
    g.designs.set(s.design, pts);
  }
  const list = [...groups.values()];
  const multi = new Set(list.map((g) => `${g.backend}\u001f${g.profile}`)).size > 1;
  const charts = list.slice(0, MAX_CHARTS_PER_KIND).map((g) => {
    const title = `${label} — ${g.workload}, ${formatParams(g.workload, g.params)}${multi ? ` (${g.backend}, ${g.profile})` : ''}`;
    const series: LineSeries[] = orderDesigns(g.designs.keys()).map((d) => ({
      name: d,
      points: g.designs
        .get(d)!
        .sort((a, b) => a.q - b.q)
        .map((p) => ({ x: p.v, y: p.q, tip: `${d}: ${p.q === 1 ? 'max' : `p${Math.round(p.q * 100)}`} = ${formatQuantity(p.v, 'ns')}` })),
    }));
    return { title, svg: renderLineChart({ title, x: { label, unit: 'ns', log: true }, y: { label: 'cumulative fraction', unit: '', domain: [0, 1] }, series }) };
  });
  return { charts, omitted: Math.max(0, list.length - MAX_CHARTS_PER_KIND) };
}

/** Ratios that isolate one knob of the four presets (DESIGN.md §2). */
export interface FactorRow {
  readonly workload: string;
  readonly params: string;
  readonly metric: string;
  /** per-mm ÷ per-mm-sync: the queue worker, with mm binding. */
  readonly execution: number | null;
  /** per-mm ÷ attach: mm binding vs fd binding, with the queue worker. */
  readonly bindingKthread: number | null;
  /** per-mm-sync ÷ mm-less: mm vs fd binding in the caller (also copy vs pin and batch 1 vs whole range). */
  readonly bindingCaller: number | null;
}

const FACTOR_ORDER = ['per-mm', 'per-mm-sync', 'attach', 'mm-less'];

function factorCharts(all: readonly Series[]): { charts: Chart[]; omitted: number; rows: FactorRow[] } {
  const workloads = [...new Set(all.map((s) => s.workload))];
  const charts: Chart[] = [];
  const rows: FactorRow[] = [];
  let omitted = 0;
  for (const w of workloads) {
    const present = new Set(all.filter((s) => s.workload === w).map((s) => s.metric));
    const metric = (HEADLINE[w] ?? []).find((m) => present.has(m)) ?? [...present][0];
    if (metric === undefined) continue;
    const ws = all.filter((s) => s.workload === w && s.metric === metric && FACTOR_ORDER.includes(s.design) && s.values.length > 0);
    if (new Set(ws.map((s) => s.design)).size < 2) continue;
    const configs = [...new Set(ws.map((s) => [s.backend, s.profile, s.params].join('\u001f')))];
    const unit = metricDef(metric)?.unit ?? '';
    const groups: BarGroup[] = [];
    // At most three groups keep bars wide enough to label: the first, middle and last configuration.
    const shown = new Set(configs.length <= 3 ? configs : [configs[0]!, configs[Math.floor((configs.length - 1) / 2)]!, configs[configs.length - 1]!]);
    for (const c of configs) {
      const [backend, profile, params] = c.split('\u001f') as [string, string, string];
      const val = (d: string) => {
        const s = ws.find((t) => t.design === d && t.backend === backend && t.profile === profile && t.params === params);
        return s ? median(sorted(s.values)) : null;
      };
      const ref = val(REFERENCE_DESIGN);
      const div = (a: number | null, b: number | null) => (a !== null && b !== null && b !== 0 ? a / b : null);
      const f = { workload: w, params: formatParams(w, params), metric, execution: div(val('per-mm'), val('per-mm-sync')), bindingKthread: div(val('per-mm'), val('attach')), bindingCaller: div(val('per-mm-sync'), val('mm-less')) };
      if (f.execution !== null || f.bindingKthread !== null || f.bindingCaller !== null) rows.push(f);
      if (!shown.has(c)) continue;
      groups.push({
        category: varying(params, configs) === '' ? w : formatParams(w, varying(params, configs)),
        bars: FACTOR_ORDER.map((d) => {
          const v = val(d);
          const ratio = d !== REFERENCE_DESIGN ? div(v, ref) : null;
          return { series: d, value: v, tip: v === null ? `${d}: no value` : `${d}: ${formatQuantity(v, unit)}${ratio !== null ? ` (${formatRatio(ratio)} mm-less)` : ''}`, label: ratio !== null ? formatRatio(ratio) : '' };
        }),
      });
    }
    if (charts.length >= MAX_CHARTS_PER_KIND) {
      omitted++;
      continue;
    }
    const common = commonParams(configs);
    const title = `${metricTitle(metric)} by design — ${w}${common ? `, ${formatParams(w, common)}` : ''}`;
    charts.push({ title, svg: renderBarChart({ title, xLabel: 'workload parameters', y: { label: metricTitle(metric), unit }, series: FACTOR_ORDER.filter((d) => ws.some((s) => s.design === d)), groups }) });
  }
  return { charts, omitted, rows };
}

export function buildCharts(rows: readonly Row[]): ChartSection[] {
  const all = [...seriesOf(rows).values()];
  const factors = factorCharts(all);
  // The workload's size parameter is `total` (bytes over all builders); older files used `size`.
  const epcParam = all.some((s) => s.workload === 'epc-pressure' && parseParams(s.params).has('total')) ? 'total' : 'size';
  const sections: ChartSection[] = [
    section(
      'throughput',
      'Throughput against concurrency',
      'Pages added per second over the whole case against the number of concurrent builders (each with its own mm and enclave), one line per design. A single queue worker flattens the curve; EADD in the caller scales with CPUs.',
      sweepCharts(rows, all, { workload: 'concurrent', xParam: 'builders', xLabel: 'concurrent builders', metrics: [{ metric: 'throughput' }], title: 'Throughput against builders' }),
      'the `concurrent` workload swept over `builders` with the `throughput` metric',
    ),
    section(
      'ioctl-latency',
      'Add-ioctl latency distribution',
      'Time the caller spends in one add ioctl, as a cumulative distribution sampled at the quantiles the backend reports (p50, p99). With the queue the ioctl returns before EADD runs, so it is short; the wait moves to EINIT.',
      quantileCharts(all, 'ioctl_latency', 'add ioctl latency'),
      'metrics `ioctl_latency_p50`/`ioctl_latency_p99`',
    ),
    section(
      'ready-latency',
      'Ready latency distribution',
      'Time from a request to a usable page or enclave, as a cumulative distribution sampled at the reported quantiles.',
      quantileCharts(all, 'ready_latency', 'ready latency'),
      'metrics `ready_latency_p50`/`ready_latency_p99`',
    ),
    {
      ...section(
        'factors',
        'Binding against execution',
        'The four presets form a 2×2 of binding (mm, fd) and execution (kthread queue, caller): per-mm = mm + kthread, per-mm-sync = mm + caller, attach = fd + kthread, mm-less = fd + caller (mm-less also pins the source and adds whole ranges per ioctl). Labels above bars are ratios to mm-less. The table gives the ratios that change one knob at a time.',
        factors,
        'at least two of the presets per-mm, per-mm-sync, attach, mm-less on one workload',
      ),
      factors: factors.rows,
    },
    section(
      'epc-pressure',
      'EPC pressure',
      'Throughput and EPC evictions as the enclave size grows past the EPC: reclaim (EWB, ETRACK, IPIs) starts when the pages no longer fit.',
      merge(
        sweepCharts(rows, all, { workload: 'epc-pressure', xParam: epcParam, xLabel: 'enclave bytes added (all builders)', metrics: [{ metric: 'throughput' }], title: 'Throughput under EPC pressure' }),
        sweepCharts(rows, all, { workload: 'epc-pressure', xParam: epcParam, xLabel: 'enclave bytes added (all builders)', metrics: [{ metric: 'epc_evictions' }], title: 'EPC evictions' }),
      ),
      'the `epc-pressure` workload swept over `total`',
    ),
    section(
      'handover',
      'Handover: time to ready against arrival rate',
      'Clients arrive as a Poisson process (open loop) and receive a pre-built enclave from a daemon; time from arrival to a ready enclave, median (solid) and p99 (dashed). Designs that bind the enclave to its creator\'s mm cannot hand it over and are listed as rejected.',
      sweepCharts(rows, all, { workload: 'handover', xParam: 'rate', xLabel: 'arrival rate', metrics: [{ metric: 'ready_latency_p50' }, { metric: 'ready_latency_p99', dashed: true }], title: 'Time to ready against arrival rate', ylog: true }),
      'the `handover` workload swept over `rate` with `ready_latency_p50`/`ready_latency_p99`',
    ),
  ];
  return sections;
}

/** The `k=v` pairs every configuration shares (they go in the title, not under each bar). */
function commonParams(configs: readonly string[]): string {
  const lists = configs.map((c) => (c.split('\u001f')[2] ?? '').split(';').filter((p) => p !== ''));
  return (lists[0] ?? []).filter((p) => lists.every((l) => l.includes(p))).join(';');
}

/** A configuration's params without the pairs all configurations share. */
function varying(params: string, configs: readonly string[]): string {
  const common = new Set(commonParams(configs).split(';'));
  return params.split(';').filter((p) => p !== '' && !common.has(p)).join(';');
}

function merge(a: { charts: Chart[]; omitted: number }, b: { charts: Chart[]; omitted: number }): { charts: Chart[]; omitted: number } {
  return { charts: [...a.charts, ...b.charts], omitted: a.omitted + b.omitted };
}

