/**
 * mm-less ioctl semantics on hand-written scenarios (reference §2.1–2.2): a concurrent ioctl
 * on the same enclave fd gets EBUSY (and the caller retries), and a process exit (a pending
 * signal) ends an ADD_PAGES call early with a partial count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../backends/model/scenario-runner.js';
import { profileCosts } from '../../backends/model/profiles.js';
import type { Op, Scenario } from '../../workloads/types.js';
import { metric, spec } from './helpers.js';

const PAGES = 256;
const add = (offset: number, pages: number): Op => ({ op: 'add', enclave: 1, offset, pages, type: 'reg', perm: 3, measure: 0xffff });

function run(design: string, sc: Scenario) {
  const s = spec('build', design);
  return simulate(s, sc, profileCosts(s.profileData));
}

test('mm-less: two threads adding to one enclave fd at once: one gets EBUSY, retries, and every page is added once', () => {
  const sc: Scenario = {
    processes: [
      {
        pid: 1,
        name: 'a',
        role: 'builder',
        mm: 1,
        startNs: 0,
        ops: [{ op: 'create', enclave: 1, size: 2 * PAGES * 4096 }, { op: 'barrier', name: 'created', count: 2 }, add(0, PAGES)],
      },
      { pid: 2, name: 'b', role: 'builder', mm: 1, startNs: 0, ops: [{ op: 'barrier', name: 'created', count: 2 }, add(PAGES, PAGES)] },
    ],
    background: [],
    needs: {},
  };
  const sim = run('mm-less', sc);
  assert.equal(sim.result.outcome, 'ok', sim.result.outcome === 'ok' ? '' : sim.result.detail);
  assert.deepEqual(sim.problems, []);
  assert.ok(metric(sim.result, 'ebusy') >= 1, 'a concurrent ioctl on the same fd gets EBUSY');
  assert.equal(metric(sim.result, 'pages_added'), 2 * PAGES);
  // Per-mm has no per-fd exclusivity: the same scenario sees no EBUSY. (The enclave is mapped
  // first, as the per-mm ABI needs, and both threads wait for the queued adds before they end,
  // so that every page is added rather than dropped at exit.)
  const settle: Op = { op: 'settle', enclave: 1 };
  const perMm = run('per-mm', {
    ...sc,
    processes: sc.processes.map((p) => ({ ...p, ops: p.pid === 1 ? [p.ops[0]!, { op: 'map', enclave: 1 }, ...p.ops.slice(1), settle] : [...p.ops, settle] })),
  });
  assert.equal(perMm.result.outcome, 'ok', perMm.result.outcome === 'ok' ? '' : perMm.result.detail);
  assert.equal(metric(perMm.result, 'ebusy'), 0);
});

test('mm-less: the process exits during a long ADD_PAGES call: the call ends early with a partial count', () => {
  const big = 4096;
  const sc: Scenario = {
    processes: [
      { pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops: [{ op: 'create', enclave: 1, size: big * 4096 }, add(0, big)] },
      // Another thread of the same process calls exit() 20 ms in (about 800 measured pages).
      { pid: 2, name: 'exiter', role: 'owner', mm: 1, startNs: 0, ops: [{ op: 'think', ns: 20_000_000 }, { op: 'exit' }] },
    ],
    background: [],
    needs: {},
  };
  const sim = run('mm-less', sc);
  assert.equal(sim.result.outcome, 'ok', sim.result.outcome === 'ok' ? '' : sim.result.detail);
  assert.deepEqual(sim.problems, []);
  const added = metric(sim.result, 'pages_added');
  assert.ok(added > 0 && added < big, `partial count: ${added} of ${big} pages`);
  // Without the exit the whole range is added.
  const whole = run('mm-less', { ...sc, processes: [sc.processes[0]!] });
  assert.equal(metric(whole.result, 'pages_added'), big);
});

test('per-mm: adds whose ioctl returned 0 are dropped when the VMA goes before the worker runs them', () => {
  const n = 64;
  const owner = (ops: Op[]): Scenario => ({ processes: [{ pid: 1, name: 'owner', role: 'owner', mm: 1, startNs: 0, ops }], background: [], needs: {} });
  // Every ADD_PAGE ioctl returns 0 (the page is only queued); the owner then unmaps at once.
  const sim = run(
    'per-mm',
    owner([{ op: 'create', enclave: 1, size: 2 * n * 4096 }, { op: 'map', enclave: 1 }, add(0, n), { op: 'unmap', enclave: 1 }, { op: 'exit' }]),
  );
  assert.equal(sim.result.outcome, 'ok', sim.result.outcome === 'ok' ? '' : sim.result.detail);
  const e = sim.kernel.enclaves.get(1)!;
  assert.equal(e.reqCount, n, 'every ioctl was accepted');
  assert.ok(e.skipRest, 'a request failed in the worker');
  assert.ok(e.addCount > 0 && e.addCount < n, `EADD ran for ${e.addCount} of ${n} accepted pages`);
  // mm-less: the adds are done inside the ioctl, so the unmap afterwards changes nothing.
  const mmLess = run('mm-less', owner([{ op: 'create', enclave: 1, size: 2 * n * 4096 }, add(0, n), { op: 'exit' }]));
  assert.equal(mmLess.kernel.enclaves.get(1)!.addCount, n);
});
