/**
 * Runs cases in a piscina pool and hands each finished case's result back as it arrives.
 * A case that throws, or a worker that dies, becomes an `error` result; the pool goes on.
 */
import { setMaxListeners } from 'node:events';
import { Piscina } from 'piscina';
import type { CaseResult, CaseSpec } from '../backends/types.js';

export interface PoolRun {
  /** Resolves when every case has finished or the run was stopped. */
  readonly done: Promise<void>;
  /** Stop: cancel cases not yet finished (their results are not delivered). */
  stop(): Promise<void>;
}

export function runPool(
  cases: readonly CaseSpec[],
  workers: number,
  onResult: (index: number, result: CaseResult) => void,
  /** The worker module (tests substitute their own). */
  workerFile: string = new URL('./worker.js', import.meta.url).href,
): PoolRun {
  const pool = new Piscina({
    filename: workerFile,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 1000,
    // Cases are queued up front; the queue is bounded only by the plan.
    maxQueue: Math.max(cases.length, 1),
  });
  const abort = new AbortController();
  // Every queued task listens on the one signal.
  setMaxListeners(cases.length + 10, abort.signal);
  let stopped = false;
  const tasks = cases.map((spec, index) =>
    pool
      .run(spec, { signal: abort.signal })
      .then(
        (result: CaseResult) => result,
        (err: unknown): CaseResult => ({
          outcome: 'error',
          detail: `worker failed: ${err instanceof Error ? err.message : String(err)}`,
        }),
      )
      .then((result) => {
        if (!stopped) onResult(index, result);
      }),
  );
  const done = Promise.all(tasks).then(() => pool.destroy());
  return {
    done,
    async stop() {
      stopped = true;
      abort.abort();
      await pool.destroy();
    },
  };
}
