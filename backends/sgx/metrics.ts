/** Turns measured enclave timings (wall clock, ns) into schema metrics. Pure. */
import type { MetricValue } from '../types.js';
import type { EnclaveTimes } from './enclave.js';
import type { SysTraceData } from './trace.js';

/** Nearest-rank percentile of an ascending array (q in [0, 1]). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

const asc = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** What one process measured. */
export interface ProcessMeasure {
  readonly pid: number;
  readonly enclaves: readonly EnclaveTimes[];
  /** Ready latencies (handover clients: arrival to a usable enclave), ns. */
  readonly ready: readonly number[];
  readonly ebusy: number;
  /** What the process's thread recorded, when the case is traced (trace.ts). */
  readonly trace?: SysTraceData;
}

export function caseMetrics(procs: readonly ProcessMeasure[]): MetricValue[] {
  const encl = procs.flatMap((p) => p.enclaves);
  const out: MetricValue[] = [];
  const put = (metric: string, value: number, detail?: string): void => {
    if (Number.isFinite(value)) out.push(detail ? { metric, value, detail } : { metric, value });
  };
  const notes = [...new Set(encl.flatMap((e) => e.notes))].join('; ');

  const ecreate = asc(encl.flatMap((e) => (e.ecreateNs === undefined ? [] : [e.ecreateNs])));
  put('ecreate_time', percentile(ecreate, 0.5), `median of ${ecreate.length} CREATE ioctls`);
  const einit = asc(encl.flatMap((e) => (e.einitNs === undefined ? [] : [e.einitNs])));
  if (einit.length > 0) put('einit_time', percentile(einit, 0.5), notes || `median of ${einit.length} INIT ioctls`);
  const ioctl = asc(encl.flatMap((e) => e.ioctlNs));
  for (const q of [10, 25, 50, 75, 90, 99]) put(`ioctl_latency_p${q}`, percentile(ioctl, q / 100), `${ioctl.length} add ioctls`);

  const built = encl.filter((e) => e.createStart !== undefined && e.readyAt !== undefined && e.pagesAdded > 0);
  const build = asc(built.map((e) => e.readyAt! - e.createStart!));
  put('build_time_p50', percentile(build, 0.5), notes || undefined);
  put('build_time_p99', percentile(build, 0.99));
  put('build_time_max', build.length ? build[build.length - 1]! : Number.NaN);
  put('per_page_time', percentile(asc(built.map((e) => (e.readyAt! - e.createStart!) / e.pagesAdded)), 0.5), 'median over enclaves of build time / pages');
  const pages = encl.reduce((s, e) => s + e.pagesAdded, 0);
  put('pages_added', pages);
  if (built.length > 0) {
    const start = Math.min(...built.map((e) => e.createStart!));
    const end = Math.max(...built.map((e) => e.readyAt!));
    if (end > start)
      put('throughput', (built.reduce((s, e) => s + e.pagesAdded, 0) * 1e9) / (end - start), 'pages/s from the first CREATE to the last enclave ready');
  }
  const teardown = asc(encl.flatMap((e) => (e.teardownNs === undefined ? [] : [e.teardownNs])));
  if (teardown.length > 0) put('teardown_time', percentile(teardown, 0.5), 'median of close (mainline) / munmap (isgx)');
  const ready = asc(procs.flatMap((p) => p.ready));
  if (ready.length > 0) {
    for (const q of [10, 25, 50, 75, 90, 99]) put(`ready_latency_p${q}`, percentile(ready, q / 100));
  }
  put(
    'ebusy',
    procs.reduce((s, p) => s + p.ebusy, 0),
  );
  return out;
}

/**
 * Latency (wall ns) of the co-running application's operations (background threads): page
 * faults and mmap/munmap pairs. None without background activity.
 */
export function appMetrics(latNs: readonly number[], kinds: readonly string[]): MetricValue[] {
  if (latNs.length === 0) return [];
  const sorted = asc(latNs);
  const detail = `${latNs.length} ops (${kinds.join(', ')}; a fault is the first read of a fresh anonymous page, a churn op one mmap+munmap pair) during the builds`;
  return [
    { metric: 'app_latency_p50', value: percentile(sorted, 0.5), detail },
    { metric: 'app_latency_p99', value: percentile(sorted, 0.99), detail },
  ];
}
