/**
 * The IPIs the `ipis` metric counts, in traces: the EWB's and the zaps' TLB shootdowns
 * (`traceShootdown` below).
 *
 * The IPIs of an EWB that finds threads inside the enclave (SGX_NOT_TRACKED, reclaim.ts
 * `notTrackedCost`): an instant `IPI (EWB NOT_TRACKED)` on the sender's track, with
 * the target CPUs as args, and an instant `IPI from <sender>` on each target CPU's track.
 *
 * The targets are the CPUs the real IPI goes to: mainline `sgx_encl_ewb_cpumask()` (the union of
 * mm_cpumask() over the live mms on encl->mm_list; torvalds/linux arch/x86/kernel/cpu/sgx/encl.c)
 * and isgx `sgx_flush_cpus` (mm_cpumask(encl->mm); intel/linux-sgx-driver sgx_util.c), with each
 * mm_cpumask() read off the CPU tracks (cpus.ts `mmCpus`: the CPUs the mm's tasks ran on).
 * The model charges and counts the IPIs from thread counts instead (mm.ts `cpusIn`: one CPU per
 * thread, the threads inside the enclave included, which it does not schedule on a CPU), so the
 * sender's args give both: `targets` (CPU numbers) and `ipis` (the count the `ipis` metric adds).
 * The instants are at the model time the IPIs are charged, when the EWB's burst is computed.
 */
import { mmGroup, type Task } from './cpus.js';
import type { Enclave } from './enclave.js';
import type { Kernel } from './kernel.js';
import type { Mm } from './mm.js';

/** Name of the sender's instant. */
export const IPI_SENT = 'IPI (EWB NOT_TRACKED)';
/** Prefix of a target CPU's instant (`IPI from ksgxd`). */
export const IPI_FROM = 'IPI from ';

/** Record the IPIs that task `t` sends for enclave `e`: `ipis` as the model counts them. */
export function traceIpis(k: Kernel, t: Task, e: Enclave, ipis: number): void {
  const groups = new Set<string>();
  for (const mm of e.mms) if (!mm.exited) groups.add(mmGroup(mm.id));
  const targets = k.cpus.mmCpus(groups);
  k.rec.mark(t, IPI_SENT, { enclave: e.id, targets, ipis, from_cpu: t.onCpu ? t.cpu : -1 });
  const from = IPI_FROM + t.name;
  for (const c of targets) k.rec.mark(k.cpus.track(c)!, from, { enclave: e.id });
}

/** Name of the sender's instant of a zap's TLB shootdown. */
export const SHOOTDOWN_SENT = 'TLB shootdown (zap)';
/** Prefix of a target CPU's instant (`TLB shootdown from ksgxd`). */
export const SHOOTDOWN_FROM = 'TLB shootdown from ';

/**
 * Record the TLB shootdown of the reclaimer's zap of `pages` pages of `e` in `mm`, before
 * EBLOCK: mainline `sgx_reclaimer_block` → `sgx_zap_enclave_ptes` → `zap_vma_ptes` per page and
 * mm; isgx `sgx_write_pages` → `zap_vma_ptes` per page of the batch in `encl->mm`; each flush
 * IPIs the other CPUs of mm_cpumask(mm) (arch/x86/mm/tlb.c `flush_tlb_mm_range`). `ipis` is
 * what the model counts (mm.ts `shootdownTargets` per page); `targets` are the CPUs the mm's
 * tasks ran on (cpus.ts `mmCpus`) other than the sender's, as for the EWB's IPIs above.
 */
export function traceShootdown(k: Kernel, t: Task, e: Enclave, mm: Mm, pages: number, ipis: number): void {
  const own = t.onCpu ? t.cpu : -1;
  const targets = k.cpus.mmCpus(new Set([mmGroup(mm.id)])).filter((c) => c !== own);
  k.rec.mark(t, SHOOTDOWN_SENT, { enclave: e.id, mm: mm.id, pages, targets, ipis, from_cpu: own });
  const from = SHOOTDOWN_FROM + t.name;
  for (const c of targets) k.rec.mark(k.cpus.track(c)!, from, { enclave: e.id, mm: mm.id });
}
