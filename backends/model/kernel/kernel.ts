/** The kernel context of one case: clock, costs, CPUs, EPC, the add-page workqueue, state, metrics. */
import type { Environment, ProcessGen } from '../sim/index.js';
import type { DesignKnobs } from '../../designs.js';
import type { CaseMetrics } from '../metrics.js';
import type { Costs } from '../profiles.js';
import type { Cpus, Task } from './cpus.js';
import type { Enclave } from './enclave.js';
import type { Epc } from './epc.js';
import type { Mm } from './mm.js';
import type { Workqueue } from './workqueue.js';

export interface Kernel {
  readonly env: Environment;
  readonly ns: Readonly<Record<string, number>>;
  readonly costs: Costs;
  readonly knobs: DesignKnobs;
  readonly cpus: Cpus;
  readonly epc: Epc;
  readonly wq: Workqueue;
  readonly metrics: CaseMetrics;
  readonly enclaves: Map<number, Enclave>;
  readonly mms: Map<number, Mm>;
  /** Allocate one EPC page in task `t`, direct-reclaiming when none is free; false on ENOMEM. */
  allocEpc(t: Task, use: 'secs' | 'va' | 'page'): ProcessGen<boolean>;
}

/** mmap_lock (read) with the wait recorded. */
export function* downRead(k: Kernel, t: Task, mm: Mm): ProcessGen<void> {
  yield* k.cpus.wait(t, mm.lock.downRead(), k.metrics.mmapWait);
}

export function* downWrite(k: Kernel, t: Task, mm: Mm): ProcessGen<void> {
  yield* k.cpus.wait(t, mm.lock.downWrite(), k.metrics.mmapWait);
}

/** encl->lock with the wait recorded; no event when uncontended. */
export function* lockEncl(k: Kernel, t: Task, e: Enclave): ProcessGen<void> {
  if (e.mutex.tryLock()) {
    k.metrics.mutexWait.add(0);
    return;
  }
  yield* k.cpus.wait(t, e.mutex.lock(), k.metrics.mutexWait);
}
