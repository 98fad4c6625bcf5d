/**
 * Which designs and scenarios have a real counterpart on a device. The hardware runs only
 * what the driver actually does: mainline is the mm-less design (any batch), isgx the per-mm
 * design. Everything else is skipped or rejected with the reason — never modelled here.
 */
import type { DesignKnobs } from '../designs.js';
import type { Scenario } from '../../workloads/types.js';
import type { Driver } from './detect.js';

export type Verdict = { readonly run: true } | { readonly run: false; readonly outcome: 'skipped' | 'rejected'; readonly detail: string };

const DEVICE_DESIGN: Record<Driver, { preset: string; device: string; matches(k: DesignKnobs): boolean }> = {
  mainline: {
    preset: 'mm-less',
    device: '/dev/sgx_enclave',
    matches: (k) => k.binding === 'fd' && k.execution === 'caller' && k.source === 'pin' && k.epc_alloc === 'before-lock' && k.release === 'deferred',
  },
  isgx: {
    preset: 'per-mm',
    device: '/dev/isgx',
    matches: (k) => k.binding === 'mm' && k.execution === 'kthread' && k.workers === 1 && k.source === 'copy' && k.batch === 1 && k.epc_alloc === 'before-lock' && k.release === 'sync',
  },
};

/** The design a driver implements, e.g. `mm-less` for mainline. */
export function deviceDesign(driver: Driver): string {
  return DEVICE_DESIGN[driver].preset;
}

export function designVerdict(design: string, knobs: DesignKnobs, driver: Driver, device: string): Verdict {
  const d = DEVICE_DESIGN[driver];
  if (d.matches(knobs)) return { run: true };
  const other = (Object.keys(DEVICE_DESIGN) as Driver[]).find((x) => x !== driver && DEVICE_DESIGN[x].matches(knobs));
  const why = other
    ? `design ${design} is what ${DEVICE_DESIGN[other].device} does; this machine's device ${device} implements ${d.preset}`
    : `design ${design} has no real counterpart on ${device} (it implements ${d.preset}${driver === 'mainline' ? ' with any batch' : ''}); run it on the model backend`;
  return { run: false, outcome: 'skipped', detail: why };
}

/** Pages per mainline add ioctl: the workload's `batch` capped by the design's (0 = no cap). */
export function batchPages(knobs: DesignKnobs, paramBatch: number | string | undefined): number {
  const p = typeof paramBatch === 'number' && paramBatch > 0 ? paramBatch : 0;
  const k = knobs.batch;
  if (p === 0) return k;
  if (k === 0) return p;
  return Math.min(p, k);
}

export function scenarioVerdict(s: Scenario, knobs: DesignKnobs): Verdict {
  if (knobs.binding === 'mm' && (s.needs.sharedMms ?? 1) > 1) {
    return { run: false, outcome: 'rejected', detail: `binding=mm: an enclave belongs to its creator's mm and cannot be mapped by ${s.needs.sharedMms} mms` };
  }
  if (s.background.length > 0) {
    return { run: false, outcome: 'skipped', detail: `background activity (${[...new Set(s.background.map((b) => b.kind))].join(', ')}) is not driven on hardware yet; run this workload on the model backend` };
  }
  const perMm = new Map<number, number>();
  for (const p of s.processes) perMm.set(p.mm, (perMm.get(p.mm) ?? 0) + 1);
  const threaded = [...perMm.entries()].filter(([, n]) => n > 1);
  if (threaded.length > 0) {
    return { run: false, outcome: 'skipped', detail: `several threads in one mm (mm ${threaded.map(([m]) => m).join(', ')}) sharing enclaves are not run on hardware yet; run this workload on the model backend` };
  }
  return { run: true };
}
