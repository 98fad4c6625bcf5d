#!/usr/bin/env node
/**
 * Install step: builds the native SGX binding (binding.gyp) with the node-gyp that npm ships,
 * pointed at the running Node's own headers so nothing is downloaded.
 *
 * A machine without the tools may skip it: without a C compiler, node-gyp, Node's headers or the
 * kernel header <asm/sgx.h>, it prints one line saying the binding is not built and how to build
 * it, records the reason in build/native-status.json (the sgx backend reports it; `toolchain`
 * false), and exits 0 (`--strict` exits 1 instead, for development).
 * With every tool present a failed build is broken native code: it records `toolchain` true,
 * prints the compiler's output and exits 1, so `npm ci` (and CI) fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const HOW = 'install a C compiler (cc) and the kernel headers (Debian: gcc make linux-libc-dev), then run `node scripts/build-native.mjs`';

function writeStatus(status) {
  const dir = path.join(root, 'build');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'native-status.json');
  writeFileSync(file + '.tmp', JSON.stringify(status, null, 2) + '\n');
  renameSync(file + '.tmp', file);
}

function notBuilt(reason, log) {
  // A binary left from an earlier build would not match this source: remove it.
  rmSync(path.join(root, 'build', 'Release', 'eaddbench_sgx.node'), { force: true });
  rmSync(path.join(root, 'build', 'Release', 'libeaddbench_sgxemu.so'), { force: true });
  writeStatus({ built: false, toolchain: false, reason, how: HOW, log: log ? log.slice(-4000) : undefined });
  process.stdout.write(`eaddbench: native SGX binding not built (${reason}); the sgx backend is unavailable. To build it: ${HOW}.\n`);
  process.exit(strict ? 1 : 0);
}

/** Every tool is here and the build still failed: the native code is broken. */
function buildFailed(reason, log) {
  rmSync(path.join(root, 'build', 'Release', 'eaddbench_sgx.node'), { force: true });
  rmSync(path.join(root, 'build', 'Release', 'libeaddbench_sgxemu.so'), { force: true });
  writeStatus({ built: false, toolchain: true, reason, log: log.slice(-4000) });
  process.stderr.write(
    `${log.slice(-8000)}\neaddbench: native SGX binding failed to build (${reason}) although a compiler, node-gyp and <asm/sgx.h> are present: fix native/src, then run \`node scripts/build-native.mjs\`.\n`,
  );
  process.exit(1);
}

/** The kernel's SGX UAPI header, as the compiler sees it. */
function sgxHeaderMissing() {
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-E', '-x', 'c', '-'], { input: '#include <asm/sgx.h>\n', encoding: 'utf8', shell: false });
  return r.status === 0 ? undefined : 'the kernel header <asm/sgx.h> is missing (Debian: linux-libc-dev)';
}

/** node-gyp runs gyp with Python 3. */
function pythonMissing() {
  const py = process.env.PYTHON || 'python3';
  const r = spawnSync(py, ['--version'], { encoding: 'utf8', shell: false });
  return r.status === 0 ? undefined : `Python 3 not found (${py}; node-gyp needs it)`;
}

/** npm sets npm_config_node_gyp in lifecycle scripts; otherwise look next to this Node. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  if (process.env.npm_execpath) {
    try {
      const req = createRequire(process.env.npm_execpath);
      candidates.push(req.resolve('node-gyp/bin/node-gyp.js'));
    } catch {
      /* not resolvable from npm's directory; try the others */
    }
  }
  return candidates.find((c) => existsSync(c));
}

function compilerWorks() {
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8', shell: false });
  return r.status === 0 ? undefined : `no working C compiler (${process.env.CC ? `CC=${cc}` : 'cc'} not found or failing)`;
}

const noCc = compilerWorks();
if (noCc) notBuilt(noCc);

const noSgxH = sgxHeaderMissing();
if (noSgxH) notBuilt(noSgxH);

const gyp = findNodeGyp();
if (!gyp) notBuilt('node-gyp not found (it ships with npm)');

const noPy = pythonMissing();
if (noPy) notBuilt(noPy);

if (spawnSync('make', ['--version'], { encoding: 'utf8', shell: false }).status !== 0) notBuilt('make not found (node-gyp needs it)');

const nodedir = path.dirname(path.dirname(process.execPath));
if (!existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) notBuilt(`Node headers not found under ${path.join(nodedir, 'include', 'node')}`);

const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], { cwd: root, encoding: 'utf8' });
const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.status !== 0) {
  buildFailed(`node-gyp failed with status ${r.status}`, log);
}

// The SGX driver emulator (native/emu): a small shared library the binding loads for
// `--device emu:*` (docs/hardware-backend.md). Built with the same compiler; a failure with
// every tool present is broken native code, like the binding's.
const EMU = path.join('build', 'Release', 'libeaddbench_sgxemu.so');
const emuSources = readdirSync(path.join(root, 'native', 'emu'))
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => path.join('native', 'emu', f));
const emu = spawnSync(
  process.env.CC || 'cc',
  ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-shared', '-fPIC', '-o', EMU, ...emuSources, '-lpthread'],
  { cwd: root, encoding: 'utf8', shell: false },
);
if (emu.status !== 0) buildFailed(`the SGX driver emulator failed to compile (status ${emu.status})`, `${emu.stdout ?? ''}${emu.stderr ?? ''}`);
writeStatus({ built: true, toolchain: true, file: 'build/Release/eaddbench_sgx.node', emulator: EMU });
process.stdout.write(`eaddbench: native SGX binding built (build/Release/eaddbench_sgx.node) with the SGX driver emulator (${EMU})\n`);
