/**
 * Speed and memory of the model (wall clock of this machine):
 *  - a 1 GiB fully measured build (262,144 pages) on skylake-client, per design preset (tinybench);
 *  - peak resident memory of a 64 GiB build on icelake-server, measured in a child process so
 *    the figure is that run's own RSS.
 * `npm run bench:model -- --json` prints one JSON object; without --json a short table.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { PRESETS } from '../../backends/designs.js';
import { runCaseSync } from '../../backends/model/backend.js';
import { modelCase } from '../../backends/model/case.js';
import type { CaseSpec } from '../../backends/types.js';

const GiB = 1024 ** 3;

/** The fully measured build of `size` bytes on `design` (backends/model/case.ts). */
function buildSpec(design: string, profile: string, size: number): CaseSpec {
  return modelCase('build', design, { size, measure: 1 }, profile, 1, 0, 'bench');
}

/** Child mode: run the 64 GiB case and print its own peak RSS. */
function child(design: string): void {
  const t0 = performance.now();
  const r = runCaseSync(buildSpec(design, 'icelake-server', 64 * GiB));
  const wallMs = performance.now() - t0;
  process.stdout.write(
    JSON.stringify({ outcome: r.outcome, wall_ms: Math.round(wallMs), peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n',
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childAt = args.indexOf('--child-64g');
  if (childAt >= 0) {
    child(args[childAt + 1] ?? 'mm-less');
    return;
  }
  const json = args.includes('--json');
  const designs = PRESETS.map((p) => p.name);
  const bench = new Bench({ iterations: 3, time: 0, warmup: true, warmupIterations: 1 });
  for (const d of designs) {
    const spec = buildSpec(d, 'skylake-client', GiB);
    bench.add(`build 1GiB measured ${d}`, () => {
      const r = runCaseSync(spec);
      if (r.outcome !== 'ok') throw new Error(`${d}: ${r.outcome}`);
    });
  }
  await bench.run();
  const build: Record<string, { mean_ms: number; p50_ms: number; max_ms: number; samples: number }> = {};
  for (const t of bench.tasks) {
    const res = t.result as unknown as { state?: string; latency?: { mean: number; p50?: number; max: number; samplesCount: number } };
    if (!res.latency) throw new Error(`${t.name}: ${res.state ?? 'no result'}`);
    build[t.name.replace('build 1GiB measured ', '')] = {
      mean_ms: Math.round(res.latency.mean),
      p50_ms: Math.round(res.latency.p50 ?? res.latency.mean),
      max_ms: Math.round(res.latency.max),
      samples: res.latency.samplesCount,
    };
  }
  const self = fileURLToPath(import.meta.url);
  const rss: Record<string, unknown> = {};
  for (const d of ['mm-less']) {
    const out = spawnSync(process.execPath, [self, '--child-64g', d], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (out.status !== 0) throw new Error(`64 GiB child failed: ${out.stderr}`);
    rss[d] = JSON.parse(out.stdout.trim().split('\n').pop()!);
  }
  const result = {
    clock: 'wall',
    build_1gib_measured_skylake_client: build,
    build_64gib_measured_icelake_server: rss,
    targets: { build_1gib_ms: 1000, peak_rss_64gib_mib: 2048 },
  };
  if (json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  for (const [d, v] of Object.entries(build))
    console.log(`build 1 GiB measured (skylake-client, ${d}): mean ${v.mean_ms} ms wall, p50 ${v.p50_ms} ms, max ${v.max_ms} ms (${v.samples} runs)`);
  for (const [d, v] of Object.entries(rss)) console.log(`build 64 GiB measured (icelake-server, ${d}): ${JSON.stringify(v)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
