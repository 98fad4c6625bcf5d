/**
 * One scenario per case for both backends (backends/scenario.ts), seeded from (seed, repeat):
 * the repeats of a hardware case replay different arrivals, and the same seed and repeat replay
 * the same ones. End to end on the emulated mainline driver: the handover clients' `think`
 * slices in the case's trace carry the arrival gaps the hardware actually waited for.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRESETS } from '../../backends/designs.js';
import { scenarioFor, scenarioSeed } from '../../backends/scenario.js';
import { backend } from '../../backends/sgx/backend.js';
import { loadProfile } from '../../backends/model/profiles.js';
import type { CaseSpec } from '../../backends/types.js';
import { findWorkload } from '../../workloads/index.js';
import type { Scenario } from '../../workloads/types.js';
import type { TraceFile } from '../trace/validate.js';
import { skipReason } from './helpers.js';

const profile = loadProfile('skylake-client');
const handover = findWorkload('handover')!;
// Small enclaves, three clients arriving 10 µs apart on average: the case takes milliseconds.
const params = { ...Object.fromEntries(handover.params.map((p) => [p.name, p.default])), size: 65536, clients: 3, pool: 1, rate: 1e5 };

function spec(seed: number, repeat: number, trace = ''): CaseSpec {
  return {
    caseId: `handover-s${seed}-r${repeat}`,
    backend: 'sgx',
    design: 'mm-less',
    knobs: PRESETS.find((p) => p.name === 'mm-less')!.knobs,
    workload: 'handover',
    profile: 'skylake-client',
    profileData: profile.data,
    params,
    seed,
    repeat,
    options: { device: 'emu:mainline', samples: '1', ...(trace ? { trace } : {}) },
  };
}

/** The arrival gaps (ns) a scenario's processes wait for, in order. */
function thinks(sc: Scenario): number[] {
  return sc.processes.flatMap((p) => p.ops.flatMap((o) => (o.op === 'think' ? [o.ns] : []))).sort((a, b) => a - b);
}

function planned(seed: number, repeat: number): number[] {
  const made = scenarioFor(spec(seed, repeat));
  assert.ok(made.ok);
  return thinks(made.scenario);
}

test('scenarioFor: repeats of a case differ, the same seed and repeat give the same scenario, repeat 0 is the seed itself', () => {
  assert.equal(planned(1, 0).length, 3);
  assert.notDeepEqual(planned(1, 0), planned(1, 1));
  assert.deepEqual(planned(1, 1), planned(1, 1));
  assert.equal(scenarioSeed(7, 0), 7);
  assert.deepEqual(planned(7, 0), thinks(handover.generate(params, 7)));
  const bad = scenarioFor({ ...spec(1, 0), workload: 'nope' });
  assert.deepEqual(bad, { ok: false, detail: "unknown workload 'nope'" });
});

test('emu:mainline: two repeats of a hardware case wait for different arrivals; the same seed and repeat for the same', { skip: skipReason }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eaddbench-repeats-'));
  try {
    const traced = async (seed: number, repeat: number, sub: string): Promise<number[]> => {
      const s = spec(seed, repeat, path.join(dir, sub));
      const r = await backend.runCase(s);
      assert.equal(r.outcome, 'ok', r.outcome === 'ok' ? '' : r.detail);
      const doc = JSON.parse(readFileSync(path.join(dir, sub, `${s.caseId}.json`), 'utf8')) as TraceFile;
      return doc.traceEvents
        .filter((e) => e.ph === 'X' && e.name === 'think')
        .map((e) => Number(e.args?.['ns']))
        .sort((a, b) => a - b);
    };
    const first = await traced(1, 0, 'a');
    const second = await traced(1, 1, 'a');
    const again = await traced(1, 0, 'b');
    assert.deepEqual(first, planned(1, 0));
    assert.deepEqual(second, planned(1, 1));
    assert.notDeepEqual(first, second);
    assert.deepEqual(again, first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
