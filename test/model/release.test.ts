/**
 * Enclave release as the real drivers do it (reference §1.7, issue: model fidelity §1).
 * isgx: every queued ADD_PAGE request holds a reference (__sgx_encl_add_page: kref_get);
 * sgx_vma_close marks the enclave dead and drops one; sgx_encl_release has no flush_work, so
 * the last put may run in the worker and nothing deadlocks. Only the hypothetical
 * release=sync (flush queued adds under the unmapper's mmap_sem) can deadlock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS, parseDesign } from '../../backends/designs.js';
import { runCaseSync } from '../../backends/model/backend.js';
import { simulate } from '../../backends/model/scenario-runner.js';
import { profileCosts } from '../../backends/model/profiles.js';
import type { Op, Scenario } from '../../workloads/types.js';
import { MiB, metric, spec } from './helpers.js';

test('every preset releases at the last reference (release=ref), as both real drivers do', () => {
  for (const p of PRESETS) assert.equal(p.knobs.release, 'ref', p.name);
  assert.equal(parseDesign('per-mm,release=sync').knobs.release, 'sync');
  assert.equal(parseDesign('per-mm,release=deferred').name, 'per-mm,release=deferred');
});

test('teardown completes on every preset and on release=deferred, in both modes', () => {
  for (const design of [...PRESETS.map((p) => p.name), 'per-mm,release=deferred']) {
    for (const mode of ['unmap', 'exit']) {
      const r = runCaseSync(spec('teardown', design, { mode }));
      assert.equal(r.outcome, 'ok', `${design} ${mode}: ${r.outcome === 'ok' ? '' : r.detail}`);
      assert.ok(metric(r, 'teardown_time') > 0, `${design} ${mode}: teardown_time`);
    }
  }
});

test('hypothetical release=sync deadlocks in both modes, with the wait-for cycle through mmap_sem and flush_work', () => {
  for (const mode of ['unmap', 'exit']) {
    const r = runCaseSync(spec('teardown', 'per-mm,release=sync', { mode }));
    assert.equal(r.outcome, 'deadlock', mode);
    assert.match(r.outcome === 'deadlock' ? r.detail : '', /mmap_sem\(mm1\) \[write\].*flush_work.*mmap_sem\(mm1\) \[read\]/);
  }
});

const add = (offset: number, pages: number): Op => ({ op: 'add', enclave: 1, offset, pages, type: 'reg', perm: 3, measure: 0xffff });

function run(design: string, sc: Scenario) {
  const s = spec('build', design);
  return simulate(s, sc, profileCosts(s.profileData));
}

test('per-mm: the owner unmaps with adds queued; the worker drops the rest and the last put releases the enclave in the worker', () => {
  const n = 256;
  const sc: Scenario = {
    processes: [
      {
        pid: 1,
        name: 'owner',
        role: 'owner',
        mm: 1,
        startNs: 0,
        ops: [{ op: 'create', enclave: 1, size: n * 4096 }, { op: 'map', enclave: 1 }, add(0, n), { op: 'unmap', enclave: 1 }, { op: 'exit' }],
      },
    ],
    background: [],
    needs: {},
  };
  const sim = run('per-mm', sc);
  assert.equal(sim.result.outcome, 'ok', sim.result.outcome === 'ok' ? '' : sim.result.detail);
  assert.deepEqual(sim.problems, []);
  const e = sim.kernel.enclaves.get(1)!;
  assert.equal(e.reqCount, n, 'every ioctl queued its page');
  assert.ok(e.addCount < n, `EADD ran for ${e.addCount} of ${n}: the rest were skipped after SGX_ENCL_DEAD`);
  assert.ok(e.released, 'released');
  assert.equal(e.refs, 0);
  assert.equal(e.requestRefs, 0, 'every request dropped its reference');
  assert.equal(sim.kernel.epc.free, sim.kernel.epc.total, 'every EPC page is back');
  // The release ran after the unmap returned: teardown_time spans the worker's drain and release.
  const t = metric(sim.result, 'teardown_time');
  const ns = profileCosts(spec('build', 'per-mm').profileData).ns;
  const skipped = n - e.addCount;
  assert.ok(t >= skipped * ns.kzalloc + (e.addCount + 1) * ns.eremove, `teardown_time ${t} ns covers ${skipped} dropped requests and the EREMOVEs`);
});

test('a build sends no IPIs: no enclave thread runs while it is built', () => {
  for (const p of PRESETS) {
    const r = runCaseSync(spec('build', p.name, { size: 8 * MiB }));
    assert.equal(metric(r, 'ipis'), 0, p.name);
  }
});
