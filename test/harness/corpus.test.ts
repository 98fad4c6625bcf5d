/**
 * Bad-input corpus: every command × every class of bad input (output paths, special and huge
 * files, values outside what the model runs, ambiguous flags). For each case: the exit status
 * (2 bad input, 1 a failed check), a message naming the flag, field, path or record, no stack
 * trace, no file created or changed in the working folder, and an answer within a time bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/reports/model.csv', import.meta.url));
const TIME_BOUND_MS = 20_000;

/** Every file below `dir` with its size and mtime: a case must leave this unchanged. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st === undefined) continue;
      out.push(`${p} ${st.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.join('\n');
}

interface Case {
  readonly name: string;
  readonly args: (d: string) => string[];
  readonly status: 1 | 2;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  // 1. output paths, checked before any work
  { name: 'run --out a directory', args: (d) => ['run', 'build', '--out', join(d, 'dir')], status: 2, message: /--out .*dir/ },
  {
    name: 'run --out under a regular file',
    args: (d) => ['run', 'build', '--out', join(d, 'file', 'x.csv')],
    status: 2,
    message: /--out .*file.* is a regular file, not a directory/,
  },
  {
    name: 'run --out under /proc (new dir)',
    args: () => ['run', 'build', '--out', '/proc/eaddbench-no-such/x.csv'],
    status: 2,
    message: /--out \/proc\/eaddbench-no-such\/x\.csv: is under \/proc/,
  },
  { name: 'run --out under /sys', args: () => ['run', 'build', '--out', '/sys/x.csv'], status: 2, message: /--out \/sys\/x\.csv: is under \/sys/ },
  {
    name: 'report --out where index.html is a directory',
    args: (d) => ['report', FIXTURE, '--out', join(d, 'rep')],
    status: 2,
    message: /--out .*index\.html: is a directory/,
  },
  {
    name: 'report --out under /proc',
    args: () => ['report', FIXTURE, '--out', '/proc/eaddbench-no-such'],
    status: 2,
    message: /\/proc\/eaddbench-no-such.*is under \/proc/,
  },
  { name: 'merge --out a directory', args: (d) => ['merge', FIXTURE, '--out', join(d, 'dir')], status: 2, message: /--out .*dir: is a directory/ },
  { name: 'merge --out under /proc', args: () => ['merge', FIXTURE, '--out', '/proc/eaddbench-no-such/m.csv'], status: 2, message: /is under \/proc/ },
  { name: 'keygen --out under a regular file', args: (d) => ['keygen', '--out', join(d, 'file', 'k.pem')], status: 2, message: /k\.pem.*not a directory/ },
  // 4. special files and huge inputs
  {
    name: 'run --sensitivity with --shard',
    args: (d) => ['run', 'build', '--draws', '4', '--sensitivity', '--shard', '1/2', '--out', join(d, 'new.csv')],
    status: 2,
    message: /--sensitivity cannot be combined with --shard/,
  },
  {
    name: 'run --profile /dev/zero',
    args: (d) => ['run', 'build', '--profile', '/dev/zero', '--out', join(d, 'new.csv')],
    status: 2,
    message: /--profile: profile \/dev\/zero: is a character device/,
  },
  {
    name: 'run --profile a FIFO',
    args: (d) => ['run', 'build', '--profile', join(d, 'fifo'), '--out', join(d, 'new.csv')],
    status: 2,
    message: /fifo: is a FIFO/,
  },
  { name: 'run --profile a directory', args: (d) => ['run', 'build', '--profile', join(d, 'dir'), '--out', join(d, 'new.csv')], status: 2, message: /dir/ },
  { name: 'report /dev/zero', args: (d) => ['report', '/dev/zero', '--out', join(d, 'newrep')], status: 2, message: /\/dev\/zero: is a character device/ },
  { name: 'report a FIFO', args: (d) => ['report', join(d, 'fifo'), '--out', join(d, 'newrep')], status: 2, message: /fifo: is a FIFO/ },
  { name: 'compare /dev/zero', args: () => ['compare', '/dev/zero', FIXTURE], status: 2, message: /\/dev\/zero: is a character device/ },
  { name: 'merge a FIFO', args: (d) => ['merge', join(d, 'fifo'), '--out', join(d, 'm.csv')], status: 2, message: /fifo: is a FIFO/ },
  { name: 'sigstruct /dev/zero', args: () => ['sigstruct', '/dev/zero'], status: 2, message: /\/dev\/zero: is a character device/ },
  { name: 'sigstruct a FIFO', args: (d) => ['sigstruct', join(d, 'fifo')], status: 2, message: /fifo: is a FIFO/ },
  { name: 'sigstruct a file too large', args: (d) => ['sigstruct', join(d, 'big.bin')], status: 2, message: /big\.bin.*1808/ },
  { name: 'measure /dev/zero', args: () => ['measure', '/dev/zero'], status: 2, message: /\/dev\/zero: is a character device/ },
  { name: 'replay of /dev/zero', args: (d) => ['run', 'replay', '--set', 'file=/dev/zero', '--out', join(d, 'new.csv')], status: 2, message: /\/dev\/zero/ },
  // 3. malformed but well-sized input
  { name: 'sigstruct with modulus 1', args: (d) => ['sigstruct', join(d, 'mod1.bin')], status: 1, message: /MODULUS|modulus/ },
  // 5. values that pass a loose check but break the model
  {
    name: 'handover rate=1e-300',
    args: (d) => ['run', 'handover', '--set', 'rate=1e-300', '--out', join(d, 'new.csv')],
    status: 2,
    message: /parameter 'rate' of workload 'handover'.*≥ 0\.01/,
  },
  {
    name: 'mmap-contention fault_rate=0',
    args: (d) => ['run', 'mmap-contention', '--set', 'fault_rate=0', '--out', join(d, 'new.csv')],
    status: 2,
    message: /parameter 'fault_rate'.*≥ 1/,
  },
  {
    name: 'profile cost 1e306',
    args: (d) => ['run', 'build', '--profile', join(d, 'huge-cost.json'), '--out', join(d, 'new.csv')],
    status: 2,
    message: /field 'costs\.eadd'.*from 0 to 1000000000/,
  },
  {
    name: 'replay with ECREATE size 2^44',
    args: (d) => ['run', 'replay', '--set', `file=${join(d, 'big.sgxs')}`, '--out', join(d, 'new.csv')],
    status: 2,
    message: /ECREATE size 0x100000000000 is larger than a replay can run/,
  },
  // 6. ambiguity
  {
    name: 'run --seed twice',
    args: (d) => ['run', 'build', '--seed', '1', '--seed', '2', '--out', join(d, 'new.csv')],
    status: 2,
    message: /--seed given twice/,
  },
  { name: 'run --out twice', args: (d) => ['run', 'build', '--out', join(d, 'a.csv'), '--out', join(d, 'b.csv')], status: 2, message: /--out given twice/ },
  {
    name: 'run --backend twice',
    args: (d) => ['run', 'build', '--backend', 'model', '--backend', 'sgx', '--out', join(d, 'new.csv')],
    status: 2,
    message: /--backend given twice/,
  },
  { name: 'report --out twice', args: (d) => ['report', FIXTURE, '--out', join(d, 'r1'), '--out', join(d, 'r2')], status: 2, message: /--out given twice/ },
  {
    name: 'builders=1e1 (integers are digits)',
    args: (d) => ['run', 'concurrent', '--set', 'builders=1e1', '--out', join(d, 'new.csv')],
    status: 2,
    message: /parameter 'builders'.*'1e1' is not valid; expected an integer/,
  },
  { name: '--seed 1e1', args: (d) => ['run', 'build', '--seed', '1e1', '--out', join(d, 'new.csv')], status: 2, message: /--seed '1e1' is invalid/ },
  { name: 'schema --markdown --json', args: () => ['schema', '--markdown', '--json'], status: 2, message: /--markdown and --json/ },
  { name: 'schema --json twice', args: () => ['schema', '--json', '--json'], status: 2, message: /--json given twice/ },
  { name: 'unknown flag', args: () => ['list', '--bogus'], status: 2, message: /--bogus/ },
];

test('bad-input corpus: exit status, a message naming the thing, no stack trace, nothing written, bounded time', () => {
  const d = mkdtempSync(join(tmpdir(), 'eaddbench-corpus-'));
  try {
    writeFileSync(join(d, 'file'), 'x');
    mkdirSync(join(d, 'dir'));
    mkdirSync(join(d, 'rep', 'index.html'), { recursive: true });
    execFileSync('mkfifo', [join(d, 'fifo')]);
    writeFileSync(join(d, 'big.bin'), Buffer.alloc(4096));
    // A SIGSTRUCT-sized file with modulus 1 (byte offset 128, little-endian) and signature 0.
    const mod1 = Buffer.alloc(1808);
    mod1[128] = 1;
    writeFileSync(join(d, 'mod1.bin'), mod1);
    // An SGXS stream of one ECREATE record with size 2^44.
    const sgxs = Buffer.alloc(64);
    sgxs.write('ECREATE\0', 'latin1');
    sgxs.writeUInt32LE(1, 8);
    sgxs.writeBigUInt64LE(2n ** 44n, 12);
    writeFileSync(join(d, 'big.sgxs'), sgxs);
    const profile = JSON.parse(execFileSync(process.execPath, [CLI, 'list', 'profiles', '--json'], { encoding: 'utf8' })) as unknown[];
    assert.ok(profile.length > 0);
    const shipped = JSON.parse(
      execFileSync('cat', [fileURLToPath(new URL('../../../backends/model/profiles/skylake-client.json', import.meta.url))], { encoding: 'utf8' }),
    ) as { costs: Record<string, { value: number }> };
    shipped.costs['eadd']!.value = 1e306;
    writeFileSync(join(d, 'huge-cost.json'), JSON.stringify(shipped));
    chmodSync(join(d, 'file'), 0o644);

    const before = snapshot(d);
    const failures: string[] = [];
    for (const c of CASES) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [CLI, ...c.args(d)], { encoding: 'utf8', timeout: TIME_BOUND_MS, killSignal: 'SIGKILL' });
      const ms = Date.now() - t0;
      const why: string[] = [];
      if (r.error || r.signal) why.push(`did not answer within ${TIME_BOUND_MS} ms (${r.signal ?? r.error?.message})`);
      if (r.status !== c.status) why.push(`exit ${r.status}, expected ${c.status}`);
      if (!c.message.test(r.stderr)) why.push(`message ${JSON.stringify(r.stderr.slice(0, 300))} does not match ${c.message}`);
      if (/^\s+at .+:\d+:\d+\)?$/m.test(r.stderr) || /internal error/.test(r.stderr)) why.push('stack trace or internal error');
      const after = snapshot(d);
      if (after !== before) why.push('files in the working folder were created or changed');
      if (why.length > 0) failures.push(`${c.name} (${ms} ms): ${why.join('; ')}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
