/** Without SGX the backend skips with the reason; device choice, permissions and design verdicts. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backend, unavailableReason } from '../../backends/sgx/backend.js';
import { chooseDevice, inspectDevice, parseCpuinfo, probe, type Probe } from '../../backends/sgx/detect.js';
import { designVerdict, scenarioVerdict } from '../../backends/sgx/compat.js';
import { PRESETS, addBatch as batchPages } from '../../backends/designs.js';
import type { CaseSpec } from '../../backends/types.js';

const hasSgx = probe().devices.some((d) => d.exists);
const knobs = (name: string) => PRESETS.find((p) => p.name === name)!.knobs;

function spec(device?: string): CaseSpec {
  return {
    caseId: 'x',
    backend: 'sgx',
    design: 'mm-less',
    knobs: knobs('mm-less'),
    workload: 'build',
    profile: 'machine',
    profileData: {},
    params: { size: 65536, measure: 1, batch: 1048576, init: 0, secs_size: 0 },
    seed: 1,
    repeat: 0,
    options: device ? { device } : {},
  };
}

test('on a machine without SGX, runCase is skipped with the reason, quickly, and never runs anything', async (t) => {
  if (hasSgx) return t.skip('this machine has an SGX device');
  const t0 = Date.now();
  const r = await backend.runCase(spec());
  assert.ok(r.outcome === 'skipped', r.outcome);
  assert.match(r.detail, /no SGX device: \/dev\/sgx_enclave and \/dev\/isgx absent/);
  assert.ok(!('metrics' in r) || (r.metrics ?? []).length === 0, 'no numbers are invented');
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(backend.clock, 'wall');
  assert.match(unavailableReason() ?? '', /no SGX device/);
});

test('--device pointing at a path that does not exist, or at a regular file, is skipped with why', async () => {
  const r = await backend.runCase(spec('/dev/no-such-sgx'));
  assert.ok(r.outcome === 'skipped');
  assert.match(r.detail, /device \/dev\/no-such-sgx does not exist/);
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-'));
  try {
    const f = path.join(dir, 'plain');
    writeFileSync(f, '');
    const r2 = await backend.runCase(spec(f));
    assert.ok(r2.outcome === 'skipped' && /not a character device, so not an SGX device/.test(r2.detail));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const fakeProbe = (devices: Probe['devices'], sgx = true): Probe => ({
  cpuModel: 'X',
  flags: { sgx, sgx_lc: sgx },
  kernel: '6.1',
  devices,
  binding: { built: true },
});

test('a device without permission suggests the group that owns it', () => {
  const p = fakeProbe([
    {
      path: '/dev/sgx_enclave',
      driver: 'mainline',
      exists: true,
      accessible: false,
      group: 'sgx',
      mode: 'crw-rw---- root:sgx',
      problem:
        'no permission to open /dev/sgx_enclave (crw-rw---- root:sgx); add your user to the group that owns it: sudo usermod -aG sgx $USER, then log in again',
    },
    { path: '/dev/isgx', driver: 'isgx', exists: false, accessible: false },
  ]);
  const c = chooseDevice(p);
  assert.ok(!c.ok && /usermod -aG sgx/.test(c.reason));
  const ok = chooseDevice(fakeProbe([{ path: '/dev/isgx', driver: 'isgx', exists: true, accessible: true }]));
  assert.deepEqual(ok, { ok: true, path: '/dev/isgx', driver: 'isgx' });
  const none = chooseDevice(fakeProbe([], false));
  assert.ok(!none.ok && none.reason === 'no SGX device: /dev/sgx_enclave and /dev/isgx absent; CPU flag sgx not set');
});

test('inspectDevice: the null device is a character device this process can open', () => {
  const d = inspectDevice('/dev/null', 'mainline');
  assert.equal(d.charDevice, true);
  assert.equal(d.accessible, true);
  assert.match(d.mode ?? '', /^crw-rw-rw- root:/);
});

test('parseCpuinfo finds the model and the sgx flags', () => {
  const c = parseCpuinfo('processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6338\nflags\t\t: fpu vme sgx sgx_lc avx\n');
  assert.equal(c.model, 'Intel(R) Xeon(R) Gold 6338');
  assert.ok(c.flags.has('sgx') && c.flags.has('sgx_lc'));
});

test('designs: mainline runs mm-less at any batch; per-mm, attach and per-mm-sync are skipped with the reason', () => {
  assert.deepEqual(designVerdict('mm-less', knobs('mm-less'), 'mainline', '/dev/sgx_enclave'), { run: true });
  assert.deepEqual(designVerdict('b', { ...knobs('mm-less'), batch: 16 }, 'mainline', '/dev/sgx_enclave'), { run: true });
  const perMm = designVerdict('per-mm', knobs('per-mm'), 'mainline', '/dev/sgx_enclave');
  assert.ok(!perMm.run && perMm.outcome === 'skipped' && /what \/dev\/isgx does/.test(perMm.detail));
  for (const d of ['attach', 'per-mm-sync']) {
    const v = designVerdict(d, knobs(d), 'mainline', '/dev/sgx_enclave');
    assert.ok(!v.run && /no real counterpart/.test(v.detail), d);
  }
  assert.deepEqual(designVerdict('per-mm', knobs('per-mm'), 'isgx', '/dev/isgx'), { run: true });
  assert.ok(!designVerdict('mm-less', knobs('mm-less'), 'isgx', '/dev/isgx').run);
});

test('scenarios: sharing across mms is rejected for mm binding; batch = min(workload, design)', () => {
  const s = { processes: [], background: [], needs: { sharedMms: 3 } };
  const v = scenarioVerdict(s, knobs('per-mm'));
  assert.ok(!v.run && v.outcome === 'rejected' && /mms=3;/.test(v.detail));
  assert.deepEqual(scenarioVerdict(s, knobs('mm-less')), { run: true });
  assert.equal(batchPages(knobs('mm-less'), 1048576), 1048576);
  assert.equal(batchPages({ ...knobs('mm-less'), batch: 16 }, 1048576), 16);
  assert.equal(batchPages({ ...knobs('mm-less'), batch: 16 }, 4), 4);
});
