/**
 * Named sweeps (`eaddbench run --suite NAME`); `default` is what `npm start` runs.
 *
 * `default` covers every workload on every design preset (backends/designs.ts), sized so the
 * whole suite runs in well under a minute on a 2-core machine, and picks the points that show
 * the design question: measured vs unmeasured builds, create + destroy, concurrency against the
 * single global worker, the owner's mmap_lock, handover rates, sharing across mms under EPC pressure, EPC pressure itself, and
 * teardown — plus the knobs that switch each (hypothetical) deadlock hazard on.
 */
import { PRESET_NAMES as PRESETS } from '../backends/designs.js';

export interface SuiteEntry {
  readonly workload: string;
  /** Design presets or knob strings. */
  readonly designs: readonly string[];
  /** `--set` values: every key's list is swept (cartesian product). */
  readonly sets: Readonly<Record<string, readonly string[]>>;
}

export interface Suite {
  readonly name: string;
  readonly description: string;
  readonly entries: readonly SuiteEntry[];
}

export const SUITES: readonly Suite[] = [
  {
    name: 'default',
    description: 'every workload on every design preset, plus the hazard knobs (model, < 60 s on 2 cores)',
    entries: [
      { workload: 'build', designs: PRESETS, sets: { size: ['64MiB'], measure: ['0', '1'] } },
      // Create + destroy, the whole-enclave lifecycle published timings measure.
      { workload: 'build', designs: PRESETS, sets: { size: ['64MiB'], measure: ['1'], destroy: ['1'] } },
      { workload: 'concurrent', designs: PRESETS, sets: { builders: ['1', '2', '4'], size: ['8MiB'] } },
      // 16 MiB: no EPC pressure (same tail in every design); 128 MiB: reclaim under the owner's mmap_sem (per-mm) or not (mm-less).
      { workload: 'mmap-contention', designs: PRESETS, sets: { size: ['16MiB', '128MiB'] } },
      { workload: 'handover', designs: PRESETS, sets: { rate: ['5', '20'], clients: ['8'] } },
      { workload: 'shared', designs: PRESETS, sets: { mms: ['1', '2', '4', '8'] } },
      { workload: 'epc-pressure', designs: PRESETS, sets: { total: ['64MiB', '192MiB'] } },
      // A thread runs inside each enclave once it is ready: EWB is NOT_TRACKED and the reclaimer IPIs its CPUs.
      { workload: 'epc-pressure', designs: PRESETS, sets: { total: ['192MiB'], inside: ['1'] } },
      // Hazard (b): direct reclaim under mmap_lock with writers queued (switch epc_alloc); with
      // isgx's round-robin victims each allocation's one batch frees a page, so it is not reached.
      { workload: 'epc-pressure', designs: ['per-mm-sync', 'per-mm-sync,epc_alloc=under-lock'], sets: { total: ['192MiB'], builders: ['4'], churn: ['5000'] } },
      // Release as the drivers do it (ref) and as the v18 series did (deferred); hazard (a), the
      // hypothetical release=sync, flushes queued work under mmap_sem and deadlocks.
      { workload: 'teardown', designs: [...PRESETS, 'per-mm,release=deferred', 'per-mm,release=sync'], sets: { mode: ['unmap', 'exit'] } },
      { workload: 'replay', designs: PRESETS, sets: { file: ['workloads/streams/example.sgxs'] } },
    ],
  },
  {
    name: 'ci',
    description: 'a quick regression set (model, < 20 s on 2 cores)',
    entries: [
      { workload: 'build', designs: PRESETS, sets: { size: ['16MiB'], measure: ['0', '1'] } },
      { workload: 'concurrent', designs: ['per-mm', 'mm-less'], sets: { builders: ['4'], size: ['4MiB'] } },
      { workload: 'mmap-contention', designs: ['per-mm', 'mm-less'], sets: { size: ['4MiB'] } },
      { workload: 'handover', designs: ['per-mm', 'mm-less'], sets: { size: ['4MiB'], clients: ['4'] } },
      { workload: 'shared', designs: ['per-mm', 'mm-less'], sets: { mms: ['1', '2'], size: ['64MiB'], pressure: ['112MiB'] } },
      { workload: 'epc-pressure', designs: ['per-mm', 'mm-less'], sets: { total: ['128MiB'], measure: ['0'] } },
      { workload: 'teardown', designs: ['per-mm', 'mm-less', 'per-mm,release=deferred', 'per-mm,release=sync'], sets: {} },
    ],
  },
];
