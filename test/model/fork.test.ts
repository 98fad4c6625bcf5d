/**
 * fork() of a process that maps an enclave, as each driver's code does it. Mainline: `sgx_mmap`
 * sets no VM_DONTCOPY, so `dup_mmap` copies the VMA and `sgx_vma_open` → `sgx_encl_mm_add` puts
 * the child's mm on the enclave's list (reclaim walks it; its exit runs
 * `sgx_mmu_notifier_release`), and the child holds file references (its VMA's and its fd's).
 * isgx: `sgx_mmap` sets VM_DONTCOPY, so the child has no VMA (its access is a SIGSEGV) and its
 * exit leaves the enclave alone. Each test fails on the model before the fork op existed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejection, simulate } from '../../backends/model/scenario-runner.js';
import { checkScenario, runCaseSync } from '../../backends/model/backend.js';
import { profileCosts, type Costs } from '../../backends/model/profiles.js';
import { planScripts, scenarioVerdict } from '../../backends/sgx/compat.js';
import { findPreset } from '../../backends/designs.js';
import { findWorkload } from '../../workloads/index.js';
import type { Op, ProcessScript, Scenario } from '../../workloads/types.js';
import { metric, spec } from './helpers.js';

const N = 64; // pages of the forked enclave
const add = (enclave: number, offset: number, pages: number): Op => ({ op: 'add', enclave, offset, pages, type: 'reg', perm: 3, measure: 0 });
const build = (enclave: number, pages: number): Op[] => [
  { op: 'create', enclave, size: 2 ** Math.ceil(Math.log2(pages * 4096)) },
  add(enclave, 0, pages),
  { op: 'init', enclave },
];
const proc = (pid: number, ops: Op[], forkedBy?: number): ProcessScript => ({
  pid,
  name: `p${pid}`,
  role: 'owner',
  mm: pid,
  startNs: 0,
  ops,
  ...(forkedBy === undefined ? {} : { forkedBy }),
});

function run(design: string, sc: Scenario, tweak: (c: Costs) => Costs = (c) => c) {
  const s = spec('build', design);
  const sim = simulate(s, sc, tweak(profileCosts(s.profileData)));
  assert.equal(sim.result.outcome, 'ok', sim.result.outcome === 'ok' ? '' : sim.result.detail);
  assert.deepEqual(sim.problems, []);
  return sim;
}

const withSrcu =
  (delta: number) =>
  (c: Costs): Costs => ({ ...c, ns: { ...c.ns, srcu_sync: c.ns.srcu_sync + delta } });
const resultMetric = (sim: ReturnType<typeof run>, name: string): number => metric(sim.result, name);

/**
 * The owner builds and maps enclave 1 (N pages nobody touches, so none is young), forks (or
 * not) one child, then a process with no mapping builds enclave 2, as big as the EPC: the
 * global active list is FIFO, so all N pages of enclave 1 are written back once, before any of
 * enclave 2's (whose list is empty: no mm walk).
 */
function pressure(forked: boolean): Scenario {
  const all = forked ? 3 : 2;
  const owner: Op[] = [
    ...build(1, N),
    { op: 'map', enclave: 1 },
    ...(forked ? [{ op: 'fork', child: 2 } as Op] : []),
    { op: 'barrier', name: 'forked', count: all },
    { op: 'barrier', name: 'pressured', count: all },
    { op: 'exit' },
  ];
  const child: Op[] = [{ op: 'barrier', name: 'forked', count: all }, { op: 'barrier', name: 'pressured', count: all }, { op: 'exit' }];
  const hog: Op[] = [{ op: 'barrier', name: 'forked', count: all }, ...build(2, 23936), { op: 'barrier', name: 'pressured', count: all }, { op: 'exit' }];
  return { processes: [proc(1, owner), ...(forked ? [proc(2, child, 1)] : []), proc(3, hog)], background: [], needs: {} };
}

test('mainline: after fork the child mm is on the enclave list: reclaim zaps and ages each page in both mms (sgx_vma_open → sgx_encl_mm_add)', () => {
  const alone = run('mm-less', pressure(false));
  const forked = run('mm-less', pressure(true));
  // One TLB shootdown per (evicted page of enclave 1, mm on its list): each mm has one thread,
  // so one target each; enclave 2 has no mm, and with no thread inside no EWB sends an IPI.
  assert.equal(alone.kernel.metrics.ipis, N, 'one mm: one zap per page');
  assert.equal(forked.kernel.metrics.ipis, 2 * N, 'the child mm too: two zaps per page');
  // sgx_reclaimer_age and sgx_reclaimer_block walk one more mm per page: count each walk by
  // the reclaim time one more ns of its cost adds (Δ far above the lock-contention jitter).
  const delta = 1e6;
  const walks = (forked: boolean, key: 'age' | 'pte_zap'): number => {
    const base = run('mm-less', pressure(forked)).kernel.metrics.reclaimNs;
    const more = run('mm-less', pressure(forked), (c) => ({ ...c, ns: { ...c.ns, [key]: c.ns[key] + delta } })).kernel.metrics.reclaimNs;
    return Math.round((more - base) / delta);
  };
  assert.equal(walks(false, 'age'), N, 'sgx_encl_test_and_clear_young: once per page in one mm');
  assert.equal(walks(true, 'age'), 2 * N, 'and once more in the child mm');
  assert.equal(walks(true, 'pte_zap'), 2 * N, 'sgx_zap_enclave_ptes: both mms');
});

test('mainline: the child touches its inherited mapping; on isgx (VM_DONTCOPY) it has none: SIGSEGV', () => {
  const sc = (design: string): Scenario => ({
    processes: [
      proc(1, [
        ...build(1, N),
        ...(design === 'per-mm' ? [] : [{ op: 'map', enclave: 1 } as Op]),
        { op: 'fork', child: 2 },
        { op: 'think', ns: 1e7 },
        { op: 'exit' },
      ]),
      proc(2, [{ op: 'touch', enclave: 1, offset: 0, pages: N }, { op: 'exit' }], 1),
    ],
    background: [],
    needs: {},
  });
  const main = run('mm-less', sc('mm-less'));
  assert.equal(main.kernel.mms.get(2)!.segv, false, 'mainline child runs its touch and exits');
  const isgx = run('per-mm', sc('per-mm'));
  const child = isgx.kernel.mms.get(2)!;
  assert.equal(child.segv, true, 'isgx child: no enclave VMA, the access is a SIGSEGV');
  assert.equal(child.mapped.size, 0);
  const e = isgx.kernel.enclaves.get(1)!;
  assert.ok(e.initialized, 'the child neither used nor killed the enclave (no sgx_vma_open, no sgx_vma_close)');
  assert.ok(e.released, 'released at the owner exit');
});

test('isgx: the child exit does not mark the enclave dead; the owner EINITs after it (sgx_vma_close never runs for the child)', () => {
  const sc: Scenario = {
    processes: [
      proc(1, [
        { op: 'create', enclave: 1, size: N * 4096 },
        add(1, 0, N),
        { op: 'fork', child: 2 },
        { op: 'think', ns: 1e7 },
        { op: 'init', enclave: 1 },
        { op: 'exit' },
      ]),
      proc(2, [{ op: 'exit' }], 1),
    ],
    background: [],
    needs: {},
  };
  const sim = run('per-mm', sc);
  const e = sim.kernel.enclaves.get(1)!;
  assert.ok(e.initialized, 'EINIT succeeded after the child exited');
  assert.equal(sim.kernel.metrics.einit.count, 1);
});

/**
 * The owner destroys its mapping and fd and exits; the forked child still maps the enclave and
 * holds its inherited fd, then exits after `T`: the enclave lives until the child's exit.
 */
const T = 1e8;
function outlived(): Scenario {
  return {
    processes: [
      proc(1, [
        ...build(1, N),
        { op: 'map', enclave: 1 },
        { op: 'fork', child: 2 },
        { op: 'destroy', enclave: 1 },
        { op: 'barrier', name: 'd', count: 2 },
        { op: 'exit' },
      ]),
      proc(2, [{ op: 'barrier', name: 'd', count: 2 }, { op: 'think', ns: T }, { op: 'exit' }], 1),
    ],
    background: [],
    needs: {},
  };
}

test('mainline: the enclave is freed at the last mm and the last file reference: the child exit, not the parent destroy', () => {
  const base = run('mm-less', outlived());
  const d0 = resultMetric(base, 'destroy_time_max');
  assert.ok(d0 >= T, `destroy_time ${d0} ns: released after the child's ${T} ns think, at its exit`);
  // The child's exit: sgx_mmu_notifier_release (one synchronize_srcu), then its fput of the VMA
  // and of the fd; the last one runs sgx_release with no mm left on the list (the owner's mm
  // left at its own exit, off this path): one grace period on the path in all.
  const delta = 1e6;
  const d1 = resultMetric(run('mm-less', outlived(), withSrcu(delta)), 'destroy_time_max');
  assert.equal(Math.round(d1 - d0), delta, `destroy_time moves by one srcu_sync (${d1 - d0} ns for +${delta} ns)`);
});

test('mainline: a child that exits first leaves the list at its exit; the parent close drains only its own mm (2 × srcu_sync)', () => {
  const sc = (forked: boolean): Scenario => ({
    processes: [
      proc(1, [
        ...build(1, N),
        { op: 'map', enclave: 1 },
        ...(forked ? [{ op: 'fork', child: 2 } as Op] : []),
        { op: 'think', ns: T },
        { op: 'destroy', enclave: 1 },
        { op: 'think', ns: T },
        { op: 'exit' },
      ]),
      ...(forked ? [proc(2, [{ op: 'exit' }], 1)] : []),
    ],
    background: [],
    needs: {},
  });
  const delta = 1e6;
  for (const forked of [false, true]) {
    const d0 = resultMetric(run('mm-less', sc(forked)), 'destroy_time_max');
    const d1 = resultMetric(run('mm-less', sc(forked), withSrcu(delta)), 'destroy_time_max');
    // sgx_release at the close: the owner's mm still listed (synchronize_srcu + mmu_notifier_unregister).
    assert.equal(Math.round(d1 - d0), 2 * delta, `forked=${forked}: ${d1 - d0} ns for +${delta} ns per grace period`);
  }
});

test('shared via=fork: mainline runs it (the same reclaim per page as via=fd); per-mm is rejected naming VM_DONTCOPY; the hardware backend skips the fork', () => {
  const params = { size: 8 * 1024 * 1024, pressure: 96 * 1024 * 1024, mms: 3 };
  const fd = runCaseSync(spec('shared', 'mm-less', { ...params, via: 'fd' }));
  const fk = runCaseSync(spec('shared', 'mm-less', { ...params, via: 'fork' }));
  assert.equal(fk.outcome, 'ok');
  assert.equal(metric(fk, 'ipis'), metric(fd, 'ipis'), 'the same mms on the list, so the same zaps');
  const s = spec('shared', 'per-mm', { ...params, via: 'fork' });
  const sc = findWorkload('shared')!.generate(s.params, 1);
  assert.match(rejection(s, sc) ?? '', /VM_DONTCOPY/);
  const r = runCaseSync(s);
  assert.ok(r.outcome === 'rejected' && /sgx_vma_open/.test(r.detail), r.outcome);
  const isgxKnobs = findPreset('per-mm')!.knobs;
  const v = scenarioVerdict(sc, isgxKnobs);
  assert.ok(!v.run && v.outcome === 'rejected' && /VM_DONTCOPY/.test(v.detail));
  const plan = planScripts(sc, 'mainline');
  assert.ok(!plan.run && plan.outcome === 'skipped' && /^owner: fork \(child 2\)/.test(plan.detail), plan.run ? 'ran' : plan.detail);
});

test('shared via=fd (the default) generates the scenario it did before: no fork op, no forkedBy, no forked need', () => {
  const w = findWorkload('shared')!;
  const s = spec('shared', 'mm-less', {});
  assert.equal(s.params['via'], 'fd');
  const sc = w.generate(s.params, 1);
  assert.ok(sc.processes.every((p) => p.forkedBy === undefined && p.ops.every((o) => o.op !== 'fork')));
  assert.equal(sc.needs.forked, undefined);
});

test('a scenario whose fork ops and forkedBy do not match is refused as a workload bug before it runs (it would stall)', () => {
  const s = spec('shared', 'mm-less', { size: 8 * 1024 * 1024, pressure: 96 * 1024 * 1024, mms: 2, via: 'fork' });
  const base = findWorkload('shared')!.generate(s.params, 1);
  assert.equal(checkScenario(base), undefined, 'the generated via=fork scenario is consistent');
  const orphan = { ...base, processes: base.processes.map((p) => ({ ...p, ops: p.ops.filter((o) => o.op !== 'fork') })) };
  assert.match(checkScenario(orphan) ?? '', /^workload bug: process 2 names parent 1 in forkedBy, which never forks it/);
  const unnamed = {
    ...base,
    processes: base.processes.map((p): ProcessScript => {
      if (p.pid !== 2) return p;
      const { forkedBy: _, ...rest } = p;
      return rest;
    }),
  };
  assert.match(checkScenario(unnamed) ?? '', /^workload bug: process 1 forks process 2, which names no parent in forkedBy/);
});
