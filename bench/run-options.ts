/**
 * `eaddbench run` options: parsed once, validated at the boundary, resolved against one
 * defaults object. Every error names the flag and the valid values.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from '../common/flags.js';
import { UsageError } from './errors.js';
import { parseSets } from './params.js';
import { parseShard, type PlanInput, type SweepEntry } from './plan.js';
import { parseDesign, DesignError, PRESETS } from '../backends/designs.js';
import { BACKEND_NAMES } from '../backends/index.js';
import { DEFAULT_PROFILE, loadProfile, ProfileError } from '../backends/model/profiles.js';
import { emulatedDeviceProblem, isEmulatedPath } from '../backends/sgx/emulator.js';
import { MAX_DRAWS, costRanges, drawProfiles, type CostVector } from '../backends/model/draws.js';
import { DEFAULT_TRACE_WINDOW_MS, DEFAULT_WALL_TRACE_WINDOW_MS } from '../backends/trace.js';
import type { BackendName } from '../backends/types.js';
import { WORKLOADS, findWorkload } from '../workloads/index.js';
import { SUITES } from '../workloads/suites.js';

export const RUN_HELP = `Usage: eaddbench run WORKLOAD... [options]
       eaddbench run --suite NAME [options]

Runs each workload on each design for every point of the sweep and writes one CSV row per
(case, metric). Rows are appended as cases finish; Ctrl-C keeps every finished case.

Options:
  --suite NAME          run a named suite instead of WORKLOADs (${SUITES.map((s) => s.name).join(', ') || 'none yet'})
  --backend NAME        model (default; clock: model) or sgx (real hardware; clock: wall)
  --design LIST         presets or custom designs (default: ${PRESETS.map((p) => p.name).join(',')});
                        repeatable; a comma list of presets (per-mm,mm-less), or one custom
                        design as knobs (base=per-mm,workers=4; see 'eaddbench list designs')
  --profile NAME|FILE   cost profile for the model (default: ${DEFAULT_PROFILE}; see 'eaddbench list profiles')
  --set KEY=V1,V2,...   workload parameter; a list sweeps it (cartesian product over all --set);
                        sizes accept units (64MiB, 1GiB, 4096); repeatable
  --seed N              seed of every random stream (default: 1)
  --repeat N            repeats of every case (default: 1)
  --draws N             model: also run every case with N cost vectors drawn from the
                        profile's cost ranges (Latin hypercube, log-uniform, seeded by --seed;
                        draw 0 is the nominal profile; default: 0, from 0 to ${MAX_DRAWS}); the
                        summary and reports then show nominal [p5–p95] and whether each
                        comparison holds in every draw
  --sensitivity         with --draws: per metric, the rank correlation of each cost with the
                        metric over the draws (the top 5), printed and written to
                        FILE.sensitivity.csv next to --out (not with --shard)
  --workers N           pool threads (default: one per CPU, here ${availableParallelism()}; the sgx
                        backend: 1, as its cases measure wall time)
  --shard I/N           run only shard I of N of the cases (for CI matrices; merge with 'eaddbench merge')
  --device PATH         sgx backend: the SGX device to use (/dev/sgx_enclave or /dev/isgx), or
                        emu:mainline or emu:isgx, the SGX driver emulators (not hardware;
                        docs/hardware-backend.md)
  --out FILE.csv        output (default: results/<UTC timestamp>.csv; results/latest.csv then
                        points at it)
  --trace DIR           also write each case's timeline to DIR/<case_id>.json (Trace Event
                        Format, µs; open in Perfetto or chrome://tracing): model: the simulated
                        tasks and CPUs in model time; sgx: each ioctl, mmap and munmap per thread and
                        process in wall time (CLOCK_MONOTONIC)
  --trace-window MS     with --trace: time kept in full at each end of a trace (default: model
                        ${DEFAULT_TRACE_WINDOW_MS}, sgx ${DEFAULT_WALL_TRACE_WINDOW_MS}); between them, slices and counters are aggregated

Values: integers (flags and integer parameters) are plain digits; other numbers may use a
decimal point or an exponent (rate=2.5e3); a flag that takes one value may be given once.

Exit status: 0 success (rejected, deadlock and skipped cases are results); 1 a case failed
(outcome error); 2 bad usage or input (nothing is run and no file is written).

Examples:
  eaddbench run build --design per-mm,mm-less --set size=8MiB,64MiB --set measure=0,1
  eaddbench run concurrent --set builders=1,2,4 --repeat 3 --out results/concurrent.csv
  eaddbench run build --design base=mm-less,execution=kthread --profile icelake-server
  eaddbench run --suite default --draws 32 --sensitivity --out results/draws.csv
`;

export interface RunOptions {
  readonly backend: BackendName;
  readonly plan: PlanInput;
  readonly workers: number;
  readonly out: string | undefined;
  readonly shard: { index: number; count: number } | undefined;
  /** Sampled draws per case (0: nominal only). */
  readonly draws: number;
  /** The sampled cost vectors, draw 1 first (empty without draws). */
  readonly vectors: readonly CostVector[];
  readonly sensitivity: boolean;
  /** `--trace DIR`: the directory every case's trace goes to (model backend). */
  readonly trace: string | undefined;
}

function intFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new UsageError(`--${flag} '${text}' is invalid; expected an integer from ${min} to ${max}`);
  }
  return n;
}

function parseDesigns(texts: readonly string[]): { name: string; knobs: SweepEntry['designs'][number]['knobs'] }[] {
  const out: { name: string; knobs: SweepEntry['designs'][number]['knobs'] }[] = [];
  for (const text of texts) {
    // A value with '=' is one custom design; otherwise a comma list of presets.
    const items = text.includes('=')
      ? [text]
      : text
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== '');
    for (const item of items) {
      try {
        const d = parseDesign(item);
        if (!out.some((o) => o.name === d.name)) out.push(d);
      } catch (err) {
        if (err instanceof DesignError) throw new UsageError(`--design: ${err.message}`);
        throw err;
      }
    }
  }
  if (out.length === 0) throw new UsageError('--design: no design given');
  return out;
}

/** Integer flags whose value may be written negative (`--draws -1`), so the range check names it. */
const NUMERIC_FLAGS = new Set(['--draws', '--seed', '--repeat', '--workers']);

/** `--draws -1` → `--draws=-1`: parseArgs would take `-1` for an option, not a value out of range. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (NUMERIC_FLAGS.has(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function resolveRunOptions(argv: readonly string[]): RunOptions {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv),
    allowPositionals: true,
    strict: true,
    options: {
      suite: { type: 'string' },
      backend: { type: 'string' },
      design: { type: 'string', multiple: true },
      profile: { type: 'string' },
      set: { type: 'string', multiple: true },
      seed: { type: 'string' },
      repeat: { type: 'string' },
      draws: { type: 'string' },
      sensitivity: { type: 'boolean', default: false },
      workers: { type: 'string' },
      shard: { type: 'string' },
      device: { type: 'string' },
      out: { type: 'string' },
      trace: { type: 'string' },
      'trace-window': { type: 'string' },
    },
  });

  const backendText = values.backend ?? 'model';
  if (!BACKEND_NAMES.includes(backendText as BackendName)) {
    throw new UsageError(`--backend '${backendText}' is unknown; valid: ${BACKEND_NAMES.join(', ')}`);
  }
  const backend = backendText as BackendName;
  const seed = intFlag('seed', values.seed, 1, 0, 2 ** 32 - 1);
  const repeat = intFlag('repeat', values.repeat, 1, 1, 10000);
  const draws = intFlag('draws', values.draws, 0, 0, MAX_DRAWS);
  if (draws > 0 && backend !== 'model')
    throw new UsageError(`--draws needs --backend model: cost draws vary the model's profile; the ${backend} backend measures a machine`);
  if (values.sensitivity && draws < 3) throw new UsageError(`--sensitivity needs --draws 3 or more (a rank correlation over the draws); got --draws ${draws}`);
  // The sgx backend measures wall time on this machine: one case at a time unless asked.
  const workers = intFlag('workers', values.workers, backend === 'sgx' ? 1 : availableParallelism(), 1, 256);
  if (workers > 1 && isEmulatedPath(values.device))
    throw new UsageError(
      `--workers ${workers}: an emulated device (--device ${values.device}) runs one case at a time (its leak check and EPC are per process)`,
    );
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.sensitivity && shard !== undefined) {
    throw new UsageError(
      '--sensitivity cannot be combined with --shard: a shard holds only part of the cases, and its sensitivity file would not be merged; run --sensitivity without --shard',
    );
  }
  if (values.out !== undefined && !values.out.endsWith('.csv')) throw new UsageError(`--out '${values.out}' must name a .csv file`);

  let profile: ReturnType<typeof loadProfile>;
  try {
    profile = loadProfile(values.profile ?? DEFAULT_PROFILE);
  } catch (err) {
    if (err instanceof ProfileError) throw new UsageError(`--profile: ${err.message}`);
    throw err;
  }
  let drawn: ReturnType<typeof drawProfiles> = { profiles: [profile.data], vectors: [] };
  if (draws > 0) {
    const r = costRanges(profile.data);
    if ('missing' in r) {
      throw new UsageError(
        `--draws: profile '${profile.name}' has no range for cost '${r.missing}' (give every cost low and high, in ns; see docs/validation.md)`,
      );
    }
    drawn = drawProfiles(profile.data, seed, draws);
  }

  const sets = parseSets(values.set ?? []);
  const designOverride = values.design ? parseDesigns(values.design) : undefined;
  const entries: SweepEntry[] = [];

  if (values.suite !== undefined) {
    if (positionals.length > 0) throw new UsageError(`--suite cannot be combined with workload names (${positionals.join(', ')})`);
    const suite = SUITES.find((s) => s.name === values.suite);
    if (!suite) throw new UsageError(`--suite '${values.suite}' is unknown; valid suites: ${SUITES.map((s) => s.name).join(', ') || '(none)'}`);
    for (const e of suite.entries) {
      const workload = findWorkload(e.workload);
      if (!workload) throw new UsageError(`suite '${suite.name}' names unknown workload '${e.workload}'`);
      const merged = new Map<string, readonly string[]>(Object.entries(e.sets));
      for (const [k, v] of sets) if (workload.params.some((p) => p.name === k)) merged.set(k, v);
      entries.push({ workload, designs: designOverride ?? parseDesigns(e.designs), sets: merged });
    }
  } else {
    if (positionals.length === 0)
      throw new UsageError(`run needs at least one WORKLOAD or --suite NAME; workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`);
    const designs = designOverride ?? parseDesigns([PRESETS.map((p) => p.name).join(',')]);
    for (const name of positionals) {
      const workload = findWorkload(name);
      if (!workload) throw new UsageError(`unknown workload '${name}'; valid workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`);
      const own = new Map([...sets].filter(([k]) => workload.params.some((p) => p.name === k)));
      entries.push({ workload, designs, sets: own });
    }
  }
  // A --set key must belong to at least one workload of the run.
  for (const key of sets.keys()) {
    if (!entries.some((e) => e.workload.params.some((p) => p.name === key))) {
      const valid = [...new Set(entries.flatMap((e) => e.workload.params.map((p) => p.name)))].join(', ');
      throw new UsageError(`--set: unknown parameter '${key}'; valid parameters here: ${valid}`);
    }
  }

  const options: Record<string, string> = {};
  if (values.device !== undefined) {
    const problem = isEmulatedPath(values.device) ? emulatedDeviceProblem(values.device) : undefined;
    if (problem) throw new UsageError(`--device: ${problem}`);
    options['device'] = values.device;
  }
  if (values.trace !== undefined) {
    if (values.trace === '') throw new UsageError("--trace '': expected a directory");
    options['trace'] = values.trace;
    options['trace_window_ms'] = String(
      intFlag('trace-window', values['trace-window'], backend === 'model' ? DEFAULT_TRACE_WINDOW_MS : DEFAULT_WALL_TRACE_WINDOW_MS, 1, 3_600_000),
    );
  } else if (values['trace-window'] !== undefined) throw new UsageError('--trace-window needs --trace DIR');
  return {
    backend,
    workers,
    out: values.out,
    shard,
    draws,
    vectors: drawn.vectors,
    sensitivity: values.sensitivity === true,
    trace: values.trace,
    plan: { entries, backend, profile, seed, repeat, drawProfiles: drawn.profiles, options },
  };
}
