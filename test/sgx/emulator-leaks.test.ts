/**
 * The leak check every emulated case ends with (backends/sgx/emulator.ts, leaks): it sees an
 * emulated enclave fd left open both in the emulator's table and in /proc/self/fd, a mapping
 * left, and EPC pages and enclaves still held in the shared EPC; and it is empty once they go.
 * (test/sgx/emulator-run.test.ts checks that every workload on both emulators leaves nothing.)
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { loadProfile } from '../../backends/model/profiles.js';
import { emulatedFdsInProc, emulatorConfig, emulatorLibrary, leaks } from '../../backends/sgx/emulator.js';
import { packageRoot } from '../../backends/sgx/binding.js';
import { encodeSecs } from '../../backends/sgx/structs.js';
import { binding, skipReason } from './helpers.js';

const SIZE = 64 * 1024;

test('leaks: an enclave fd, its mapping and its EPC pages left behind are each reported; nothing once released', { skip: skipReason }, () => {
  const b = binding!;
  b.emuEnable(emulatorLibrary(packageRoot()), emulatorConfig('test', loadProfile('skylake-client').data));
  const c = b.constants;
  const before = b.emuStats()!;
  assert.deepEqual(leaks(before, b.emuStats()!, emulatedFdsInProc()), []);
  const base = b.reserveAligned(SIZE);
  const fd = b.open('emu:mainline', c['O_RDWR']! | c['O_CLOEXEC']!);
  let mapped = false;
  try {
    b.create(fd, encodeSecs({ size: SIZE, base }));
    b.mmap(base, SIZE, c['PROT_READ']!, c['MAP_SHARED']! | c['MAP_FIXED']!, fd, 0);
    mapped = true;
    const left = leaks(before, b.emuStats()!, emulatedFdsInProc());
    assert.deepEqual(left, [
      '1 emulated enclave fd(s) still open',
      '1 emulated enclave fd(s) in /proc/self/fd',
      '1 emulated enclave mapping(s) left',
      '2 EPC page(s) still held', // the SECS and the first VA page (sgx_encl_create)
      '1 enclave(s) not released',
    ]);
    b.close(fd);
    // the mapping still holds the enclave (the VMA's reference to the file), as in the kernel
    assert.deepEqual(leaks(before, b.emuStats()!, emulatedFdsInProc()), [
      '1 emulated enclave mapping(s) left',
      '2 EPC page(s) still held',
      '1 enclave(s) not released',
    ]);
  } finally {
    b.munmap(base, SIZE);
    if (!mapped) b.close(fd);
  }
  assert.deepEqual(leaks(before, b.emuStats()!, emulatedFdsInProc()), []);
});
