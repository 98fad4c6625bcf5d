/**
 * The binding's tests may skip only on a machine that cannot build it (no compiler, node-gyp,
 * Python, make or <asm/sgx.h>: build/native-status.json says `toolchain: false`). Where every
 * tool is present, or a binary exists, the binding must load: otherwise most hardware-backend
 * tests would turn into skips and broken native code would pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBinding } from '../../backends/sgx/binding.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('the native binding loads wherever it can be built', (t) => {
  const statusFile = path.join(ROOT, 'build', 'native-status.json');
  assert.ok(existsSync(statusFile), 'build/native-status.json is missing: the install step (scripts/build-native.mjs) never ran');
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as { built?: boolean; toolchain?: boolean; reason?: string };
  const binary = existsSync(path.join(ROOT, 'build', 'Release', 'eaddbench_sgx.node'));
  if (status.toolchain === false && !binary) return t.skip(`no toolchain here: ${status.reason ?? 'unknown reason'}`);
  const b = loadBinding();
  assert.ok(b.ok, b.ok ? '' : `the binding must load on this machine: ${b.reason}`);
  assert.equal(status.built, true, `build/native-status.json says the build failed: ${status.reason ?? ''}`);
});
