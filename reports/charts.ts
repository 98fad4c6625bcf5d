/**
 * Which charts the rows allow, and the data each one gets. A chart whose workload, parameter or
 * metric is absent is replaced by a "no data" note naming what it needs.
 */
import type { Row } from '../results/schema.js';
import { formatBytes } from './format.js';
import { parseParams, seriesOf } from './group.js';
import { drawValues, nominal } from './uncertainty.js';
import { factorCharts, type FactorRow } from './charts/factors.js';
import { quantileCharts } from './charts/quantiles.js';
import { sweepCharts } from './charts/sweep.js';
import { mergeBuilt, type Built, type Chart } from './charts/types.js';
import type { RefLine } from './svg/line.js';

export { MAX_CHARTS_PER_KIND } from './charts/types.js';
export type { Chart } from './charts/types.js';
export { FACTORS, type FactorRow } from './charts/factors.js';

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
  /** What was not drawn and why, how the charts were chosen. */
  readonly notes?: readonly string[];
  /** Factor table (factor section only). */
  readonly factors?: readonly FactorRow[];
}

function section(id: string, heading: string, caption: string, built: Built, needs: string): ChartSection {
  const notes = built.notes.length ? { notes: built.notes } : {};
  if (built.charts.length === 0) return { id, heading, caption, charts: [], empty: `No data for this chart: it needs ${needs}.`, ...notes };
  return { id, heading, caption, charts: built.charts, omitted: built.omitted, ...notes };
}

/** The usable EPC each (backend, profile) reported (metric epc_capacity), as a reference line. */
function epcLines(rows: readonly Row[]): (backend: string, profile: string) => RefLine[] {
  const capacity = new Map<string, number>();
  for (const r of rows) if (r.metric === 'epc_capacity' && r.value !== null && r.value > 0) capacity.set(`${r.backend}\u0000${r.profile}`, r.value);
  return (backend, profile) => {
    const bytes = capacity.get(`${backend}\u0000${profile}`);
    return bytes === undefined ? [] : [{ x: bytes, label: `EPC ${formatBytes(bytes)}` }];
  };
}

export function buildCharts(rows: readonly Row[]): ChartSection[] {
  // Lines and bars are the nominal profile (draw 0); the cost draws give their bands and error bars.
  const all = [...seriesOf(nominal(rows)).values()];
  const draws = drawValues(rows);
  const factors = factorCharts(rows, all, draws);
  // The workload's size parameter is `total` (bytes over all builders); older files used `size`.
  const epcParam = all.some((s) => s.workload === 'epc-pressure' && parseParams(s.params).has('total')) ? 'total' : 'size';
  const epc = { workload: 'epc-pressure', xParam: epcParam, xLabel: 'enclave bytes added (all builders)', refLines: epcLines(rows) };
  return [
    section(
      'throughput',
      'Throughput against concurrency',
      'Pages added per second over the whole case against the number of concurrent builders (each with its own mm and enclave), one line per design. A single queue worker flattens the curve; EADD in the caller scales with CPUs.',
      sweepCharts(rows, all, draws, {
        workload: 'concurrent',
        xParam: 'builders',
        xLabel: 'concurrent builders',
        metrics: [{ metric: 'throughput' }],
        title: 'Throughput against builders',
      }),
      'the `concurrent` workload swept over `builders` with the `throughput` metric',
    ),
    section(
      'ioctl-latency',
      'Add-ioctl latency distribution',
      'Time the caller spends in one add ioctl, as a cumulative distribution drawn through the quantiles the backend reported (named above each chart; older files have only p50 and p99). The curve is a staircase: between two reported quantiles the fraction stays at the lower one, since nothing is known in between. With the queue the ioctl returns before EADD runs, so it is short; the wait moves to EINIT.',
      quantileCharts(rows, all, 'ioctl_latency', 'add ioctl latency'),
      'metrics `ioctl_latency_p50`/`ioctl_latency_p99` (and any of p10, p25, p75, p90)',
    ),
    section(
      'ready-latency',
      'Ready latency distribution',
      'Time from a request to a usable page or enclave, as a cumulative distribution drawn through the reported quantiles (a staircase, as above).',
      quantileCharts(rows, all, 'ready_latency', 'ready latency'),
      'metrics `ready_latency_p50`/`ready_latency_p99` (and any of p10, p25, p75, p90)',
    ),
    {
      ...section(
        'factors',
        'Binding against execution',
        "The four presets form a 2×2 of binding (mm, fd) and execution (kthread queue, caller): per-mm = mm + kthread, per-mm-sync = mm + caller, attach = fd + kthread, mm-less = fd + caller (mm-less also pins the source and adds whole ranges per ioctl). Each pair differs in one knob: per-mm vs per-mm-sync isolates the queue, per-mm vs attach the binding, attach vs mm-less the execution together with source and batch. A bar is how many times worse the first design of the pair is on the workload's headline metric (for throughput the inverse ratio), so a tall bar marks the knob that costs.",
        factors,
        'at least two of the presets per-mm, per-mm-sync, attach, mm-less on one workload',
      ),
      factors: factors.rows,
    },
    section(
      'epc-pressure',
      'EPC pressure',
      'Throughput and EPC evictions as the pages added grow past the usable EPC (dotted line: the epc_capacity the run reported): reclaim (EWB, ETRACK, IPIs) starts when the pages no longer fit.',
      mergeBuilt(
        sweepCharts(rows, all, draws, { ...epc, metrics: [{ metric: 'throughput' }], title: 'Throughput under EPC pressure' }),
        sweepCharts(rows, all, draws, { ...epc, metrics: [{ metric: 'epc_evictions' }], title: 'EPC evictions' }),
      ),
      'the `epc-pressure` workload swept over `total`',
    ),
    section(
      'handover',
      'Handover: time to ready against arrival rate',
      "Clients arrive as a Poisson process (open loop) and receive a pre-built enclave from a daemon; time from arrival to a ready enclave, median (solid) and p99 (dashed), log axis. A design that binds the enclave to its creator's mm cannot hand a pre-built one over, so its clients wait for a build; a design that rejected the workload is listed in the legend.",
      sweepCharts(rows, all, draws, {
        workload: 'handover',
        xParam: 'rate',
        xLabel: 'arrival rate',
        metrics: [{ metric: 'ready_latency_p50' }, { metric: 'ready_latency_p99', dashed: true }],
        title: 'Time to ready against arrival rate',
        ylog: true,
      }),
      'the `handover` workload swept over `rate` with `ready_latency_p50`/`ready_latency_p99`',
    ),
  ];
}
