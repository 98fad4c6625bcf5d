/**
 * Co-running application activity in the builder's mm (workloads/types.ts Background), run
 * for real in the calling thread: `faults` touches fresh anonymous pages (each op one page
 * fault, mmap_lock read), `mmap-churn` does one mmap/munmap pair per op (mmap_lock write).
 * Gaps are Poisson from a seeded PRNG, so the schedule is deterministic for a seed; latencies
 * are wall clock (ns). Open loop: an op that falls behind its schedule starts at once.
 */
import { mulberry32 } from '../../common/prng.js';
import type { NativeBinding } from './binding.js';
import { PAGE_SIZE } from './structs.js';
import type { SysTraceData } from './trace.js';

export type BackgroundKind = 'faults' | 'mmap-churn';

export interface BackgroundJob {
  readonly kind: BackgroundKind;
  /** Operations per second (Poisson). */
  readonly ratePerS: number;
  readonly seed: number;
}

export interface BackgroundResult {
  readonly kind: BackgroundKind;
  /** Wall-clock ns of each operation, in order. */
  readonly latNs: number[];
  /** Planned start of each op (ns after the thread started), from the seeded schedule. */
  readonly plannedNs: number[];
  /** Ops that started more than 1 ms after their planned time (the thread could not keep the rate). */
  readonly late: number;
  /** What the thread recorded, when the case is traced (added by thread-worker.ts). */
  readonly trace?: SysTraceData;
}

/** Pages of one fault region; remapped (untimed) when used up, so every touch faults. */
export const FAULT_REGION_PAGES = 256;
/** Bytes of one mmap-churn mapping. */
export const CHURN_BYTES = 4 * PAGE_SIZE;

/** The first `n` Poisson arrival gaps (ns) for a rate and seed: exponential by inversion. */
export function poissonGapsNs(ratePerS: number, seed: number, n: number): number[] {
  const rnd = mulberry32(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((-Math.log(1 - rnd()) / ratePerS) * 1e9);
  return out;
}

type Sys = Pick<NativeBinding, 'constants' | 'mmap' | 'munmap' | 'touchPages'>;
const now = (): number => Number(process.hrtime.bigint());

/**
 * Runs the job until `stop[0]` becomes non-zero (or `maxOps` ops ran). Sleeps with Atomics.wait
 * on `stop`, so a stop wakes the thread at once. Every mapping it made is unmapped on return.
 */
export function runBackground(sys: Sys, job: BackgroundJob, stop: Int32Array, maxOps = Number.POSITIVE_INFINITY): BackgroundResult {
  if (!(job.ratePerS > 0)) throw new Error(`background ${job.kind}: rate ${job.ratePerS}/s must be > 0`);
  const c = sys.constants;
  const rw = c['PROT_READ']! | c['PROT_WRITE']!;
  const anon = c['MAP_PRIVATE']! | c['MAP_ANONYMOUS']!;
  const rnd = mulberry32(job.seed);
  const latNs: number[] = [];
  const plannedNs: number[] = [];
  let late = 0;
  let region = 0n;
  let used = FAULT_REGION_PAGES;
  const t0 = now();
  let planned = 0;
  try {
    while (latNs.length < maxOps && Atomics.load(stop, 0) === 0) {
      planned += (-Math.log(1 - rnd()) / job.ratePerS) * 1e9;
      const waitMs = (t0 + planned - now()) / 1e6;
      if (waitMs > 0 && Atomics.wait(stop, 0, 0, waitMs) !== 'timed-out') break;
      if (waitMs < -1) late++;
      if (job.kind === 'faults') {
        if (used >= FAULT_REGION_PAGES) {
          if (region !== 0n) sys.munmap(region, FAULT_REGION_PAGES * PAGE_SIZE);
          region = 0n;
          region = sys.mmap(0n, FAULT_REGION_PAGES * PAGE_SIZE, rw, anon, -1, 0);
          used = 0;
        }
        const a = region + BigInt(used++ * PAGE_SIZE);
        const s = now();
        sys.touchPages(a, 1);
        latNs.push(now() - s);
      } else {
        const s = now();
        const a = sys.mmap(0n, CHURN_BYTES, rw, anon, -1, 0);
        sys.munmap(a, CHURN_BYTES);
        latNs.push(now() - s);
      }
      plannedNs.push(planned);
    }
  } finally {
    if (region !== 0n) sys.munmap(region, FAULT_REGION_PAGES * PAGE_SIZE);
  }
  return { kind: job.kind, latNs, plannedNs, late };
}
