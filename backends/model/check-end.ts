/** The model's end-of-case invariants: a broken one makes the case an `error` naming it. */
import type { Kernel } from './kernel/kernel.js';

/** Invariants at the end of a completed case. */
export function checkEnd(k: Kernel): string[] {
  const out: string[] = [];
  if (!k.epc.conserved()) out.push(`EPC not conserved: free ${k.epc.free} + pages ${k.epc.pages} + VA ${k.epc.va} + SECS ${k.epc.secs} ≠ ${k.epc.total}`);
  for (const mm of k.mms.values()) {
    if (mm.lock.readers !== 0 || mm.lock.writer !== null || mm.lock.waiting !== 0) out.push(`${mm.lock.name} still held or waited on`);
  }
  for (const e of k.enclaves.values()) {
    if (e.mutex.holder !== null || e.mutex.waiting !== 0) out.push(`${e.mutex.name} still held`);
    if (e.duplicates !== 0) out.push(`${e.name}: ${e.duplicates} duplicate adds`);
    if (e.requestRefs !== 0) out.push(`${e.name}: ${e.requestRefs} request references never dropped`);
  }
  return out;
}
