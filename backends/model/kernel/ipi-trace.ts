/**
 * The IPIs of an EWB that finds threads inside the enclave (SGX_NOT_TRACKED, reclaim.ts
 * `notTrackedCost`), in traces: an instant `IPI (EWB NOT_TRACKED)` on the sender's track, with
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
