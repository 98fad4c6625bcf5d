/**
 * The SGX driver emulator at the kernel ABI (native/emu): the mainline ioctls checked as the
 * kernel checks them, with the errno it returns; MRENCLAVE equal to backends/arch's; EINIT's
 * signature and measurement checks; mmap permissions; fd passing; nothing left after close.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../backends/model/profiles.js';
import { emulatorConfig, emulatorLibrary, emulatedFdsInProc } from '../../backends/sgx/emulator.js';
import { packageRoot, type NativeBinding } from '../../backends/sgx/binding.js';
import { encodeSecs, encodeSecinfo, MrEnclave, secinfoFlags, signSigstruct, generateSigningKey } from '../../backends/sgx/structs.js';
import { encodeTcs } from '../../backends/arch/tcs.js';
import { binding, skipReason } from './helpers.js';

const PAGE = 4096;
const SIZE = 64 * 1024;
const key = generateSigningKey();

function emu(): NativeBinding {
  const b = binding!;
  b.emuEnable(emulatorLibrary(packageRoot()), emulatorConfig('test', loadProfile('skylake-client').data));
  return b;
}

interface Encl {
  fd: number;
  base: bigint;
  src: ArrayBuffer;
}
function created(b: NativeBinding): Encl {
  const base = b.reserveAligned(SIZE);
  const fd = b.open('emu:mainline', b.constants['O_RDWR']! | b.constants['O_CLOEXEC']!);
  b.create(fd, encodeSecs({ size: SIZE, base }));
  const src = b.allocPages(4 * PAGE);
  new Uint8Array(src).forEach((_, i, a) => (a[i] = (i * 31) & 0xff));
  return { fd, base, src };
}
function destroy(b: NativeBinding, e: Encl): void {
  b.close(e.fd);
  b.munmap(e.base, SIZE);
}

/** SGX_IOC_ENCLAVE_ADD_PAGES through ioctlRaw with exactly these fields: the return (or -errno) and count. */
function rawAdd(
  b: NativeBinding,
  fd: number,
  f: { src: bigint; offset: number; length: number; secinfo: Buffer; flags: number },
): { ret: number; count: number } {
  const arg = Buffer.alloc(48);
  arg.writeBigUInt64LE(f.src, 0);
  arg.writeBigUInt64LE(BigInt(f.offset), 8);
  arg.writeBigUInt64LE(BigInt(f.length), 16);
  arg.writeBigUInt64LE(b.addressOf(f.secinfo), 24);
  arg.writeBigUInt64LE(BigInt(f.flags), 32);
  const ret = b.ioctlRaw(fd, b.constants['SGX_IOC_ENCLAVE_ADD_PAGES']!, arg);
  return { ret, count: Number(arg.readBigUInt64LE(40)) };
}

const EINVAL = 22;
const EBUSY = 16;

test('emulator: ADD_PAGES arguments are checked like sgx_ioc_enclave_add_pages and sgx_validate_secinfo', { skip: skipReason }, () => {
  const b = emu();
  const e = created(b);
  try {
    const src = b.addressOf(e.src);
    const reg = encodeSecinfo('reg', 3);
    const ok = { src, offset: 0, length: PAGE, secinfo: reg, flags: 1 };
    assert.deepEqual(rawAdd(b, e.fd, { ...ok, offset: 100 }), { ret: -EINVAL, count: 0 }, 'offset not page-aligned');
    assert.equal(rawAdd(b, e.fd, { ...ok, src: src + 8n }).ret, -EINVAL, 'src not page-aligned');
    assert.equal(rawAdd(b, e.fd, { ...ok, length: 0 }).ret, -EINVAL, 'length 0');
    assert.equal(rawAdd(b, e.fd, { ...ok, length: 100 }).ret, -EINVAL, 'length not whole pages');
    assert.equal(rawAdd(b, e.fd, { ...ok, offset: SIZE }).ret, -EINVAL, 'beyond ELRANGE');
    assert.equal(rawAdd(b, e.fd, { ...ok, offset: SIZE - PAGE, length: 2 * PAGE }).ret, -EINVAL, 'running past ELRANGE');
    const bad = (mut: (s: Buffer) => void): Buffer => {
      const s = Buffer.from(reg);
      mut(s);
      return s;
    };
    assert.equal(rawAdd(b, e.fd, { ...ok, secinfo: bad((s) => (s[40] = 1)) }).ret, -EINVAL, 'a reserved SECINFO byte');
    assert.equal(rawAdd(b, e.fd, { ...ok, secinfo: bad((s) => (s[0] = 0x08 | 3)) }).ret, -EINVAL, 'a reserved flag bit (PENDING)');
    assert.equal(rawAdd(b, e.fd, { ...ok, secinfo: bad((s) => (s[1] = 0)) }).ret, -EINVAL, 'page type SECS');
    assert.equal(rawAdd(b, e.fd, { ...ok, secinfo: bad((s) => (s[0] = 2)) }).ret, -EINVAL, 'W without R');
    assert.equal(
      rawAdd(b, e.fd, {
        ...ok,
        secinfo: bad((s) => {
          s[0] = 1;
          s[1] = 1;
        }),
      }).ret,
      -EINVAL,
      'a TCS with permissions',
    );
    const msg = ((): string => {
      try {
        b.addPages(
          e.fd,
          e.src,
          0,
          PAGE,
          bad((s) => (s[63] = 1)),
          1,
          0,
        );
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    assert.match(msg, /EINVAL.*emulator: sgx_validate_secinfo: reserved bytes not zero/, "the binding reports the emulator's reason");
    assert.deepEqual(rawAdd(b, e.fd, ok), { ret: 0, count: PAGE });
    assert.deepEqual(rawAdd(b, e.fd, { ...ok, length: 2 * PAGE }), { ret: -EBUSY, count: 0 }, 'a page already present: xa_insert → EBUSY, count 0');
    assert.deepEqual(rawAdd(b, e.fd, { ...ok, offset: PAGE, length: 3 * PAGE, src: 0x1000n }), { ret: -14, count: 0 }, 'an unmapped source → EFAULT');
    assert.equal(b.ioctlRaw(e.fd, 0xc030a4ff, Buffer.alloc(48)), -25, 'an unknown ioctl → ENOTTY');
    assert.throws(() => b.create(e.fd, encodeSecs({ size: SIZE, base: e.base })), /SGX_IOC_ENCLAVE_CREATE: EINVAL/, 'a second CREATE');
  } finally {
    destroy(b, e);
  }
  const fresh = b.open('emu:mainline', b.constants['O_RDWR']!);
  try {
    assert.throws(() => b.init(fresh, Buffer.alloc(1808)), /SGX_IOC_ENCLAVE_INIT: EINVAL/, 'INIT before CREATE');
  } finally {
    b.close(fresh);
  }
  assert.throws(() => b.open('emu:nosuch'), /ENOENT/);
});

test('emulator: MRENCLAVE is the SDM measurement (backends/arch), and EINIT checks the signature and the hash', { skip: skipReason }, () => {
  const b = emu();
  const flip = (buf: Buffer, i: number): void => void buf.writeUInt8(buf.readUInt8(i) ^ 1, i);
  const run = (tamper: (sig: Buffer) => void, wrongHash = false): string => {
    const e = created(b);
    try {
      assert.throws(
        () => b.addPages(e.fd, e.src, 0, PAGE, encodeSecinfo('tcs', 0), 1, 0),
        /ADD_PAGES: EIO .*EADD faulted at offset 0x0: TCS/,
        'a TCS page that is not a valid TCS',
      );
      const tcs = b.allocPages(PAGE);
      new Uint8Array(tcs).set(encodeTcs({ ossa: PAGE }));
      b.addPages(e.fd, tcs, 0, PAGE, encodeSecinfo('tcs', 0), 1, 0);
      b.addPages(e.fd, e.src, PAGE, 3 * PAGE, encodeSecinfo('reg', 7), 1, 0);
      b.addPages(e.fd, e.src, 4 * PAGE, PAGE, encodeSecinfo('reg', 1), 0, 0);
      const page = (i: number) => Buffer.from(e.src, i * PAGE, PAGE);
      const mr = new MrEnclave().ecreate(SIZE, 1);
      mr.addPage(0, secinfoFlags('tcs', 0), 0xffff, encodeTcs({ ossa: PAGE }));
      for (let i = 1; i <= 3; i++) mr.addPage(i * PAGE, secinfoFlags('reg', 7), 0xffff, page(i - 1));
      mr.addPage(4 * PAGE, secinfoFlags('reg', 1), 0, page(0));
      const hash = mr.digest();
      if (wrongHash) flip(hash, 5);
      const sig = signSigstruct({ enclaveHash: hash }, key);
      tamper(sig);
      b.init(e.fd, sig);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      destroy(b, e);
    }
  };
  assert.equal(
    run(() => undefined),
    'ok',
  );
  assert.match(
    run(() => undefined, true),
    /EPERM.*EINIT returned 4 \(SGX_INVALID_MEASUREMENT\)/,
    'a validly signed but different ENCLAVEHASH',
  );
  assert.match(
    run((s) => flip(s, 960)),
    /EINIT returned 8 \(SGX_INVALID_SIGNATURE\)/,
    'a signed byte changed after signing',
  );
  assert.match(
    run((s) => flip(s, 600)),
    /EINIT returned 8 \(SGX_INVALID_SIGNATURE\)/,
    'a wrong signature',
  );
  assert.match(
    run((s) => flip(s, 1500)),
    /EINIT returned 8 \(SGX_INVALID_SIGNATURE\)/,
    'a wrong Q2',
  );
  assert.match(
    run((s) => flip(s, 0)),
    /EINIT returned 1 \(SGX_INVALID_SIG_STRUCT\)/,
  );
  assert.match(
    run((s) => s.writeUInt32LE(0x1234, 16)),
    /SGX_IOC_ENCLAVE_INIT: EINVAL.*vendor/,
  );
});

test('emulator: mmap is MAP_SHARED only, within what the added pages allow; fds pass over SCM_RIGHTS; nothing is left after close', {
  skip: skipReason,
}, () => {
  const b = emu();
  const c = b.constants;
  const before = b.emuStats()!;
  const e = created(b);
  b.addPages(e.fd, e.src, 0, PAGE, encodeSecinfo('reg', 1), 0, 0);
  assert.throws(
    () => b.mmap(e.base, SIZE, c['PROT_READ']!, c['MAP_PRIVATE']! | c['MAP_FIXED']!, e.fd, 0),
    /mmap: EINVAL/,
    'sgx_get_unmapped_area: MAP_PRIVATE',
  );
  assert.throws(
    () => b.mmap(e.base, SIZE, c['PROT_READ']! | c['PROT_WRITE']!, c['MAP_SHARED']! | c['MAP_FIXED']!, e.fd, 0),
    /mmap: EACCES.*sgx_encl_may_map/,
    'RW over a read-only page',
  );
  b.mmap(e.base, SIZE, c['PROT_READ']!, c['MAP_SHARED']! | c['MAP_FIXED']!, e.fd, 0);
  assert.equal(b.emuStats()!.mappings, before.mappings + 1);
  const [s0, s1] = b.socketpair();
  b.sendFd(s0, e.fd);
  b.close(e.fd);
  const got = b.recvFd(s1);
  // The enclave survived its creator's close: the received fd still answers as the enclave.
  assert.throws(() => b.create(got.fd, encodeSecs({ size: SIZE, base: e.base })), /CREATE: EINVAL/);
  b.close(got.fd);
  b.close(s0);
  b.close(s1);
  assert.ok(b.emuStats()!.epcPages > before.epcPages, 'the mapping still holds the enclave');
  b.munmap(e.base, SIZE);
  const after = b.emuStats()!;
  assert.deepEqual(
    { fds: after.enclaveFds, maps: after.mappings, epc: after.epcPages, enclaves: after.enclaves },
    { fds: 0, maps: 0, epc: before.epcPages, enclaves: before.enclaves },
  );
  assert.equal(emulatedFdsInProc(), 0);
});

test('emulator (isgx): ADD_PAGE returns before EADD (queued to the worker), EINIT flushes the queue first; VMA and address rules', { skip: skipReason }, () => {
  const b = binding!;
  const slow = structuredClone(loadProfile('skylake-client').data) as { costs: Record<string, { value: number }> };
  slow.costs['eadd']!.value = 20_000_000; // 20 ms per page in the worker: far above any ioctl's own time
  b.emuEnable(emulatorLibrary(packageRoot()), emulatorConfig('slow', slow));
  const c = b.constants;
  const fd = b.open('emu:isgx', c['O_RDWR']!);
  try {
    assert.throws(() => b.mmap(0n, 3 * PAGE, c['PROT_READ']!, c['MAP_SHARED']!, fd, 0), /mmap: EINVAL/, 'sgx_get_unmapped_area: not a power of two');
    const base = b.mmap(0n, SIZE, c['PROT_READ']! | c['PROT_WRITE']! | c['PROT_EXEC']!, c['MAP_SHARED']!, fd, 0);
    assert.equal(base % BigInt(SIZE), 0n, 'the driver aligns the VMA to its size');
    assert.throws(() => b.create(fd, encodeSecs({ size: SIZE / 2, base })), /CREATE: EINVAL/, 'the VMA must be exactly the SECS range');
    b.create(fd, encodeSecs({ size: SIZE, base }));
    const src = b.allocPages(4 * PAGE);
    const t0 = process.hrtime.bigint();
    b.isgxAddPages(fd, base, 1, 4, src, PAGE, encodeSecinfo('reg', 3), 0xffff);
    const queued = Number(process.hrtime.bigint() - t0);
    assert.ok(queued < 20_000_000, `4 ADD_PAGEs returned in ${queued} ns, before even one 20 ms EADD`);
    assert.throws(() => b.isgxAddPages(fd, base, 1, 1, src, PAGE, encodeSecinfo('reg', 3), 0xffff), /ADD_PAGE: EEXIST/, 'a page already added (or queued)');
    assert.throws(
      () => b.isgxAddPages(fd, base + BigInt(SIZE), 0, 1, src, PAGE, encodeSecinfo('reg', 3), 0xffff),
      /ADD_PAGE: EINVAL .*not in an enclave/,
      'outside every enclave VMA',
    );
    assert.throws(
      () => b.isgxInit(fd, base, Buffer.alloc(1808), Buffer.alloc(304)),
      /SGX error 1 /,
      'a zero SIGSTRUCT: SGX_INVALID_SIG_STRUCT, as the positive return',
    );
    assert.ok(Number(process.hrtime.bigint() - t0) >= 80_000_000, 'EINIT waited for the 4 queued EADDs');
    b.munmap(base, SIZE); // sgx_vma_close: the enclave dies with its VMA
  } finally {
    b.close(fd);
  }
  const s = b.emuStats()!;
  assert.deepEqual([s.enclaveFds, s.mappings, s.enclaves, s.epcPages], [0, 0, 0, 0]);
});
