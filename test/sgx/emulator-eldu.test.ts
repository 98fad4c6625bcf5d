/**
 * ELDU on access against the SGX driver emulator (native/emu/epc.c): on an emulated EPC smaller
 * than the enclave, the oldest pages of the shared active list are evicted (EWB) as pages are
 * added; touching an evicted page faults into the emulator, which allocates an EPC page
 * (evicting the oldest resident page) and ELDUs it back; touching a resident page costs nothing.
 * The backend reports the case's EWBs and ELDUs as `epc_evictions` and `eldu`, across processes.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../backends/model/profiles.js';
import { PRESETS } from '../../backends/designs.js';
import { backend } from '../../backends/sgx/backend.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { configureEmulator, emulatedFdsInProc, emulatorLibrary, leaks } from '../../backends/sgx/emulator.js';
import { Enclave, SourcePool } from '../../backends/sgx/enclave.js';
import type { CaseSpec, ProfileData } from '../../backends/types.js';
import { findWorkload } from '../../workloads/index.js';
import { binding, skipReason } from './helpers.js';

const PAGE = 4096;
const EPC_PAGES = 32;

/** skylake-client with an EPC of `pages` pages. */
function smallEpc(pages: number): ProfileData {
  const data = structuredClone(loadProfile('skylake-client').data) as { machine: { epc_bytes: { value: number } } };
  data.machine.epc_bytes.value = pages * PAGE;
  return data as unknown as ProfileData;
}

test('emu:mainline: touching evicted pages ELDUs them back (evicting the oldest resident ones); resident pages cost nothing; nothing is left', {
  skip: skipReason,
}, () => {
  const b = binding!;
  b.emuEnable(emulatorLibrary(packageRoot()), configureEmulator('small-epc', smallEpc(EPC_PAGES)));
  const before = b.emuStats()!;
  const e = new Enclave(b, 'mainline', 'emu:mainline', 64 * PAGE);
  try {
    e.create(); // SECS + the first VA page: 2 pages the reclaimer never takes
    const added = 48;
    e.add(new SourcePool(b), 0, added, 'reg', 3, 0, 0);
    const s0 = b.emuStats()!;
    // 30 EPC pages left for enclave pages: the first 18 added were written back, oldest first
    const evicted = added - (EPC_PAGES - 2);
    assert.equal(s0.evictions - before.evictions, evicted);
    assert.equal(s0.eldu - before.eldu, 0);
    assert.equal(s0.epcPages - before.epcPages, EPC_PAGES);
    e.map();

    // pages 0–3 were evicted: 4 ELDUs, each evicting the oldest resident page (18, 19, 20, 21)
    e.touch(0, 4);
    const s1 = b.emuStats()!;
    assert.equal(s1.eldu - s0.eldu, 4, 'one ELDU per evicted page touched');
    assert.equal(s1.evictions - s0.evictions, 4, 'each ELDU needed an EPC page: the oldest resident page was evicted');
    assert.equal(s1.epcPages, s0.epcPages, 'the EPC stays full, not over');

    // touched again right away: resident, no fault into the emulator's ELDU
    e.touch(0, 4);
    const s2 = b.emuStats()!;
    assert.deepEqual([s2.eldu - s1.eldu, s2.evictions - s1.evictions], [0, 0]);

    // pages never evicted (added last; 22 is the oldest still resident): nothing
    e.touch(added - 8, 8);
    e.touch(22, 1);
    const s3 = b.emuStats()!;
    assert.deepEqual([s3.eldu - s2.eldu, s3.evictions - s2.evictions], [0, 0]);

    // the victims were the oldest resident pages (the active list's head): page 18 went, so it ELDUs
    e.touch(18, 1);
    const s4 = b.emuStats()!;
    assert.deepEqual([s4.eldu - s3.eldu, s4.evictions - s3.evictions], [1, 1]);

    // pages never added have no entry: no ELDU (the driver's fault would SIGBUS)
    e.touch(added, 4);
    assert.equal(b.emuStats()!.eldu, s4.eldu);
  } finally {
    assert.deepEqual(e.cleanup(), []);
  }
  assert.deepEqual(leaks(before, b.emuStats()!, emulatedFdsInProc()), []);
});

test('emu:mainline shared: the pressure process evicts the owner’s pages (one EPC across processes); the owner’s re-touch ELDUs each back, reported as eldu', {
  skip: skipReason,
}, async () => {
  const w = findWorkload('shared')!;
  const params = { ...Object.fromEntries(w.params.map((p) => [p.name, p.default])), size: 16 * PAGE, pressure: 64 * PAGE, mms: 2 };
  const spec: CaseSpec = {
    caseId: 'eldu',
    backend: 'sgx',
    design: 'mm-less',
    knobs: PRESETS.find((p) => p.name === 'mm-less')!.knobs,
    workload: 'shared',
    profile: 'skylake-client',
    profileData: smallEpc(EPC_PAGES),
    params,
    seed: 1,
    repeat: 0,
    options: { device: 'emu:mainline', samples: '1' },
  };
  const r = await backend.runCase(spec);
  assert.equal(r.outcome, 'ok', r.outcome === 'ok' ? '' : r.detail);
  const metric = (name: string): number => r.metrics!.find((m) => m.metric === name)!.value;
  // 16 + 2 owner pages and 64 + 2 pressure pages in 32: the owner's 16 (the oldest) are evicted
  // by the other process's adds, and its last touch loads every one of them back
  assert.equal(metric('eldu'), 16);
  assert.ok(metric('epc_evictions') >= 16 + 16, `epc_evictions ${metric('epc_evictions')}`);
  assert.match(r.metrics!.find((m) => m.metric === 'eldu')!.detail!, /^emulated: emu:mainline .*shared EPC over the whole case/);
  const s = binding!.emuStats()!;
  assert.deepEqual([s.enclaveFds, s.mappings, s.epcPages, s.enclaves], [0, 0, 0, 0]);
});
