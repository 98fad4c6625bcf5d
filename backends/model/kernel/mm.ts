/**
 * An mm: its mmap_lock (a Linux rw_semaphore), its threads, and which enclaves it maps.
 * mm_cpumask is approximated by the number of CPUs its threads can be on.
 */
import { RwSemaphore, type Environment } from '../sim/index.js';

export class Mm {
  readonly lock: RwSemaphore;
  /** Threads (script processes and background threads) of this mm. */
  threads = 0;
  /** Enclave ids with a VMA in this mm. */
  readonly mapped = new Set<number>();
  /** Set by exit: threads stop at their next signal check. */
  killed = false;
  exited = false;
  /** An access found no VMA (e.g. an isgx enclave in a forked child): SIGSEGV ended the process. */
  segv = false;

  constructor(
    env: Environment,
    readonly id: number,
  ) {
    this.lock = new RwSemaphore(env, `mmap_sem(mm${id})`);
  }

  /** CPUs in mm_cpumask: at most one per thread, at most the machine's CPUs. */
  cpusIn(cpus: number): number {
    return Math.min(cpus, Math.max(1, this.threads));
  }

  /** CPUs a TLB shootdown started on another CPU interrupts: the mm's CPUs except the initiator's. */
  shootdownTargets(cpus: number): number {
    return Math.min(cpus - 1, Math.max(1, this.threads));
  }
}
