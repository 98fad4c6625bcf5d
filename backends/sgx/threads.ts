/**
 * Runs the threads of one process (one mm) in the calling process: each script that shares
 * the mm with another, and each background application thread, is a piscina worker thread.
 * Barriers, the enclave table and the stop/abort flags live in one SharedArrayBuffer
 * (mm-shared.ts). Background threads run until every script has finished.
 */
import { Piscina } from 'piscina';
import type { Background, Op, ProcessScript } from '../../workloads/types.js';
import type { BackgroundResult } from './background.js';
import type { Driver } from './detect.js';
import type { ProcessMeasure } from './metrics.js';
import { ABORT, createMmShared, MmShared, STOP } from './mm-shared.js';
import type { ProcessesOutcome } from './processes.js';
import type { SysMode, ThreadReply, ThreadTask } from './thread-worker.js';

export interface ThreadsOutcome extends ProcessesOutcome {
  readonly background: BackgroundResult[];
}

export interface ThreadsCommon {
  readonly driver: Driver;
  readonly device: string;
  readonly batchPages: number;
  readonly keyPem?: string;
  /** Seeds the background threads' Poisson schedules (thread k of kind j: seed, j, k). */
  readonly seed: number;
  readonly sysMode?: SysMode;
  /** Record a trace in every thread (trace.ts); the tracks belong to trace process `mm<N>`. */
  readonly trace?: boolean;
}

/** Seed of background thread `k` of background entry `j`: distinct and deterministic. */
export function backgroundSeed(seed: number, j: number, k: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(j + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35)) >>> 0;
}

export async function runThreads(
  scripts: readonly { script: ProcessScript; ops: readonly Op[] }[],
  background: readonly Background[],
  common: ThreadsCommon,
): Promise<ThreadsOutcome> {
  const barriers = [...new Set(scripts.flatMap((s) => s.ops.flatMap((o) => (o.op === 'barrier' ? [o.name] : []))))];
  const enclaves = [...new Set(scripts.flatMap((s) => s.ops.flatMap((o) => ('enclave' in o ? [o.enclave] : []))))];
  const shared = createMmShared(barriers, enclaves);
  const mm = new MmShared(shared);
  const bgJobs = background.flatMap((b, j) =>
    Array.from({ length: b.threads }, (_, k) => ({ kind: b.kind, ratePerS: b.ratePerS, seed: backgroundSeed(common.seed, j, k), name: `app-${b.kind}${k}` })),
  );
  const traceProcess = `mm${scripts[0]?.script.mm ?? 0}`;
  const n = scripts.length + bgJobs.length;
  const pool = new Piscina<ThreadTask, ThreadReply>({
    filename: new URL('./thread-worker.js', import.meta.url).href,
    minThreads: n,
    maxThreads: n,
    concurrentTasksPerWorker: 1,
    idleTimeout: 1000,
    // Every task must start at once (threads of one process run together), never wait in a queue.
    maxQueue: 0,
  });
  const measures: ProcessMeasure[] = [];
  const errors: ThreadsOutcome['errors'] = [];
  const bgResults: BackgroundResult[] = [];
  const t0 = scripts.reduce((m, s) => Math.min(m, s.script.startNs), Infinity);
  try {
    const bg = bgJobs.map((job) =>
      pool
        .run({
          kind: 'background',
          job: { kind: job.kind, ratePerS: job.ratePerS, seed: job.seed },
          shared,
          threads: n,
          ...(common.trace ? { trace: { process: traceProcess, thread: job.name } } : {}),
        })
        .then(
          (r) => {
            if (r.type === 'background') bgResults.push(r.result);
          },
          (e: unknown) => {
            mm.raise(ABORT);
            errors.push({ pid: -1, message: `background ${job.kind} thread: ${e instanceof Error ? e.message : String(e)}`, outcome: 'error' });
          },
        ),
    );
    const runs = scripts.map(({ script, ops }) =>
      pool
        .run({
          kind: 'script',
          script,
          ops,
          driver: common.driver,
          device: common.device,
          batchPages: common.batchPages,
          ...(common.keyPem ? { keyPem: common.keyPem } : {}),
          startDelayMs: (script.startNs - t0) / 1e6,
          shared,
          sysMode: common.sysMode ?? 'native',
          threads: n,
          ...(common.trace ? { trace: { process: traceProcess } } : {}),
        })
        .then(
          (r) => {
            if (r.type === 'result') measures.push(r.measure);
            else if (r.type === 'error') {
              if (r.partial) measures.push(r.partial);
              errors.push({ pid: script.pid, message: r.message, outcome: r.outcome, ...(r.secondary ? { secondary: true } : {}) });
            }
          },
          (e: unknown) => {
            // The worker itself died (not a script error): stop the others.
            mm.raise(ABORT);
            errors.push({ pid: script.pid, message: `${script.name}: thread failed: ${e instanceof Error ? e.message : String(e)}`, outcome: 'error' });
          },
        ),
    );
    await Promise.all(runs);
    mm.raise(STOP);
    await Promise.all(bg);
  } finally {
    mm.raise(STOP);
    mm.raise(ABORT);
    await pool.destroy();
  }
  return { measures, errors, background: bgResults };
}
