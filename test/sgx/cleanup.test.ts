/** Every error path releases the enclave's fd and mappings, counted at a fake device. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey } from '../../backends/arch/rsa.js';
import { Enclave, SourcePool } from '../../backends/sgx/enclave.js';
import { runScript, ScriptError, type ScriptEnv } from '../../backends/sgx/script.js';
import type { Op, ProcessScript } from '../../workloads/types.js';
import { binding, skipReason, FakeSys, type FailAt } from './helpers.js';

const PAGE = 4096;
const ops: Op[] = [
  { op: 'create', enclave: 1, size: 1 << 16 },
  { op: 'add', enclave: 1, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: 0xffff },
  { op: 'add', enclave: 1, offset: 1, pages: 9, type: 'reg', perm: 7, measure: 0xffff },
  { op: 'map', enclave: 1 },
  { op: 'touch', enclave: 1, offset: 0, pages: 1 },
  { op: 'exit' },
];
const script: ProcessScript = { pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops };
const links = {
  sendFd: () => undefined,
  recvFd: () => ({ fd: -1, data: new ArrayBuffer(0) }),
  barrier: async () => undefined,
};
function env(sys: FakeSys, driver: 'mainline' | 'isgx' = 'mainline'): ScriptEnv {
  return { sys, driver, device: '/dev/fake', batchPages: 4, src: new SourcePool(sys), links };
}

for (const driver of ['mainline', 'isgx'] as const) {
  test(`${driver}: a successful script releases everything and reports pages and latencies`, async (t) => {
    if (!binding) return t.skip(skipReason);
    const sys = new FakeSys(binding);
    const m = await runScript(script, ops, env(sys, driver));
    assert.ok(sys.clean, 'fds closed and ranges unmapped');
    assert.equal(sys.opened, 1);
    const e = m.enclaves[0]!;
    assert.equal(e.pagesAdded, 10);
    assert.equal(e.ioctlNs.length, driver === 'mainline' ? 1 + 3 : 10, 'mainline: 1 + ceil(9/4) calls; isgx: one per page');
    assert.ok(e.ecreateNs! >= 0 && e.readyAt! >= e.createStart!);
  });

  for (const failAt of ['open', 'mmap', 'reserve', 'create'] as FailAt[]) {
    if (driver === 'mainline' && failAt === 'mmap') continue;
    if (driver === 'isgx' && failAt === 'reserve') continue;
    test(`${driver}: failure at ${failAt} releases what was acquired`, async (t) => {
      if (!binding) return t.skip(skipReason);
      const sys = new FakeSys(binding, failAt);
      await assert.rejects(runScript(script, ops, env(sys, driver)), ScriptError);
      assert.ok(sys.clean, `opened ${sys.opened} closed ${sys.closed}; live ranges ${sys.live.size}`);
    });
  }

  for (const [name, errno, code] of [
    ['EBUSY', 16, 'EBUSY'],
    ['ENOMEM', 12, 'ENOMEM'],
    ['EIO', 5, 'EIO'],
  ] as const) {
    test(`${driver}: ${name} in the middle of the adds names the ioctl and releases the enclave`, async (t) => {
      if (!binding) return t.skip(skipReason);
      let calls = 0;
      const sys = new FakeSys(binding, undefined, (c) => (++calls === 3 ? { ret: -1, errno, count: 0 } : { ret: 0, count: c.length ?? 0 }));
      await assert.rejects(runScript(script, ops, env(sys, driver)), (e: ScriptError) => {
        assert.match(e.message, new RegExp(`op 3 add \\(enclave 1\\): SGX_IOC_ENCLAVE_ADD_PAGES?: ${code}`));
        assert.equal(e.partial.enclaves[0]!.pagesAdded, 1, 'the TCS page of the first add');
        if (code === 'EBUSY') assert.equal(e.partial.ebusy, 1);
        return true;
      });
      assert.ok(sys.clean);
    });
  }
}

test('mainline: partial measurement masks are refused as unsupported before any ioctl', async (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding);
  const bad: Op[] = [
    { op: 'create', enclave: 1, size: 8192 },
    { op: 'add', enclave: 1, offset: 0, pages: 1, type: 'reg', perm: 3, measure: 0x00ff },
  ];
  await assert.rejects(runScript(script, bad, env(sys)), (e: ScriptError) => e.unsupported && /whole page/.test(e.message));
  assert.ok(sys.clean);
});

test('mainline: EINIT failure releases the enclave', async (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding, 'init');
  const key = generateSigningKey();
  const withInit: Op[] = [...ops.slice(0, 3), { op: 'init', enclave: 1 }];
  await assert.rejects(runScript(script, withInit, { ...env(sys), key }), /op 4 init \(enclave 1\): SGX_IOC_ENCLAVE_INIT: EPERM/);
  assert.ok(sys.clean);
});

test('cleanup is idempotent and continues past a failing munmap', (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding);
  const e = new Enclave(sys, 'mainline', '/dev/fake', 8192);
  e.create();
  sys.failAt = 'munmap';
  const errs = e.cleanup();
  assert.equal(errs.length, 1);
  assert.equal(sys.closed, 1, 'the fd is closed even though munmap failed');
  assert.deepEqual(e.cleanup(), []);
  assert.equal(sys.closed, 1, 'a second cleanup does nothing');
});

test('close then cleanup does not close twice; unmap then cleanup does not unmap twice', (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding);
  const e = new Enclave(sys, 'mainline', '/dev/fake', 8192);
  e.create();
  e.add(new SourcePool(sys), 0, 2, 'reg', 3, 0, 0);
  e.map();
  e.unmap();
  e.close();
  e.cleanup();
  assert.ok(sys.clean);
  assert.equal(sys.unmapped, 1);
  assert.equal(sys.closed, 1);
  assert.ok(e.times.teardownNs! >= 0);
  assert.equal(e.times.pagesAdded, 2);
  assert.equal(PAGE, 4096);
});
