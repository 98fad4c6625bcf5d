/**
 * The hardware backend's timed loop (backends/sgx/backend.ts, a lone process): one warm-up run
 * that is not kept, then option `samples` timed runs, each contributing its own CREATE and add
 * ioctls to the rows. Checked on the emulated mainline driver, with the runs' trace track.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PRESETS } from '../../backends/designs.js';
import { backend } from '../../backends/sgx/backend.js';
import { loadProfile } from '../../backends/model/profiles.js';
import type { CaseResult, CaseSpec } from '../../backends/types.js';
import { findWorkload } from '../../workloads/index.js';
import type { TraceFile } from '../trace/validate.js';
import { skipReason } from './helpers.js';

const profile = loadProfile('skylake-client');
const build = findWorkload('build')!;
const params = { ...Object.fromEntries(build.params.map((p) => [p.name, p.default])), size: 65536 };

function spec(samples: number, trace: string): CaseSpec {
  return {
    caseId: `build-samples${samples}`,
    backend: 'sgx',
    design: 'mm-less',
    knobs: PRESETS.find((p) => p.name === 'mm-less')!.knobs,
    workload: 'build',
    profile: 'skylake-client',
    profileData: profile.data,
    params,
    seed: 1,
    repeat: 0,
    options: { device: 'emu:mainline', samples: String(samples), trace },
  };
}

const detail = (r: CaseResult, metric: string): string => (r.metrics ?? []).find((m) => m.metric === metric)?.detail ?? '';

test('emu:mainline: a lone process runs one warm-up and `samples` timed runs; the rows count the timed ones only', { skip: skipReason }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eaddbench-samples-'));
  try {
    const counts = new Map<number, { creates: number; adds: number; runs: string[] }>();
    for (const samples of [1, 3]) {
      const s = spec(samples, dir);
      const r = await backend.runCase(s);
      assert.equal(r.outcome, 'ok', r.outcome === 'ok' ? '' : r.detail);
      const creates = Number(/median of (\d+) CREATE ioctls/.exec(detail(r, 'ecreate_time'))?.[1]);
      const adds = Number(/(\d+) add ioctls/.exec(detail(r, 'ioctl_latency_p50'))?.[1]);
      const doc = JSON.parse(readFileSync(path.join(dir, `${s.caseId}.json`), 'utf8')) as TraceFile;
      const runs = doc.traceEvents.filter((e) => e.ph === 'X' && (e.name === 'warm-up' || e.name.startsWith('sample '))).map((e) => e.name);
      counts.set(samples, { creates, adds, runs });
    }
    assert.deepEqual(counts.get(1), { creates: 1, adds: counts.get(1)!.adds, runs: ['warm-up', 'sample 1'] });
    assert.ok(counts.get(1)!.adds > 0);
    assert.deepEqual(counts.get(3), { creates: 3, adds: 3 * counts.get(1)!.adds, runs: ['warm-up', 'sample 1', 'sample 2', 'sample 3'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
