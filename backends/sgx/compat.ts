/**
 * Which designs and scenarios have a real counterpart on a device. The hardware runs only
 * what the driver actually does: mainline is the mm-less design (any batch), isgx the per-mm
 * design. Everything else is skipped or rejected with the reason — never modelled here.
 */
import { findPreset, matchesPattern, measureRejection, sharingRejection, type DesignKnobs, type KnobPattern } from '../designs.js';
import type { Op, ProcessScript, Scenario } from '../../workloads/types.js';
import type { Driver } from './detect.js';

export type Verdict = { readonly run: true } | { readonly run: false; readonly outcome: 'skipped' | 'rejected' | 'error'; readonly detail: string };

/** A preset's knobs as a pattern, with `loose` knobs allowed any value. */
function presetPattern(name: string, loose: Partial<KnobPattern> = {}): KnobPattern {
  const p = findPreset(name);
  if (!p) throw new Error(`compat: no design preset '${name}'`);
  return { ...p.knobs, ...loose };
}

/**
 * What each driver does: mainline is mm-less with any batch (and workers, which a caller-side
 * design does not use); isgx is exactly per-mm.
 */
const DEVICE_DESIGN: Record<Driver, { preset: string; device: string; pattern: KnobPattern }> = {
  mainline: { preset: 'mm-less', device: '/dev/sgx_enclave', pattern: presetPattern('mm-less', { workers: '*', batch: '*' }) },
  isgx: { preset: 'per-mm', device: '/dev/isgx', pattern: presetPattern('per-mm') },
};

/** The design a driver implements, e.g. `mm-less` for mainline. */
export function deviceDesign(driver: Driver): string {
  return DEVICE_DESIGN[driver].preset;
}

export function designVerdict(design: string, knobs: DesignKnobs, driver: Driver, device: string): Verdict {
  const d = DEVICE_DESIGN[driver];
  if (matchesPattern(d.pattern, knobs)) return { run: true };
  const other = (Object.keys(DEVICE_DESIGN) as Driver[]).find((x) => x !== driver && matchesPattern(DEVICE_DESIGN[x].pattern, knobs));
  const why = other
    ? `design ${design} is what ${DEVICE_DESIGN[other].device} does; this machine's device ${device} implements ${d.preset}`
    : `design ${design} has no real counterpart on ${device} (it implements ${d.preset}${driver === 'mainline' ? ' with any batch' : ''}); run it on the model backend`;
  return { run: false, outcome: 'skipped', detail: why };
}

export function scenarioVerdict(s: Scenario, knobs: DesignKnobs): Verdict {
  const shared = sharingRejection(knobs, s.needs.sharedMms ?? 1, s.needs.forked === true);
  if (shared !== undefined) return { run: false, outcome: 'rejected', detail: shared };
  const partial = measureRejection(
    knobs,
    s.processes.flatMap((p) => [...p.ops, ...(p.ifNoHandover ?? [])].flatMap((o) => (o.op === 'add' ? [o.measure] : []))),
  );
  if (partial !== undefined) return { run: false, outcome: 'rejected', detail: partial };
  if ((s.needs.inside ?? 0) > 0) {
    return {
      run: false,
      outcome: 'skipped',
      detail: `inside=${s.needs.inside}: threads running inside an enclave need enclave code to EENTER, and this backend builds enclaves without code; run with inside=0, or on the model backend`,
    };
  }
  // Threads of one mm and background activity run as worker threads of the calling process
  // (threads.ts), so that process must be the scenario's only mm.
  const mms = new Set(s.processes.map((p) => p.mm));
  const perMm = new Map<number, ProcessScript[]>();
  for (const p of s.processes) perMm.set(p.mm, [...(perMm.get(p.mm) ?? []), p]);
  const threaded = [...perMm.entries()].filter(([m, ps]) => ps.length > 1 || s.background.some((b) => b.mm === m));
  if (threaded.length > 0 && mms.size > 1) {
    return {
      run: false,
      outcome: 'skipped',
      detail: `threads or background activity in mm ${threaded.map(([m]) => m).join(', ')} alongside other processes are not run on hardware yet (threads run only inside the calling process); run this workload on the model backend`,
    };
  }
  for (const [, ps] of threaded) {
    if (ps.length < 2) continue;
    const owns = (p: ProcessScript) => p.ops.some((o) => o.op === 'create');
    const exiter = ps.find((p) => !owns(p) && p.ops.some((o) => o.op === 'exit'));
    if (exiter) {
      return {
        run: false,
        outcome: 'skipped',
        detail: `${exiter.name} exits the process while other threads of its mm work on their enclaves; on hardware that needs the process to die mid-ioctl, and the threads run inside the calling process; run this workload on the model backend`,
      };
    }
  }
  return { run: true };
}

/** One process as it runs on a device: its script and the ops chosen for this driver. */
export interface PlannedScript {
  readonly script: ProcessScript;
  readonly ops: readonly Op[];
}

/**
 * The ops a process runs on this driver. isgx is the per-mm design (binding=mm): an enclave
 * cannot leave its creator's mm, so a process with an `ifNoHandover` fallback runs that (e.g. a
 * handover client builds its own enclave — the design's answer, not an error). Mainline (fd
 * binding) runs `ops`.
 */
export function opsFor(script: ProcessScript, driver: Driver): readonly Op[] {
  return driver === 'isgx' && script.ifNoHandover !== undefined ? script.ifNoHandover : script.ops;
}

/** Why a settle cannot be served on isgx (reference §1.6: EINIT's flush_work is the only user-visible wait). */
export const ISGX_SETTLE_REASON =
  "isgx offers no way to wait for queued adds without EINIT (ADD_PAGE returns once the page is queued for the kernel worker; only EINIT flushes the queue), so a build without EINIT cannot be timed on /dev/isgx; set init=1 (the build then ends at EINIT's return) or run it on the model backend";

/**
 * Checks one process's ops against the driver before any syscall: every op kind is either
 * served or answered here with the reason.
 * - settle: mainline adds are synchronous, so it waits for nothing; on isgx it is `skipped`.
 * - send-fd / recv-fd on isgx without a fallback: `rejected` (binding=mm cannot hand over).
 * - fork: `skipped` on both drivers (each process is spawned from its own script, not forked).
 */
export function opsVerdict(name: string, ops: readonly Op[], driver: Driver): Verdict {
  for (const op of ops) {
    if (op.op === 'fork') {
      return {
        run: false,
        outcome: 'skipped',
        detail: `${name}: fork (child ${op.child}): this backend starts every process from its own script (a spawned child, not a fork of another script's process), so a child that inherits its parent's enclave VMA and fds is not run on hardware yet; run it on the model backend (shared: via=fd hands the fd over instead)`,
      };
    }
    if (op.op === 'settle' && driver === 'isgx')
      return { run: false, outcome: 'skipped', detail: `${name}: settle (enclave ${op.enclave}): ${ISGX_SETTLE_REASON}` };
    if ((op.op === 'send-fd' || op.op === 'recv-fd') && driver === 'isgx') {
      return {
        run: false,
        outcome: 'rejected',
        detail: `${name}: ${op.op} (enclave ${op.enclave}): binding=mm: an isgx enclave belongs to its creator's mm and cannot be passed to another process, and the script has no ifNoHandover fallback`,
      };
    }
  }
  return { run: true };
}

/**
 * The processes to run on this driver (ops chosen by `opsFor`, empty scripts dropped), or why
 * the scenario cannot run. Barriers are checked so that a case can never wait forever: each
 * barrier's count must not exceed the processes that reach it.
 */
export function planScripts(s: Scenario, driver: Driver): { readonly run: true; readonly scripts: readonly PlannedScript[] } | Exclude<Verdict, { run: true }> {
  const scripts = s.processes.map((script) => ({ script, ops: opsFor(script, driver) })).filter((p) => p.ops.length > 0);
  for (const p of scripts) {
    const v = opsVerdict(p.script.name, p.ops, driver);
    if (!v.run) return v;
  }
  const reach = new Map<string, { count: number; processes: number }>();
  for (const p of scripts) {
    const seen = new Set<string>();
    for (const op of p.ops) {
      if (op.op !== 'barrier' || seen.has(op.name)) continue;
      seen.add(op.name);
      const r = reach.get(op.name) ?? { count: op.count, processes: 0 };
      r.count = Math.max(r.count, op.count);
      r.processes++;
      reach.set(op.name, r);
    }
  }
  for (const [name, r] of reach) {
    if (r.count > r.processes)
      return { run: false, outcome: 'error', detail: `barrier '${name}' waits for ${r.count} processes but only ${r.processes} reach it on ${driver}` };
  }
  return { run: true, scripts };
}
