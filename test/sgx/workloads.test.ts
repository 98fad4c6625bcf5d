/**
 * Every registered workload on the hardware backend: what each driver would do with it (run,
 * skipped or rejected, with the reason), and — on a machine without SGX — a `skipped` row with
 * the reason from the backend and from the CLI (exit 0).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKLOADS, findWorkload } from '../../workloads/index.js';
import type { ParamValues } from '../../workloads/types.js';
import { PRESETS } from '../../backends/designs.js';
import { planScripts, scenarioVerdict } from '../../backends/sgx/compat.js';
import type { Driver } from '../../backends/sgx/detect.js';
import { backend } from '../../backends/sgx/backend.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { probe } from '../../backends/sgx/detect.js';
import type { CaseSpec } from '../../backends/types.js';

const root = packageRoot();
const REPLAY_FILE = path.join(root, 'workloads', 'streams', 'example.sgxs');
const hasSgx = probe().devices.some((d) => d.exists);
const knobsOf = (name: string) => PRESETS.find((p) => p.name === name)!.knobs;
/** The preset each driver implements (backends/sgx/compat.ts). */
const DESIGN: Record<Driver, string> = { mainline: 'mm-less', isgx: 'per-mm' };

function defaults(name: string, over: Record<string, number | string> = {}): ParamValues {
  const w = findWorkload(name)!;
  const v: Record<string, number | string> = Object.fromEntries(w.params.map((p) => [p.name, p.default]));
  if (name === 'replay') v['file'] = REPLAY_FILE;
  return { ...v, ...over };
}

/** What the hardware would do with a workload before any syscall: 'run' or the outcome and reason. */
function verdict(name: string, driver: Driver, over: Record<string, number | string> = {}): { outcome: string; detail: string } {
  const s = findWorkload(name)!.generate(defaults(name, over), 1);
  const sv = scenarioVerdict(s, knobsOf(DESIGN[driver]));
  if (!sv.run) return { outcome: sv.outcome, detail: sv.detail };
  const plan = planScripts(s, driver);
  return plan.run ? { outcome: 'run', detail: '' } : { outcome: plan.outcome, detail: plan.detail };
}

const EXPECTED: { name: string; over?: Record<string, number | string>; mainline: [string, RegExp?]; isgx: [string, RegExp?] }[] = [
  { name: 'build', mainline: ['run'], isgx: ['run'] },
  { name: 'build', over: { init: 0 }, mainline: ['run'], isgx: ['skipped', /settle \(enclave 1\): isgx offers no way to wait for queued adds without EINIT/] },
  { name: 'concurrent', mainline: ['run'], isgx: ['run'] },
  { name: 'mmap-contention', mainline: ['run'], isgx: ['run'] },
  { name: 'handover', mainline: ['run'], isgx: ['run'] },
  { name: 'handover', over: { init: 0 }, mainline: ['run'], isgx: ['skipped', /isgx offers no way to wait for queued adds without EINIT/] },
  { name: 'shared', mainline: ['run'], isgx: ['rejected', /binding=mm: .* cannot be mapped by other mms \(mms=2;/] },
  { name: 'shared', over: { mms: 1 }, mainline: ['run'], isgx: ['run'] },
  { name: 'epc-pressure', mainline: ['run'], isgx: ['run'] },
  { name: 'teardown', mainline: ['run'], isgx: ['run'] },
  {
    name: 'teardown',
    over: { mode: 'exit' },
    mainline: ['skipped', /owner exits the process while other threads of its mm work/],
    isgx: ['skipped', /owner exits the process/],
  },
  {
    name: 'epc-pressure',
    over: { churn: 100 },
    mainline: ['skipped', /background activity in mm 1, 2.* alongside other processes/],
    isgx: ['skipped', /alongside other processes/],
  },
  { name: 'replay', mainline: ['run'], isgx: ['run'] },
];

test('the table covers every registered workload', () => {
  assert.deepEqual([...new Set(EXPECTED.map((e) => e.name))].sort(), WORKLOADS.map((w) => w.name).sort());
});

for (const e of EXPECTED) {
  for (const driver of ['mainline', 'isgx'] as const) {
    test(`${e.name}${e.over ? ' ' + JSON.stringify(e.over) : ''} on ${driver}: ${e[driver][0]}`, () => {
      const v = verdict(e.name, driver, e.over);
      assert.equal(v.outcome, e[driver][0], v.detail);
      if (e[driver][1]) assert.match(v.detail, e[driver][1]);
    });
  }
}

function spec(workload: string): CaseSpec {
  const params = defaults(workload);
  return {
    caseId: 'x',
    backend: 'sgx',
    design: 'mm-less',
    knobs: knobsOf('mm-less'),
    workload,
    profile: 'machine',
    profileData: {},
    params,
    seed: 1,
    repeat: 0,
    options: {},
  };
}

test('without SGX, every workload is a skipped case with the reason and no numbers', async (t) => {
  if (hasSgx) return t.skip('this machine has an SGX device');
  for (const w of WORKLOADS) {
    const r = await backend.runCase(spec(w.name));
    if (r.outcome !== 'skipped') return assert.fail(`${w.name}: ${r.outcome}`);
    assert.match(r.detail, /no SGX device/, w.name);
    assert.equal((r.metrics ?? []).length, 0, w.name);
  }
});

test('without SGX, `run <workload> --backend sgx` exits 0 with only skipped rows naming the reason, for every workload', async (t) => {
  if (hasSgx) return t.skip('this machine has an SGX device');
  const run = promisify(execFile);
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-sgx-wl-'));
  try {
    await Promise.all(
      WORKLOADS.map(async (w) => {
        const out = path.join(dir, `${w.name}.csv`);
        // execFile rejects on a non-zero exit, so resolving means exit 0.
        await run(process.execPath, [path.join(root, 'dist', 'bench', 'cli.js'), 'run', w.name, '--backend', 'sgx', '--out', out], { cwd: root });
        const lines = readFileSync(out, 'utf8').trim().split('\n');
        const header = lines[0]!.split(',');
        const rows = lines.slice(1);
        assert.ok(rows.length > 0, w.name);
        const oi = header.indexOf('outcome');
        for (const row of rows) {
          assert.equal(row.split(',')[oi], 'skipped', `${w.name}: ${row}`);
          assert.match(row, /no SGX device/, w.name);
        }
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
