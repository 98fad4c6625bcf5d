/**
 * The emulator's SGX_ENCL_IOCTL rule (sgx_ioctl): while one thread's ADD_PAGES runs on an
 * enclave, another thread's ioctl on the same fd gets EBUSY at once; it does not wait.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { loadProfile } from '../../backends/model/profiles.js';
import { emulatorConfig, emulatorLibrary } from '../../backends/sgx/emulator.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { encodeSecs, encodeSecinfo } from '../../backends/sgx/structs.js';
import { binding, skipReason } from './helpers.js';

const SIZE = 1 << 20;

test("emulator: an ioctl on an enclave while another thread's ADD_PAGES runs on it → EBUSY, without waiting", { skip: skipReason }, async () => {
  const b = binding!;
  const slow = structuredClone(loadProfile('skylake-client').data) as { costs: Record<string, { value: number }> };
  slow.costs['eadd']!.value = 2_000_000; // 64 pages × 2 ms: the add runs for about 128 ms
  b.emuEnable(emulatorLibrary(packageRoot()), emulatorConfig('slow', slow));
  const base = b.reserveAligned(SIZE);
  const fd = b.open('emu:mainline', b.constants['O_RDWR']!);
  try {
    b.create(fd, encodeSecs({ size: SIZE, base }));
    const shared = new Int32Array(new SharedArrayBuffer(4));
    // The worker shares this process's fd table and the loaded emulator.
    const code = `
      const { workerData } = require('node:worker_threads');
      const b = require(workerData.file);
      const src = b.allocPages(64 * 4096);
      Atomics.store(workerData.flag, 0, 1);
      Atomics.notify(workerData.flag, 0);
      b.addPages(workerData.fd, src, 0, 64 * 4096, Buffer.from(workerData.secinfo), 0, 0);`;
    const w = new Worker(code, {
      eval: true,
      workerData: { file: `${packageRoot()}/build/Release/eaddbench_sgx.node`, fd, flag: shared, secinfo: encodeSecinfo('reg', 3) },
    });
    const done = new Promise<void>((resolve, reject) => {
      w.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`worker exit ${c}`))));
      w.on('error', reject);
    });
    while (Atomics.load(shared, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 3));
    const t0 = process.hrtime.bigint();
    const ret = b.ioctlRaw(fd, b.constants['SGX_IOC_ENCLAVE_INIT']!, Buffer.alloc(8));
    const waited = Number(process.hrtime.bigint() - t0);
    assert.equal(ret, -16, 'EBUSY');
    assert.ok(waited < 50_000_000, `returned after ${waited} ns, without waiting for the add`);
    await done;
    // Once the add is done the enclave takes ioctls again (INIT then fails on its argument).
    assert.equal(b.ioctlRaw(fd, b.constants['SGX_IOC_ENCLAVE_INIT']!, Buffer.alloc(8)), -14, 'EFAULT: the SIGSTRUCT pointer is 0');
  } finally {
    b.close(fd);
    b.munmap(base, SIZE);
  }
});
