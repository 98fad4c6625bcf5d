/**
 * Self-benchmark of the simulation core (tinybench; wall clock).
 *
 *   npm run bench:self            readable table
 *   npm run bench:self -- --json  one JSON object
 *
 * It times, in the same run, (a) the core processing a fixed number of events from many
 * processes that each loop over timeouts, with a share of them contending for a counted
 * resource, and (b) a bare binary-heap push/pop loop over the same number of events and
 * the same heap size. events_per_s and ratio_to_bare_heap compare the two.
 */
import os from 'node:os';
import { Bench } from 'tinybench';
import { Environment, Resource, Prng, type ProcessGen } from '../../backends/model/sim/index.js';
import { UsageError } from '../errors.js';

const PROCESSES = 1000;
const ROUNDS = 200; // timeouts per process
const DELAYS = 4096; // precomputed delays, so the PRNG is not what is measured
const CPU_EVERY = 8; // every 8th round a process also takes one of 4 CPUs (3 more events)

function delayTable(): Float64Array {
  const g = new Prng(1, 'bench-self');
  const t = new Float64Array(DELAYS);
  for (let i = 0; i < DELAYS; i++) t[i] = Math.round(g.exponential(1 / 1000));
  return t;
}

/** The core: PROCESSES processes, ROUNDS timeouts each, every CPU_EVERY-th round on a shared Resource. */
function runCore(delays: Float64Array): number {
  const env = new Environment();
  const cpus = new Resource(env, 4, 'cpus');
  const mask = DELAYS - 1;
  function* worker(offset: number): ProcessGen<void> {
    let k = offset;
    for (let r = 0; r < ROUNDS; r++) {
      yield env.timeout(delays[k++ & mask] as number);
      if (r % CPU_EVERY === 0) {
        yield cpus.request();
        yield env.timeout(50);
        cpus.release();
      }
    }
  }
  for (let p = 0; p < PROCESSES; p++) env.process(worker(p * 7), `w${p}`);
  env.run();
  return env.eventsProcessed;
}

/**
 * The baseline: a binary min-heap of times in a Float64Array, written as tight inline loops;
 * pop the earliest entry and push it back at a later time, `events` times, starting from
 * PROCESSES entries (the core's heap size in runCore).
 */
function runBareHeap(delays: Float64Array, events: number): number {
  const heap = new Float64Array(PROCESSES);
  const mask = DELAYS - 1;
  let n = 0;
  let k = 0;
  let sink = 0;
  for (let e = -PROCESSES; e < events; e++) {
    let t: number;
    if (e < 0) {
      t = delays[k++ & mask] as number; // fill phase: push only
    } else {
      // pop: move the last entry into the root hole and sift it down
      const now = heap[0] as number;
      sink += now;
      const last = --n;
      const x = heap[last] as number;
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let c = 2 * i + 1;
        let ct = heap[c] as number;
        if (c + 1 < last && (heap[c + 1] as number) < ct) ct = heap[++c] as number;
        if (x <= ct) break;
        heap[i] = ct;
        i = c;
      }
      heap[i] = x;
      t = now + (delays[k++ & mask] as number);
    }
    // push: sift a hole up from the end
    let i = n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = heap[parent] as number;
      if (pt <= t) break;
      heap[i] = pt;
      i = parent;
    }
    heap[i] = t;
  }
  return sink;
}

function parseArgs(argv: readonly string[]): { json: boolean; timeMs: number } {
  let json = false;
  let timeMs = 3000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--time') {
      const v = Number(argv[++i]);
      if (!(v > 0)) throw new UsageError(`--time: expected milliseconds > 0 per task, got ${String(argv[i])}`);
      timeMs = v;
    } else throw new UsageError(`unknown argument ${String(a)}; valid: --json, --time <ms>`);
  }
  return { json, timeMs };
}

async function main(): Promise<void> {
  const { json, timeMs } = parseArgs(process.argv.slice(2));
  const delays = delayTable();
  const events = runCore(delays); // also a warm-up; the count is deterministic
  let sink = 0;
  const bench = new Bench({ time: timeMs, warmupTime: 500, iterations: 10 });
  bench.add('core', () => {
    if (runCore(delays) !== events) throw new Error('event count changed between runs');
  });
  bench.add('bare-heap', () => {
    sink += runBareHeap(delays, events);
  });
  await bench.run();
  const ms: Record<string, { mean: number; rme: number; samples: number }> = {};
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`task ${task.name} ended ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`);
    ms[task.name] = { mean: r.latency.mean, rme: r.latency.rme, samples: r.latency.samplesCount };
  }
  const core = ms['core'] as { mean: number; rme: number; samples: number };
  const bare = ms['bare-heap'] as { mean: number; rme: number; samples: number };
  const out = {
    clock: 'wall',
    events,
    processes: PROCESSES,
    core_ms_per_run: round(core.mean, 3),
    bare_heap_ms_per_run: round(bare.mean, 3),
    core_rme_pct: round(core.rme, 2),
    bare_heap_rme_pct: round(bare.rme, 2),
    events_per_s: Math.round(events / (core.mean / 1000)),
    bare_heap_events_per_s: Math.round(events / (bare.mean / 1000)),
    ratio_to_bare_heap: round(core.mean / bare.mean, 2),
    samples: { core: core.samples, bare_heap: bare.samples },
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
  if (sink === -1) console.error('unreachable'); // keeps the baseline's result observable
  if (json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`simulation core self-benchmark (clock: wall; ${events} events per run, ${PROCESSES} processes)`);
  console.table({
    core: { 'ms per run (wall)': out.core_ms_per_run, '± %': out.core_rme_pct, 'events/s (wall)': out.events_per_s, samples: core.samples },
    'bare heap': { 'ms per run (wall)': out.bare_heap_ms_per_run, '± %': out.bare_heap_rme_pct, 'events/s (wall)': out.bare_heap_events_per_s, samples: bare.samples },
  });
  console.log(`core / bare heap time ratio: ${out.ratio_to_bare_heap} (target <= 4); events/s target >= 5,000,000`);
  console.log(`machine: ${out.cores} cores, ${out.cpu}; node ${out.node}`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
