/** Workload specs: names, parameter domains, generated scenarios. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKLOADS, findWorkload } from '../../workloads/index.js';
import { SUITES } from '../../workloads/suites.js';
import { secsSize } from '../../workloads/common.js';

const NAMES = ['build', 'concurrent', 'mmap-contention', 'handover', 'shared', 'epc-pressure', 'teardown'];

function defaults(name: string): Record<string, number | string> {
  const v: Record<string, number | string> = {};
  for (const p of findWorkload(name)!.params) v[p.name] = p.default;
  return v;
}

test('every named workload exists and documents units and defaults', () => {
  for (const n of NAMES) {
    const w = findWorkload(n);
    assert.ok(w, n);
    for (const p of w.params) assert.ok(p.unit !== '' && p.description !== '', `${n}.${p.name}`);
  }
});

test('build generates ECREATE with a power-of-two SECS ≥ 8 KiB, a TCS page, the rest, EINIT', () => {
  const sc = findWorkload('build')!.generate({ ...defaults('build'), size: 12288 }, 1);
  const ops = sc.processes[0]!.ops;
  assert.deepEqual(ops[0], { op: 'create', enclave: 1, size: 16384 });
  assert.equal(
    ops.filter((o) => o.op === 'add').reduce((n, o) => n + (o.op === 'add' ? o.pages : 0), 0),
    3,
  );
  assert.equal(secsSize(4096, 0), 8192);
  assert.equal(secsSize(64 * 2 ** 20, 0), 64 * 2 ** 20);
});

test('parameter checks reject bad domains (SECS size, batch 0, rate ≤ 0)', () => {
  const build = findWorkload('build')!;
  const secs = build.params.find((p) => p.name === 'secs_size')!;
  assert.notEqual(secs.check!(12288), undefined);
  assert.equal(secs.check!(16384), undefined);
  const batch = build.params.find((p) => p.name === 'batch')!;
  assert.equal(batch.min, 1);
  const rate = findWorkload('handover')!.params.find((p) => p.name === 'rate')!;
  // The range itself excludes 0 (list workloads shows the same bounds the check uses).
  assert.equal(rate.min, 0.01);
  assert.equal(rate.check, undefined);
});

test('handover arrivals depend on the seed; shared asks for its mms', () => {
  const h = findWorkload('handover')!;
  const a = JSON.stringify(h.generate(defaults('handover'), 1));
  assert.equal(a, JSON.stringify(h.generate(defaults('handover'), 1)));
  assert.notEqual(a, JSON.stringify(h.generate(defaults('handover'), 2)));
  assert.equal(findWorkload('shared')!.generate({ ...defaults('shared'), mms: 3 }, 1).needs.sharedMms, 3);
});

test('suites name only known workloads and parameters; default covers every workload', () => {
  for (const s of SUITES) {
    for (const e of s.entries) {
      const w = findWorkload(e.workload);
      assert.ok(w, `${s.name}: ${e.workload}`);
      for (const key of Object.keys(e.sets))
        assert.ok(
          w.params.some((p) => p.name === key),
          `${s.name}: ${e.workload}.${key}`,
        );
    }
  }
  const def = SUITES.find((s) => s.name === 'default')!;
  for (const w of WORKLOADS)
    assert.ok(
      def.entries.some((e) => e.workload === w.name),
      w.name,
    );
  assert.ok(SUITES.some((s) => s.name === 'ci'));
});
