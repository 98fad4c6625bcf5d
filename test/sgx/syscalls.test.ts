/** The binding's real system calls that work without SGX: open/close, ioctl, mmap, fd passing. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readSync, writeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binding, skipReason } from './helpers.js';

test('ioctlRaw on the null device returns -ENOTTY', (t) => {
  if (!binding) return t.skip(skipReason);
  const fd = binding.open('/dev/null');
  try {
    assert.equal(binding.ioctlRaw(fd, binding.constants['SGX_IOC_ENCLAVE_ADD_PAGES']!, null), -binding.constants['ENOTTY']!);
  } finally {
    binding.close(fd);
  }
});

test('SGX ioctls on a device that is not SGX: the error names the ioctl and says so', (t) => {
  if (!binding) return t.skip(skipReason);
  const fd = binding.open('/dev/null');
  try {
    assert.throws(() => binding!.create(fd, Buffer.alloc(4096)), {
      message: 'SGX_IOC_ENCLAVE_CREATE: ENOTTY (not an SGX device: the device does not know this ioctl)',
      code: 'ENOTTY',
    });
    assert.throws(() => binding!.init(fd, Buffer.alloc(1808)), /^Error: SGX_IOC_ENCLAVE_INIT: ENOTTY/);
    const src = binding.allocPages(4096);
    assert.throws(() => binding!.addPages(fd, src, 0, 4096, Buffer.alloc(64), 0, 0), /SGX_IOC_ENCLAVE_ADD_PAGES: ENOTTY .* after 0 pages/);
    assert.throws(() => binding!.isgxAddPages(fd, 0n, 0, 1, src, 4096, Buffer.alloc(64), 0xffff), /SGX_IOC_ENCLAVE_ADD_PAGE: ENOTTY/);
    assert.throws(() => binding!.create(fd, Buffer.alloc(100)), TypeError, 'a SECS buffer shorter than a page is refused before the call');
  } finally {
    binding.close(fd);
  }
});

test('open of a missing path names the path and the errno', (t) => {
  if (!binding) return t.skip(skipReason);
  assert.throws(() => binding!.open('/nonexistent/sgx_enclave'), {
    message: '/nonexistent/sgx_enclave: open: ENOENT (no such file or directory)',
    code: 'ENOENT',
  });
});

test('open without permission says EACCES', (t) => {
  if (!binding) return t.skip(skipReason);
  if (process.getuid?.() === 0) return t.skip('running as root: permissions are not enforced');
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-'));
  const f = path.join(dir, 'locked');
  writeFileSync(f, '', { mode: 0o000 });
  try {
    assert.throws(() => binding!.open(f), { code: 'EACCES' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reserveAligned gives a size-aligned range that can be unmapped; mmap/munmap round-trip', (t) => {
  if (!binding) return t.skip(skipReason);
  const c = binding.constants;
  for (const size of [8192, 1 << 21, 1 << 26]) {
    const base = binding.reserveAligned(size);
    assert.equal(base % BigInt(size), 0n, `aligned to ${size}`);
    // Map over the reservation as the enclave map does (MAP_FIXED), then give it back.
    const p = binding.mmap(base, size, c['PROT_READ']! | c['PROT_WRITE']!, c['MAP_PRIVATE']! | c['MAP_ANONYMOUS']! | c['MAP_FIXED']!, -1, 0);
    assert.equal(p, base);
    binding.touchPages(base, size / 4096);
    binding.munmap(base, size);
  }
  assert.throws(() => binding!.reserveAligned(12288), { code: 'EINVAL', syscall: 'mmap' });
});

test('allocPages gives page-aligned memory', (t) => {
  if (!binding) return t.skip(skipReason);
  const ab = binding.allocPages(10000);
  assert.equal(ab.byteLength, 12288);
  assert.equal(binding.addressOf(ab) % 4096n, 0n);
  new Uint8Array(ab).fill(7);
});

test('sendFd/recvFd pass a working descriptor and its payload over a socketpair (SCM_RIGHTS)', (t) => {
  if (!binding) return t.skip(skipReason);
  const [a, b] = binding.socketpair();
  const dir = mkdtempSync(path.join(tmpdir(), 'eb-'));
  const file = path.join(dir, 'f');
  writeFileSync(file, 'enclave');
  const fd = openSync(file, 'r+');
  try {
    binding.sendFd(a, fd, Buffer.from('{"base":"4096"}'));
    const got = binding.recvFd(b);
    assert.notEqual(got.fd, fd);
    assert.equal(Buffer.from(got.data).toString(), '{"base":"4096"}');
    assert.equal(fstatSync(got.fd).ino, fstatSync(fd).ino, 'the same open file');
    writeSync(got.fd, 'E', 0);
    const buf = Buffer.alloc(7);
    readSync(fd, buf, 0, 7, 0);
    assert.equal(buf.toString(), 'Enclave');
    binding.close(got.fd);
    binding.close(a);
    assert.throws(() => binding!.recvFd(b), { code: 'ECONNRESET', syscall: 'recvmsg(SCM_RIGHTS)' });
  } finally {
    closeSync(fd);
    binding.close(b);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('close of a bad fd names close and EBADF', (t) => {
  if (!binding) return t.skip(skipReason);
  assert.throws(() => binding!.close(987654), { code: 'EBADF', syscall: 'close' });
});
