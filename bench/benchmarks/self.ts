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
const CPU_EVERY = 8;
const ROUNDS_PER_TASK = 4; // alternating core / bare-heap rounds // every 8th round a process also takes one of 4 CPUs (3 more events)

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

/** Median of a pooled, unsorted list of samples. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  const { json, timeMs } = parseArgs(process.argv.slice(2));
  const delays = delayTable();
  const events = runCore(delays); // also a warm-up; the count is deterministic
  let sink = 0;
  // The two loops alternate in short rounds and the statistic is the median of all samples of
  // each: this machine is shared, and load that comes and goes over seconds would otherwise
  // land on one side of the ratio only.
  const bench = new Bench({ time: timeMs / ROUNDS_PER_TASK, warmupTime: 200, iterations: 5, retainSamples: true });
  for (let round = 0; round < ROUNDS_PER_TASK; round++) {
    bench.add(`core#${round}`, () => {
      if (runCore(delays) !== events) throw new Error('event count changed between runs');
    });
    bench.add(`bare-heap#${round}`, () => {
      sink += runBareHeap(delays, events);
    });
  }
  await bench.run();
  const pooled: Record<'core' | 'bare-heap', number[]> = { core: [], 'bare-heap': [] };
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`task ${task.name} ended ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`);
    const kind = task.name.startsWith('core') ? 'core' : 'bare-heap';
    pooled[kind].push(...(r.latency.samples ?? []));
  }
  const core = { median: median(pooled.core), min: Math.min(...pooled.core), samples: pooled.core.length };
  const bare = { median: median(pooled['bare-heap']), min: Math.min(...pooled['bare-heap']), samples: pooled['bare-heap'].length };
  const out = {
    clock: 'wall',
    statistic: 'median of pooled tinybench latency samples',
    events,
    processes: PROCESSES,
    core_ms_per_run: round(core.median, 3),
    bare_heap_ms_per_run: round(bare.median, 3),
    core_min_ms: round(core.min, 3),
    bare_heap_min_ms: round(bare.min, 3),
    events_per_s: Math.round(events / (core.median / 1000)),
    bare_heap_events_per_s: Math.round(events / (bare.median / 1000)),
    ratio_to_bare_heap: round(core.median / bare.median, 2),
    samples: { core: core.samples, bare_heap: bare.samples },
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
  };
  if (sink === -1) console.error('unreachable'); // keeps the baseline's result observable
  if (json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(
    `simulation core self-benchmark (clock: wall; ${events} events per run, ${PROCESSES} processes; median of ${ROUNDS_PER_TASK} alternating rounds)`,
  );
  console.table({
    core: { 'median ms/run (wall)': out.core_ms_per_run, 'min ms/run (wall)': out.core_min_ms, 'events/s (wall)': out.events_per_s, samples: core.samples },
    'bare heap': {
      'median ms/run (wall)': out.bare_heap_ms_per_run,
      'min ms/run (wall)': out.bare_heap_min_ms,
      'events/s (wall)': out.bare_heap_events_per_s,
      samples: bare.samples,
    },
  });
  console.log(`core / bare heap time ratio: ${out.ratio_to_bare_heap} (target <= 4); core events/s target >= 5,000,000`);
  console.log(`machine: ${out.cores} cores, ${out.cpu}; node ${out.node}; 1-min load average ${out.loadavg_1m}`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
