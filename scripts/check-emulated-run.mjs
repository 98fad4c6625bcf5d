#!/usr/bin/env node
/**
 * CI: the hardware backend end to end against the SGX driver emulators (docs/hardware-backend.md):
 * every workload at a small size on emu:mainline (mm-less) and emu:isgx (per-mm).
 * Exit 1 when any row is neither `ok` nor `rejected` (the driver's own refusal, e.g. sharing an
 * isgx enclave across mms), naming the rows; 0 otherwise. Needs `npm ci` (binding + emulator) and a build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'bench', 'cli.js');
const workloads = ['build', 'concurrent', 'mmap-contention', 'handover', 'shared', 'epc-pressure', 'teardown', 'replay'];
const sets = ['size=65536', 'total=262144', 'pressure=262144', `file=${path.join(root, 'workloads', 'streams', 'example.sgxs')}`].flatMap((s) => ['--set', s]);
const dir = mkdtempSync(path.join(tmpdir(), 'eaddbench-emu-ci-'));
let failed = false;
try {
  for (const [device, design] of [
    ['emu:mainline', 'mm-less'],
    ['emu:isgx', 'per-mm'],
  ]) {
    const out = path.join(dir, `${design}.csv`);
    const r = spawnSync(process.execPath, [cli, 'run', ...workloads, '--backend', 'sgx', '--device', device, '--design', design, ...sets, '--out', out], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      process.stderr.write(`${r.stdout}${r.stderr}check-emulated-run: ${device}: eaddbench run exited ${r.status}\n`);
      failed = true;
      continue;
    }
    const [head, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const oi = head.split(',').indexOf('outcome');
    const bad = rows.filter((row) => !['ok', 'rejected'].includes(row.split(',')[oi]));
    for (const row of bad.slice(0, 10)) process.stderr.write(`check-emulated-run: ${device}: ${row}\n`);
    if (bad.length > 0) failed = true;
    process.stdout.write(`check-emulated-run: ${device}: ${rows.length} rows, ${bad.length} neither ok nor rejected\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
