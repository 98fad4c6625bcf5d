/** Turns the end state of a completed case into the schema's metrics (times in ns of model time). */
import type { MetricValue } from '../types.js';
import type { Kernel } from './kernel/kernel.js';

/** Percentiles reported for the ioctl and ready latency distributions. */
const QUANTILES = [10, 25, 50, 75, 90, 99] as const;

export function collectMetrics(k: Kernel, end: number): MetricValue[] {
  const m = k.metrics;
  for (const e of k.enclaves.values()) {
    if (e.addCount === 0) continue;
    const done = e.readyAt >= 0 ? e.readyAt : e.lastAddAt;
    m.buildTimes.add(done - e.createdAt);
    m.pagesPerBuild.add(e.addCount);
  }
  const start = Number.isFinite(m.firstStart) ? m.firstStart : 0;
  const span = m.lastPageDone - start;
  const kthread = k.knobs.execution === 'kthread';
  const out: MetricValue[] = [];
  const put = (metric: string, value: number, detail?: string): void => {
    out.push(detail === undefined ? { metric, value } : { metric, value, detail });
  };
  put('throughput', span > 0 ? (m.pagesAdded * 1e9) / span : 0);
  if (m.buildTimes.count > 0) {
    put('build_time_p50', m.buildTimes.percentile(50));
    put('build_time_p99', m.buildTimes.percentile(99));
    put('build_time_max', m.buildTimes.max);
    const p50 = m.buildTimes.percentile(50);
    const pages = m.pagesPerBuild.percentile(50);
    if (pages > 0) put('per_page_time', p50 / pages);
  }
  if (m.ioctl.count > 0) {
    for (const q of QUANTILES) put(`ioctl_latency_p${q}`, m.ioctl.percentile(q));
  }
  const ready = m.clientReady.count > 0 ? m.clientReady : m.ready;
  const what = m.clientReady.count > 0 ? 'client arrival to a ready enclave' : 'page requested to page in EPC';
  if (ready.count > 0) {
    for (const q of QUANTILES) put(`ready_latency_p${q}`, ready.percentile(q), what);
  }
  put('queue_depth_max', kthread ? m.queue.maxValue : 0);
  put('queue_depth_mean', kthread ? m.queue.mean(end) : 0);
  // The worker may still run (dropping skipped requests, release) after the last script ends.
  const wqEnd = Math.max(end, k.env.now);
  put('worker_utilization', kthread && wqEnd > 0 ? k.wq.busyNs / (wqEnd * m.workers) : 0);
  put('mmap_lock_wait_p99', m.mmapWait.percentile(99));
  put('encl_mutex_wait_p99', m.mutexWait.percentile(99));
  put('epc_evictions', m.evictions);
  put('eldu', m.eldu);
  put('ipis', m.ipis);
  put('va_pages', m.vaPages);
  put('epc_capacity', k.costs.epcPages * 4096);
  put('reclaim_time', m.reclaimNs);
  if (m.evictions > 0) put('reclaim_per_page', m.reclaimNs / m.evictions);
  if (m.app.count > 0) {
    put('app_latency_p50', m.app.percentile(50));
    put('app_latency_p99', m.app.percentile(99));
  }
  put('ebusy', m.ebusy);
  put('enomem', m.enomem);
  put('backing_bytes', m.backingMax);
  put('pages_added', m.pagesAdded);
  if (m.teardown.count > 0) put('teardown_time', m.teardown.max);
  if (m.destroy.count > 0) {
    for (const [name, s] of [
      ['destroy_time', m.destroy],
      ['lifecycle_time', m.lifecycle],
    ] as const) {
      put(`${name}_p50`, s.percentile(50));
      put(`${name}_p99`, s.percentile(99));
      put(`${name}_max`, s.max);
    }
  }
  if (m.ecreate.count > 0) put('ecreate_time', m.ecreate.percentile(50));
  if (m.einit.count > 0) put('einit_time', m.einit.percentile(50));
  return out;
}
