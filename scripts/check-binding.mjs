#!/usr/bin/env node
/**
 * Checks that the native binding loads in this Node (N-API: one build serves Node 20, 22 and 24).
 * Exit 0 when it loads, or when the install step recorded that it could not be built here
 * (no compiler or kernel header: the sgx backend is then unavailable by design, and this says
 * so); exit 1 when it was built but does not load, when the build failed with every tool
 * present (broken native code), or when the install step never ran. Run after `npm ci`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = path.join(root, 'build', 'native-status.json');
if (!existsSync(statusFile)) {
  process.stderr.write('check-binding: build/native-status.json missing: the install step (scripts/build-native.mjs) never ran\n');
  process.exit(1);
}
const status = JSON.parse(readFileSync(statusFile, 'utf8'));
if (status.built !== true && status.toolchain === true) {
  process.stderr.write(`check-binding: the binding failed to build although every tool is present (${status.reason}): broken native code\n`);
  process.exit(1);
}
if (status.built !== true) {
  process.stdout.write(`check-binding: binding not built on this machine (${status.reason}); the sgx backend is unavailable (Node ${process.version})\n`);
  process.exit(0);
}
try {
  const binding = createRequire(import.meta.url)(path.join(root, status.file));
  const names = Object.keys(binding).length;
  process.stdout.write(`check-binding: ${status.file} loads under Node ${process.version} (N-API ${process.versions.napi}, ${names} exports)\n`);
} catch (err) {
  process.stderr.write(`check-binding: ${status.file} does not load under Node ${process.version}: ${err.message}\n`);
  process.exit(1);
}
