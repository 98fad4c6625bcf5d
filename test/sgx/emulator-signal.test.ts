/**
 * A signal pending during mainline ADD_PAGES (sgx_ioc_enclave_add_pages checks signal_pending()
 * before each page): the call ends with a partial count, or EINTR before the first page, and
 * the binding's loop resumes from the count. The emulator's `signal_every=N` makes a signal
 * pending before every Nth page; EINIT with the planned MRENCLAVE then proves that every page
 * was added exactly once, in order (a page added twice is EBUSY, one skipped changes the hash).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../backends/model/profiles.js';
import { emulatorConfig, emulatorLibrary } from '../../backends/sgx/emulator.js';
import { packageRoot, type NativeBinding } from '../../backends/sgx/binding.js';
import { plannedMeasurement } from '../../backends/sgx/script.js';
import { encodeSecs, encodeSecinfo, generateSigningKey, signSigstruct } from '../../backends/sgx/structs.js';
import { binding, skipReason } from './helpers.js';

const PAGE = 4096;
const SIZE = 64 * 1024;
const PAGES = 8;
const key = generateSigningKey();
const config = emulatorConfig('test', loadProfile('skylake-client').data);

function build(b: NativeBinding, batchPages: number): ReturnType<NativeBinding['addPages']> {
  const base = b.reserveAligned(SIZE);
  const fd = b.open('emu:mainline', b.constants['O_RDWR']! | b.constants['O_CLOEXEC']!);
  try {
    b.create(fd, encodeSecs({ size: SIZE, base }));
    const src = b.allocPages(PAGES * PAGE);
    new Uint8Array(src).forEach((_, i, a) => (a[i] = (i * 7 + (i >> 12)) & 0xff));
    const r = b.addPages(fd, src, 0, PAGES * PAGE, encodeSecinfo('reg', 3), b.constants['SGX_PAGE_MEASURE']!, batchPages * PAGE, null);
    const hash = plannedMeasurement(SIZE, [{ op: 'add', enclave: 1, offset: 0, pages: PAGES, type: 'reg', perm: 3, measure: 0xffff }], src);
    b.init(fd, signSigstruct({ enclaveHash: hash }, key));
    return r;
  } finally {
    b.close(fd);
    b.munmap(base, SIZE);
  }
}

test('emu:mainline ADD_PAGES with a signal pending every 3rd page: short counts, the binding resumes from count, every page added once', {
  skip: skipReason,
}, () => {
  const b = binding!;
  try {
    b.emuEnable(emulatorLibrary(packageRoot()), `${config};signal_every=3`);
    const r = build(b, 0);
    assert.equal(r.pagesDone, PAGES);
    assert.equal(r.bytesDone, PAGES * PAGE);
    // at most 2 pages per call before the signal: at least 4 calls for 8 pages, no EINTR (count > 0 each time)
    assert.ok(r.calls >= PAGES / 2, `${r.calls} calls`);
    assert.equal(r.eintrRetries, 0);
  } finally {
    b.emuEnable(emulatorLibrary(packageRoot()), config);
  }
  assert.deepEqual([b.emuStats()!.enclaveFds, b.emuStats()!.mappings, b.emuStats()!.epcPages], [0, 0, 0]);
});

test('emu:mainline ADD_PAGES of one page per call with a signal pending every 2nd page: EINTR before the first page, retried', { skip: skipReason }, () => {
  const b = binding!;
  try {
    b.emuEnable(emulatorLibrary(packageRoot()), `${config};signal_every=2`);
    const r = build(b, 1);
    assert.equal(r.pagesDone, PAGES);
    // every other call meets the pending signal before its only page: -ERESTARTSYS, seen as EINTR
    assert.ok(r.eintrRetries >= PAGES - 1, `${r.eintrRetries} EINTR retries`);
    assert.equal(r.calls, PAGES + r.eintrRetries);
  } finally {
    b.emuEnable(emulatorLibrary(packageRoot()), config);
  }
});

test('emu:mainline without signal_every: one call adds every page; a bad signal_every is refused naming the key', { skip: skipReason }, () => {
  const b = binding!;
  b.emuEnable(emulatorLibrary(packageRoot()), config);
  const r = build(b, 0);
  assert.deepEqual([r.pagesDone, r.calls, r.eintrRetries], [PAGES, 1, 0]);
  assert.throws(() => b.emuEnable(emulatorLibrary(packageRoot()), `${config};signal_every=x`), /signal_every=x is not an integer >= 0/);
  b.emuEnable(emulatorLibrary(packageRoot()), config);
});
