/** The calibrated profile has the model's shape and marks what was measured. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile } from '../../backends/sgx/calibrate.js';
import { loadProfile, validateProfile, profileCosts } from '../../backends/model/profiles.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { readResults } from '../../reports/read.js';
import { skipReason } from './helpers.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

test('buildProfile: measured fields replaced with source "calibrate on <cpu>" and grade measured; the model accepts it', () => {
  const base = loadProfile('skylake-client').data;
  const doc = buildProfile(
    base,
    { syscall: 150, ecreate: 20000, pageUnmeasured: 4000, pageMeasured: 12000, einit: 90000, eremove: 800 },
    { cpuModel: 'Intel(R) Xeon(R) Gold 6338', kernel: '6.8.0', device: '/dev/sgx_enclave', epcBytes: 64 * 2 ** 30 + 100, samples: 20, pages: 1024 },
    'this-machine',
  );
  const valid = validateProfile('this-machine.json', doc);
  const costs = profileCosts(valid);
  assert.equal(costs.ns.eextend, 500);
  assert.equal(costs.ns.eadd, 4000);
  assert.equal(costs.ns.einit, 90000);
  assert.equal(costs.epcPages, (64 * 2 ** 30) / 4096);
  const c = doc['costs'] as Record<string, { source: string; grade: string }>;
  assert.equal(c['eadd']!.grade, 'measured');
  assert.match(c['eadd']!.source, /^calibrate on Intel\(R\) Xeon\(R\) Gold 6338 /);
  assert.notEqual(c['ewb']!.grade, 'measured', 'unmeasured costs keep the base profile grade');
  assert.equal(doc['name'], 'this-machine');
});

/**
 * The closed loop hardware → calibrate → model, on the SGX driver emulator: the emulator spins a
 * cost table chosen here (per page EADD and EEXTEND far from any shipped profile), calibrate
 * must recover it, the profile it writes must say it is emulated, and the model run with that
 * profile must predict the emulated build's wall time.
 */
const CLI = path.join(packageRoot(), 'dist', 'bench', 'cli.js');
const run = promisify(execFile);
// Per page 40 µs of EADD and 16 × 2.5 µs of EEXTEND: a calibration sample of 1024 pages lasts
// 40-80 ms, long against the time slice another runnable task takes at its end (the emulator
// absorbs a preemption inside an ADD_PAGES call, not one that delays its return).
const TEST_EADD = 40000;
const TEST_EEXTEND = 2500;
/** Attempts of the timing comparisons: the machine is shared, and one run may be starved of CPU. */
const ATTEMPTS = 2;

function testCostTable(dir: string): string {
  const doc = structuredClone(loadProfile('skylake-client').data) as { name: string; costs: Record<string, { value: number; low: number; high: number }> };
  doc.name = 'calibrate-loop-test';
  for (const [k, v] of [
    ['eadd', TEST_EADD],
    ['eextend', TEST_EEXTEND],
  ] as const)
    doc.costs[k] = { ...doc.costs[k]!, value: v, low: v / 2, high: v * 2 };
  const file = path.join(dir, 'emu-costs.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const buildTime = (csv: string): number => {
  const rows = readResults(csv).rows.filter((r) => r.metric === 'build_time_p50');
  assert.equal(rows.length, 1, `one build_time_p50 row in ${csv}`);
  assert.equal(rows[0]!.outcome, 'ok', rows[0]!.detail);
  return rows[0]!.value!;
};

/** One calibration and one prediction; the tolerance a figure misses, or undefined. Labels are asserted. */
async function closedLoop(costs: string, out: string, dir: string): Promise<string | undefined> {
  const { stdout } = await run(
    process.execPath,
    [CLI, 'calibrate', '--backend', 'sgx', '--device', 'emu:mainline', '--profile', costs, '--pages', '1024', '--samples', '5', '--out', out],
    { cwd: packageRoot() },
  );
  assert.match(stdout, /emulated: calibrated against the SGX driver emulator emu:mainline spinning profile calibrate-loop-test, not SGX hardware/);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as {
    name: string;
    description: string;
    costs: Record<string, { value: number; source: string; grade: string }>;
  };
  assert.equal(doc.name, 'emulated-calibrated');
  assert.match(doc.description, /^Calibrated on the SGX driver emulator emu:mainline \(emulated, not SGX hardware/);
  for (const [k, v] of Object.entries(doc.costs))
    if (v.grade === 'measured') assert.match(v.source, /^calibrate on the SGX driver emulator emu:mainline \(emulated, not SGX hardware/, k);
  validateProfile('p.json', doc);
  const eadd = doc.costs['eadd']!.value;
  const eextend = doc.costs['eextend']!.value;
  if (Math.abs(eadd / TEST_EADD - 1) > 0.1) return `eadd ${eadd} ns recovered, configured ${TEST_EADD} ns (±10 %)`;
  if (Math.abs(eextend / TEST_EEXTEND - 1) > 0.1) return `eextend ${eextend} ns recovered, configured ${TEST_EEXTEND} ns (±10 %)`;

  // 4 MiB (1024 measured pages, about 0.08 s of spun costs); docs/hardware-backend.md gives the 64 MiB figure.
  const common = ['run', 'build', '--design', 'mm-less', '--set', 'size=4MiB', '--set', 'measure=1'];
  await run(process.execPath, [CLI, ...common, '--backend', 'sgx', '--device', 'emu:mainline', '--profile', costs, '--out', path.join(dir, 'emu.csv')], {
    cwd: packageRoot(),
  });
  await run(process.execPath, [CLI, ...common, '--backend', 'model', '--profile', out, '--out', path.join(dir, 'model.csv')], { cwd: packageRoot() });
  const emulated = buildTime(path.join(dir, 'emu.csv'));
  const predicted = buildTime(path.join(dir, 'model.csv'));
  if (Math.abs(predicted / emulated - 1) > 0.15)
    return `the model with the calibrated profile predicts ${predicted} ns, the emulator took ${emulated} ns (±15 %)`;
  return undefined;
}

test('calibrate --device emu:mainline recovers the emulator per-page costs (±10 %), labels the profile emulated, and the model with it predicts the emulated build (±15 %)', {
  skip: skipReason,
}, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-cal-'));
  try {
    const costs = testCostTable(dir);
    const out = path.join(dir, 'p.json');
    const failures: string[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const problem = await closedLoop(costs, out, dir);
      if (problem === undefined) return;
      failures.push(`attempt ${attempt}: ${problem}`);
    }
    assert.fail(failures.join('; '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('calibrate: --device emu:nosuch and --profile without an emulated device exit 2 naming the flag', { skip: skipReason }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-cal-'));
  try {
    const out = path.join(dir, 'p.json');
    for (const [args, message] of [
      [['--device', 'emu:nosuch'], /--device: unknown emulated device 'emu:nosuch'; valid emulated devices: emu:mainline, emu:isgx/],
      [['--profile', 'skylake-client'], /--profile is for an emulated device/],
    ] as const) {
      await assert.rejects(
        run(process.execPath, [CLI, 'calibrate', '--backend', 'sgx', ...args, '--out', out], { cwd: packageRoot() }),
        (e: { code?: number; stderr?: string }) => {
          assert.equal(e.code, 2);
          assert.match(e.stderr ?? '', message);
          return true;
        },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
