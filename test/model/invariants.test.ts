/** Property tests over random workloads: EPC conservation, no double add, measurement order, locks released. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../backends/model/scenario-runner.js';
import { scenarioSeed } from '../../backends/scenario.js';
import { profileCosts } from '../../backends/model/profiles.js';
import { Prng } from '../../backends/model/sim/index.js';
import { findWorkload } from '../../workloads/index.js';
import { MiB, spec } from './helpers.js';

const DESIGNS = ['per-mm', 'mm-less', 'attach', 'per-mm-sync', 'mm-less,batch=16', 'attach,workers=2'];

function randomCase(rng: Prng): ReturnType<typeof spec> {
  const design = DESIGNS[rng.int(DESIGNS.length)]!;
  switch (rng.int(5)) {
    case 0:
      return spec(
        'build',
        design,
        { size: (1 + rng.int(2048)) * 4096, measure: rng.int(2), init: rng.int(2), batch: 1 + rng.int(64) },
        'skylake-client',
        rng.int(1000),
      );
    case 1:
      return spec('concurrent', design, { builders: 1 + rng.int(4), size: (1 + rng.int(1024)) * 4096 }, 'skylake-client', rng.int(1000));
    case 2:
      return spec('epc-pressure', design, { total: (16 + rng.int(128)) * MiB, builders: 1 + rng.int(3), measure: rng.int(2) }, 'skylake-client', rng.int(1000));
    case 3:
      return spec('mmap-contention', design, { size: (1 + rng.int(512)) * 4096, threads: 1 + rng.int(3) }, 'skylake-client', rng.int(1000));
    default:
      return spec(
        'handover',
        design,
        { size: (2 + rng.int(256)) * 4096, clients: 1 + rng.int(5), pool: 1 + rng.int(2), rate: 1 + rng.int(100) },
        'skylake-client',
        rng.int(1000),
      );
  }
}

test('invariants hold over 40 random cases', () => {
  const rng = new Prng(20240601, 'invariants');
  for (let i = 0; i < 40; i++) {
    const s = randomCase(rng);
    const sc = findWorkload(s.workload)!.generate(s.params, scenarioSeed(s.seed, s.repeat));
    const sim = simulate(s, sc, profileCosts(s.profileData));
    const what = `${s.workload} ${s.design} ${JSON.stringify(s.params)}`;
    assert.equal(sim.result.outcome, 'ok', `${what}: ${sim.result.outcome !== 'ok' ? sim.result.detail : ''}`);
    assert.deepEqual(sim.problems, [], what);
    const k = sim.kernel;
    // EPC conserved (free + enclave + VA + SECS = total); released enclaves gave everything back.
    assert.ok(k.epc.conserved(), what);
    for (const e of k.enclaves.values()) {
      // No page added twice.
      const seen = new Set<number>();
      for (let j = 0; j < e.addCount; j++) {
        assert.ok(!seen.has(e.addLog[j]!), `${what}: ${e.name} page ${e.addLog[j]} added twice`);
        seen.add(e.addLog[j]!);
      }
      // Measurement (EADD) order equals add (request) order.
      assert.ok(e.addCount <= e.reqCount, what);
      for (let j = 0; j < e.addCount; j++) assert.equal(e.addLog[j], e.reqLog[j], `${what}: ${e.name} order differs at ${j}`);
      // Every lock released.
      assert.equal(e.mutex.holder, null, what);
    }
    for (const mm of k.mms.values()) {
      assert.equal(mm.lock.readers, 0, what);
      assert.equal(mm.lock.writer, null, what);
    }
  }
});

test('EPC pressure: evictions happen and VA pages are one per 512 enclave pages (SECS counted)', () => {
  const s = spec('build', 'mm-less', { size: 128 * MiB, measure: 0 });
  const sc = findWorkload('build')!.generate(s.params, 1);
  const sim = simulate(s, sc, profileCosts(s.profileData));
  assert.equal(sim.result.outcome, 'ok');
  const m = sim.result.outcome === 'ok' ? sim.result.metrics : [];
  const va = m.find((x) => x.metric === 'va_pages')!.value;
  assert.equal(va, Math.ceil((32768 + 1) / 512));
  assert.ok(m.find((x) => x.metric === 'epc_evictions')!.value >= 32768 + va + 1 - sim.kernel.epc.total);
});
