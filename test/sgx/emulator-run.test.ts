/**
 * The hardware backend end to end against the SGX driver emulator (`--device emu:mainline`):
 * the real binding, ioctl loops, mmap/munmap/close and fd passing, checked by the emulator as
 * the kernel checks them. A binding that gets an offset, a SECINFO flag or a measured chunk
 * wrong ends with the emulator's EINIT error; every workload leaves no fd, mapping or EPC page.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findWorkload } from '../../workloads/index.js';
import type { Op, ParamValues } from '../../workloads/types.js';
import { PRESETS } from '../../backends/designs.js';
import { backend } from '../../backends/sgx/backend.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { configureEmulator, emulatedFdsInProc, emulatorLibrary } from '../../backends/sgx/emulator.js';
import { SourcePool, type SgxSys } from '../../backends/sgx/enclave.js';
import { runScript, ScriptError } from '../../backends/sgx/script.js';
import { generateSigningKey } from '../../backends/sgx/structs.js';
import { loadProfile } from '../../backends/model/profiles.js';
import type { CaseSpec, ProfileData } from '../../backends/types.js';
import { binding, skipReason } from './helpers.js';

const root = packageRoot();
const profile = loadProfile('skylake-client');
const PAGE = 4096;

function defaults(name: string, over: Record<string, number | string>): ParamValues {
  const w = findWorkload(name)!;
  const v: Record<string, number | string> = Object.fromEntries(w.params.map((p) => [p.name, p.default]));
  if (name === 'replay') v['file'] = path.join(root, 'workloads', 'streams', 'example.sgxs');
  return { ...v, ...over };
}

function spec(workload: string, over: Record<string, number | string>, profileData: ProfileData = profile.data, device = 'emu:mainline'): CaseSpec {
  const design = device === 'emu:isgx' ? 'per-mm' : 'mm-less';
  return {
    caseId: 'emu',
    backend: 'sgx',
    design,
    knobs: PRESETS.find((p) => p.name === design)!.knobs,
    workload,
    profile: 'skylake-client',
    profileData,
    params: defaults(workload, over),
    seed: 1,
    repeat: 0,
    options: { device, samples: '1' },
  };
}

const CASES: { device: string; name: string; over: Record<string, number | string> }[] = [
  { device: 'emu:mainline', name: 'build', over: { size: 65536 } },
  { device: 'emu:mainline', name: 'build', over: { size: 65536, init: 0, measure: 0 } },
  { device: 'emu:mainline', name: 'concurrent', over: { size: 65536 } },
  { device: 'emu:mainline', name: 'mmap-contention', over: { size: 65536 } },
  { device: 'emu:mainline', name: 'handover', over: { size: 65536 } },
  { device: 'emu:mainline', name: 'shared', over: { size: 65536, pressure: 262144 } },
  { device: 'emu:mainline', name: 'epc-pressure', over: { total: 262144 } },
  { device: 'emu:mainline', name: 'replay', over: {} },
  // the owner's munmap + close land during the builder's ADD_PAGES (about 0.1 s of adds): the
  // ioctl holds the enclave (fdget) and it is released when the ioctl returns
  { device: 'emu:mainline', name: 'teardown', over: { size: 16 * 1024 * 1024, after: 50_000_000 } },
  // the owner's close before the builder's ADD_PAGES (EBADF ends the builder's adds, as in the
  // model), and before the enclave exists (nothing to unmap or close): both complete
  { device: 'emu:mainline', name: 'teardown', over: { size: 16 * 1024 * 1024, after: 1_000_000 } },
  { device: 'emu:mainline', name: 'teardown', over: { size: 65536, after: 0 } },
  // isgx: per-mm; ADD_PAGE queued to the emulator's worker, EINIT flushes it, then refuses the zero token
  { device: 'emu:isgx', name: 'build', over: { size: 65536 } },
  { device: 'emu:isgx', name: 'concurrent', over: { size: 65536 } },
  { device: 'emu:isgx', name: 'mmap-contention', over: { size: 65536 } },
  { device: 'emu:isgx', name: 'handover', over: { size: 65536 } },
  { device: 'emu:isgx', name: 'shared', over: { size: 65536, pressure: 262144, mms: 1 } },
  { device: 'emu:isgx', name: 'epc-pressure', over: { total: 262144 } },
  { device: 'emu:isgx', name: 'replay', over: {} },
  // the owner's munmap + close after the builder's adds are queued (an earlier teardown makes the
  // builder's next ADD_PAGE fail, as on the real driver): the last reference releases the enclave
  { device: 'emu:isgx', name: 'teardown', over: { size: 65536, after: 300_000_000 } },
];

for (const c of CASES) {
  test(`${c.device}: ${c.name} ${JSON.stringify(c.over)} runs ok, labelled emulated, and leaves no enclave fd, mapping or EPC page`, {
    skip: skipReason,
  }, async () => {
    const r = await backend.runCase(spec(c.name, c.over, profile.data, c.device));
    assert.equal(r.outcome, 'ok', r.outcome === 'ok' ? '' : r.detail);
    assert.ok((r.metrics ?? []).length > 0);
    for (const m of r.metrics ?? []) assert.match(m.detail ?? '', new RegExp(`^emulated: ${c.device} \\(SGX driver emulator`));
    if (c.device === 'emu:isgx' && c.name === 'build') assert.match(r.metrics!.find((m) => m.metric === 'einit_time')!.detail!, /SGX_INVALID_EINITTOKEN/);
    // runCase turns a leak into an error; check independently too.
    const s = binding!.emuStats()!;
    assert.deepEqual({ fds: s.enclaveFds, maps: s.mappings, enclaves: s.enclaves, epc: s.epcPages }, { fds: 0, maps: 0, enclaves: 0, epc: 0 });
    assert.equal(emulatedFdsInProc(), 0);
  });
}

test('emu:mainline: an EPC smaller than the enclaves evicts (EWB counted in the shared EPC) and still ends with nothing held', {
  skip: skipReason,
}, async () => {
  const small = structuredClone(profile.data) as { machine: { epc_bytes: { value: number } } };
  small.machine.epc_bytes.value = 32 * PAGE;
  const before = binding!.emuStats()?.evictions ?? 0;
  const r = await backend.runCase(spec('epc-pressure', { total: 65 * 2 * PAGE }, small as unknown as ProfileData));
  assert.equal(r.outcome, 'ok', r.outcome === 'ok' ? '' : r.detail);
  const s = binding!.emuStats()!;
  assert.ok(s.evictions > before, `evictions ${before} → ${s.evictions}`);
  assert.equal(s.epcPages, 0);
});

/** A binding that is wrong in one way, for the build of one small enclave. */
function wrongBinding(kind: 'offset' | 'secinfo' | 'chunk' | 'none'): SgxSys {
  const real = binding!;
  return {
    ...real,
    addPages(fd, src, offset, length, secinfo, flags, batch, lat) {
      const si = Buffer.from(secinfo as Buffer);
      const isReg = si.readUInt8(1) === 2;
      if (kind === 'offset' && isReg) {
        // every page one page too far (still inside ELRANGE)
        return real.addPages(fd, src, offset + PAGE, length, si, flags, batch, lat);
      }
      if (kind === 'secinfo' && isReg) {
        si.writeUInt8(si.readUInt8(0) ^ 0x4, 0); // X flipped: a valid SECINFO, measured differently
        return real.addPages(fd, src, offset, length, si, flags, batch, lat);
      }
      if (kind === 'chunk' && isReg) {
        // the first page's 16 measured chunks skipped (mainline measures a page whole or not at all)
        const first = real.addPages(fd, src, offset, PAGE, si, 0, batch, lat);
        const whole = new Uint8Array(src as ArrayBuffer);
        const shifted = real.allocPages(whole.length);
        new Uint8Array(shifted).set(whole.subarray(PAGE));
        const rest = real.addPages(fd, shifted, offset + PAGE, length - PAGE, si, flags, batch, lat);
        return { bytesDone: first.bytesDone + rest.bytesDone, pagesDone: first.pagesDone + rest.pagesDone, calls: first.calls + rest.calls, eintrRetries: 0 };
      }
      return real.addPages(fd, src, offset, length, si, flags, batch, lat);
    },
  };
}

for (const kind of ['none', 'offset', 'secinfo', 'chunk'] as const) {
  test(`emu:mainline: ${kind === 'none' ? 'a correct binding initializes' : `a binding with a wrong ${kind === 'chunk' ? 'skipped measured chunk' : kind} ends with the emulator's EINIT error`}`, {
    skip: skipReason,
  }, async () => {
    const b = binding!;
    b.emuEnable(emulatorLibrary(root), configureEmulator('skylake-client', profile.data));
    const sys = wrongBinding(kind);
    // ELRANGE 64 KiB, a TCS and 8 REG pages: a shifted page stays inside it.
    const ops: Op[] = [
      { op: 'create', enclave: 1, size: 65536 },
      { op: 'add', enclave: 1, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: 0xffff },
      { op: 'add', enclave: 1, offset: 1, pages: 8, type: 'reg', perm: 7, measure: 0xffff },
      { op: 'init', enclave: 1 },
    ];
    const script = { pid: 1, name: 'builder', role: 'builder' as const, mm: 1, startNs: 0, ops };
    const env = {
      sys,
      driver: 'mainline' as const,
      device: 'emu:mainline',
      batchPages: 0,
      src: new SourcePool(sys),
      key: generateSigningKey(),
      links: { sendFd: () => undefined, recvFd: () => ({ fd: -1, data: new ArrayBuffer(0) }), barrier: async () => undefined },
    };
    let message = 'ok';
    try {
      await runScript(script, ops, env);
    } catch (e) {
      assert.ok(e instanceof ScriptError);
      message = e.message;
    }
    if (kind === 'none') assert.equal(message, 'ok');
    else assert.match(message, /op \d+ init \(enclave 1\): SGX_IOC_ENCLAVE_INIT: EPERM .*\[emulator: EINIT returned 4 \(SGX_INVALID_MEASUREMENT\)\]/);
    assert.equal(b.emuStats()!.enclaveFds, 0, 'the failed enclave was cleaned up');
  });
}

test("emu:isgx: shared across 2 mms is rejected with the driver's reason; a wrong SECINFO flag ends with EINIT returned 4 after the flush", {
  skip: skipReason,
}, async () => {
  const r = await backend.runCase(spec('shared', { size: 65536, pressure: 65536, mms: 2 }, profile.data, 'emu:isgx'));
  assert.ok(r.outcome === 'rejected', r.outcome);
  assert.match(r.detail, /binding=mm: .*cannot be mapped by other mms \(mms=2;/);
  const b = binding!;
  b.emuEnable(emulatorLibrary(root), configureEmulator('skylake-client', profile.data));
  const sys: SgxSys = {
    ...b,
    isgxAddPages(fd, base, first, pages, src, stride, secinfo, mrmask, lat) {
      const si = Buffer.from(secinfo as Buffer);
      if (si.readUInt8(1) === 2) si.writeUInt8(si.readUInt8(0) ^ 0x4, 0);
      return b.isgxAddPages(fd, base, first, pages, src, stride, si, mrmask, lat);
    },
  };
  const ops: Op[] = [
    { op: 'create', enclave: 1, size: 65536 },
    { op: 'add', enclave: 1, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: 0xffff },
    { op: 'add', enclave: 1, offset: 1, pages: 8, type: 'reg', perm: 7, measure: 0xffff },
    { op: 'init', enclave: 1 },
  ];
  const env = {
    sys,
    driver: 'isgx' as const,
    device: 'emu:isgx',
    batchPages: 1,
    src: new SourcePool(sys),
    key: generateSigningKey(),
    links: { sendFd: () => undefined, recvFd: () => ({ fd: -1, data: new ArrayBuffer(0) }), barrier: async () => undefined },
  };
  await assert.rejects(
    runScript({ pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops }, ops, env),
    /SGX error 4 \(SGX_INVALID_MEASUREMENT\).*\[emulator: EINIT returned 4 \(SGX_INVALID_MEASUREMENT\)\]/,
  );
  const s = b.emuStats()!;
  assert.deepEqual([s.enclaveFds, s.mappings, s.epcPages], [0, 0, 0]);
});

test('eaddbench run build --backend sgx --device emu:mainline: ok rows labelled emulated; emu:nosuch exits 2 naming the choices', {
  skip: skipReason,
}, async () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-emu-'));
  const cli = path.join(root, 'dist', 'bench', 'cli.js');
  try {
    const out = path.join(dir, 'b.csv');
    await run(
      process.execPath,
      [cli, 'run', 'build', '--backend', 'sgx', '--device', 'emu:mainline', '--design', 'mm-less', '--set', 'size=65536', '--out', out],
      { cwd: root },
    );
    const [head, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const cols = head!.split(',');
    assert.ok(rows.length > 5);
    for (const row of rows) {
      const f = row.split(',');
      assert.equal(f[cols.indexOf('outcome')], 'ok', row);
      assert.equal(f[cols.indexOf('backend')], 'sgx');
      assert.equal(f[cols.indexOf('profile')], 'emulated:skylake-client');
      assert.match(row, /emulated: emu:mainline/);
    }
    await assert.rejects(
      run(process.execPath, [cli, 'run', 'build', '--backend', 'sgx', '--device', 'emu:nosuch', '--out', path.join(dir, 'x.csv')], { cwd: root }),
      (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr ?? '', /--device: unknown emulated device 'emu:nosuch'; valid emulated devices: emu:mainline, emu:isgx/);
        return true;
      },
    );
    await assert.rejects(
      run(process.execPath, [cli, 'run', 'build', '--backend', 'sgx', '--device', 'emu:mainline', '--workers', '2', '--out', path.join(dir, 'w.csv')], {
        cwd: root,
      }),
      (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr ?? '', /--workers 2: an emulated device .* runs one case at a time/);
        return true;
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
