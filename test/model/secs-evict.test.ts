/**
 * SECS eviction and reload (backends/model/kernel/secs.ts), on both drivers: when an initialized
 * enclave's last child page is written back, the SECS is too (mainline `sgx_reclaimer_write`,
 * isgx `sgx_write_pages` → SGX_ENCL_SECS_EVICTED); the next child ELDU reloads it first
 * (mainline `__sgx_encl_load_page`, isgx `sgx_do_fault`); release EREMOVEs no SECS that is not in
 * EPC (`sgx_encl_release`, both). Each test fails on the model before SECS eviction existed.
 *
 * The scenario: on a 1 MiB EPC (256 pages), process 1 builds and initializes a 64-page enclave;
 * then process 2 builds a 512-page one, which evicts every page of the first (never touched, so
 * never young: oldest first in mainline's global list; isgx's round-robin reaches it every other
 * batch). Then process 1 touches its enclave, or destroys it, or does nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Enclave } from '../../backends/model/kernel/enclave.js';
import { Epc } from '../../backends/model/kernel/epc.js';
import type { Kernel } from '../../backends/model/kernel/kernel.js';
import { takeForEldu } from '../../backends/model/kernel/secs.js';
import { CaseMetrics } from '../../backends/model/metrics.js';
import { loadProfile, profileCosts } from '../../backends/model/profiles.js';
import { simulate } from '../../backends/model/scenario-runner.js';
import { buildOps } from '../../workloads/common.js';
import type { Op, Scenario } from '../../workloads/types.js';
import { MiB, spec } from './helpers.js';

const SMALL = 64;
const BIG = 512;

const tinyEpc = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-secs-'));
  const file = join(dir, 'tiny.json');
  const data = structuredClone(loadProfile('skylake-client').data) as { name: string; machine: { epc_bytes: { value: number } } };
  data.name = 'tiny-epc';
  data.machine.epc_bytes.value = MiB;
  writeFileSync(file, JSON.stringify(data));
  return file;
})();

const ns = profileCosts(loadProfile('skylake-client').data).ns;

/** Long enough for ksgxd to settle before the processes exit (their exits release both enclaves). */
const SETTLE: Op = { op: 'think', ns: 50e6 };

/** Process 1: the small enclave, then `after` once the big one is built; process 2: the big one. */
function scenario(after: Op[], init = true): Scenario {
  const done: Op = { op: 'barrier', name: 'done', count: 2 };
  const small = buildOps(1, SMALL * 4096, false, true, 0).map((op): Op => (op.op === 'init' && !init ? { op: 'settle', enclave: 1 } : op));
  return {
    processes: [
      {
        pid: 1,
        name: 'small',
        role: 'builder',
        mm: 1,
        startNs: 0,
        ops: [...small, { op: 'barrier', name: 'built', count: 2 }, { op: 'barrier', name: 'pressured', count: 2 }, SETTLE, ...after, SETTLE, done],
      },
      {
        pid: 2,
        name: 'big',
        role: 'builder',
        mm: 2,
        startNs: 0,
        ops: [{ op: 'barrier', name: 'built', count: 2 }, ...buildOps(2, BIG * 4096, false, true, 0), { op: 'barrier', name: 'pressured', count: 2 }, done],
      },
    ],
    background: [],
    needs: {},
  };
}

interface Release {
  readonly ns: number;
  readonly pages: number;
  readonly secs: number;
  readonly evicted: number;
  readonly backing: number;
}

/** One case, traced in full; its kernel and each enclave's release slice (drivers/common.ts). */
function run(design: string, after: Op[], init = true): { k: Kernel; release: Map<number, Release> } {
  const s = spec('build', design, {}, tinyEpc);
  const sim = simulate(s, scenario(after, init), profileCosts(s.profileData), 1e15);
  assert.equal(sim.result.outcome, 'ok', `${design}: ${sim.result.outcome === 'ok' ? '' : sim.result.detail}`);
  const release = new Map<number, Release>();
  for (const it of sim.trace!.kept) {
    if (it.name !== 'release (EREMOVE)') continue;
    const a = it.args as Record<string, number>;
    release.set(a['enclave']!, { ns: it.end - it.ts, pages: a['pages']!, secs: a['secs']!, evicted: a['evicted']!, backing: a['backing']! });
  }
  assert.deepEqual([...release.keys()].sort(), [1, 2], `${design}: both enclaves released`);
  return { k: sim.kernel, release };
}

const DESIGNS = ['mm-less', 'per-mm'] as const;

test('an initialized enclave whose every child is written back loses its SECS too: one more EWB, its EPC page freed, its backing page and PCMD held', () => {
  for (const design of DESIGNS) {
    const { k, release } = run(design, []);
    const small = release.get(1)!;
    const big = release.get(2)!;
    assert.equal(small.evicted, SMALL, `${design}: every child of the small enclave evicted`);
    assert.equal(small.pages, 0, design);
    assert.ok(big.pages > 0, `${design}: the big enclave keeps its newest pages`);
    // Nothing was loaded back and nothing was in flight at the exits, so each child EWB left one
    // page evicted at release: the EWBs are those pages plus the one SECS.
    assert.equal(k.metrics.eldu, 0, design);
    assert.equal(k.metrics.evictions, small.evicted + big.evicted + 1, `${design}: child EWBs + the SECS's`);
    assert.equal(k.metrics.secsEvictions, 1, design);
    assert.equal(small.secs, 0, `${design}: no SECS page in EPC at release`);
    assert.equal(big.secs, 1, `${design}: the big enclave's SECS stayed (children in EPC)`);
    assert.equal(k.epc.secs, 0, design);
    assert.ok(k.epc.conserved(), design);
    // Backing: the 64 children's contents (isgx: copies from ADD_PAGE; mainline: from EWB), the
    // SECS's at index 64, and the PCMD pages of indices 0–31, 32–63 and 64.
    assert.equal(small.backing, SMALL + 1 + SMALL / 32 + 1, `${design}: contents + SECS + PCMD pages`);
  }
});

test('an uninitialized enclave keeps its SECS when every child is written back (SGX_ENCL_INITIALIZED in both drivers)', () => {
  for (const design of DESIGNS) {
    const { k, release } = run(design, [], false);
    const small = release.get(1)!;
    assert.equal(small.evicted, SMALL, design);
    assert.equal(k.metrics.secsEvictions, 0, design);
    assert.equal(small.secs, 1, `${design}: the SECS was EREMOVEd at release`);
    assert.equal(small.backing, SMALL + SMALL / 32, `${design}: no SECS backing`);
  }
});

/** The case with process 1 touching every page of its enclave after the pressure (mapping it first on mainline). */
function touchedBack(design: string): ReturnType<typeof run> {
  const map: Op[] = design === 'mm-less' ? [{ op: 'map', enclave: 1 }] : [];
  return run(design, [...map, { op: 'touch', enclave: 1, offset: 0, pages: SMALL }]);
}

test('touching the enclave afterwards reloads the SECS before the first child: one more ELDU, the SECS back in EPC', () => {
  for (const design of DESIGNS) {
    const { k, release } = touchedBack(design);
    const small = release.get(1)!;
    assert.equal(k.metrics.secsReloads, 1, design);
    // Each child ELDUed once and the SECS once.
    assert.equal(k.metrics.eldu, SMALL + 1, `${design}: ${SMALL} child ELDUs + the SECS's`);
    assert.equal(k.metrics.secsEvictions, 1, `${design}: written back once, before the touch`);
    assert.ok(small.pages > 0, design);
    assert.equal(small.secs, 1, `${design}: the SECS in EPC again, EREMOVEd at release`);
  }
});

test('mainline truncates the backing at ELDU, isgx keeps it: after touching every page back, the small enclave holds no backing page in mainline and its 64 + 1 + 3 in isgx', () => {
  for (const design of DESIGNS) {
    const { k, release } = touchedBack(design);
    const small = release.get(1)!;
    assert.equal(k.metrics.secsReloads, 1, design);
    if (design === 'mm-less') {
      // __sgx_encl_eldu: sgx_encl_truncate_backing_page for each child and the SECS, and each PCMD
      // page once its last PCMD is zeroed; the touched pages are young, so none went again.
      assert.equal(small.evicted, 0, design);
      assert.deepEqual([small.pages, small.backing], [SMALL, 0], `${design}: no backing page left to free at release`);
    } else {
      // isgx sgx_eldu truncates nothing: the ADD_PAGE copies, the SECS's page and the PCMD pages stay.
      assert.equal(small.backing, SMALL + 1 + SMALL / 32 + 1, design);
    }
    assert.equal(k.metrics.backingNow, 0, `${design}: every backing page held was freed once`);
  }
});

test('release of an enclave whose SECS was written back EREMOVEs no SECS: its VA page only, and frees the SECS backing page with the rest', () => {
  for (const design of DESIGNS) {
    const { k, release } = run(design, [{ op: 'destroy', enclave: 1 }]);
    const small = release.get(1)!;
    assert.equal(k.metrics.secsEvictions, 1, design);
    assert.equal(small.secs, 0, design);
    assert.ok(k.epc.conserved() && k.epc.secs === 0, `${design}: the SECS page was not given back twice`);
    // Release (mainline: close(fd) of an enclave no mm maps → sgx_release → sgx_encl_release;
    // isgx: munmap → sgx_vma_close → sgx_encl_release): no resident child, one VA page, no SECS
    // in EPC → one EREMOVE and one free-list spinlock hold; 64 + 1 contents and 3 PCMD pages freed.
    // (A compute step lasts its cost rounded to the ns: kernel/cpus.ts.)
    assert.equal(small.ns, Math.round(ns.eremove + ns.spinlock + (SMALL + 1 + 3) * ns.backing_free), `${design}: release time`);
  }
});

test('a child ELDU takes its pages in each driver order when the SECS is out: mainline the SECS first (kept if the child misses), isgx the child first (given back if the SECS misses)', () => {
  const fake = (binding: 'fd' | 'mm', free: number) => {
    const epc = new Epc(free);
    const k = { epc, knobs: { binding }, metrics: new CaseMetrics() } as unknown as Kernel;
    const e = { secsEvicted: true, released: false, secs: false } as Enclave;
    return { k, e, epc };
  };
  // One free page.
  const m1 = fake('fd', 1);
  assert.equal(takeForEldu(m1.k, m1.e), 'secs', 'mainline: sgx_encl_eldu(&encl->secs) took the page');
  assert.equal(m1.e.secs && !m1.e.secsEvicted, true);
  assert.equal(m1.epc.secs, 1);
  assert.equal(takeForEldu(m1.k, m1.e), 'none', 'mainline retry: the child still has no page, the SECS stays');
  const i1 = fake('mm', 1);
  assert.equal(takeForEldu(i1.k, i1.e), 'none', 'isgx: the SECS allocation failed, the child page was freed');
  assert.equal(i1.epc.free, 1);
  assert.equal(i1.e.secsEvicted, true);
  // Two free pages: both reloads.
  for (const binding of ['fd', 'mm'] as const) {
    const f = fake(binding, 2);
    assert.equal(takeForEldu(f.k, f.e), 'both', binding);
    assert.equal(f.epc.free, 0, binding);
    assert.equal(f.epc.secs + f.epc.pages, 2, binding);
    assert.equal(f.k.metrics.eldu, 1, `${binding}: the SECS ELDU counted`);
    assert.equal(takeForEldu(f.k, f.e), 'none', `${binding}: nothing free, SECS in EPC`);
  }
  // A released enclave's SECS is never reloaded.
  const r = fake('fd', 2);
  r.e.released = true;
  assert.equal(takeForEldu(r.k, r.e), 'child');
  assert.equal(r.epc.secs, 0);
});
