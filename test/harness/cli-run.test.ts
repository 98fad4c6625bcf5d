/** End-to-end tests of `eaddbench run` on the model: exit statuses, files, determinism, interrupts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { COLUMN_NAMES } from '../../results/schema.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eaddbench-run-'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
}

/** The file without its run_id column. */
function withoutRunId(path: string): string[][] {
  const records = parse(readFileSync(path, 'utf8')) as string[][];
  const col = COLUMN_NAMES.indexOf('run_id');
  return records.map((r) => r.filter((_, i) => i !== col));
}

test('bad input exits 2 with a message naming the flag or field, and writes nothing', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'nosuch'], /unknown workload 'nosuch'; valid workloads: build/],
    [['run', 'build', '--design', 'per-mmm'], /--design: unknown design 'per-mmm'; valid presets: per-mm, mm-less/],
    [['run', 'build', '--design', 'base=per-mm,workers=0'], /design knob 'workers' has invalid value '0'; valid: an integer in 1..64/],
    [['run', 'build', '--profile', 'nosuch'], /--profile/],
    [['run', 'build', '--set', 'size'], /--set 'size' is malformed/],
    [['run', 'build', '--set', 'colour=red'], /unknown parameter 'colour'/],
    [['run', 'build', '--set', 'size=0'], /parameter 'size' of workload 'build'/],
    [['run', 'build', '--set', 'size=lots'], /parameter 'size' of workload 'build': 'lots' is not valid/],
    [['run', 'build', '--set', 'batch=0'], /parameter 'batch'/],
    [['run', 'build', '--workers', '0'], /--workers '0' is invalid; expected an integer from 1 to 256/],
    [['run', 'build', '--shard', '3/2'], /--shard '3\/2' is invalid/],
    [['run', 'build', '--backend', 'qemu'], /--backend 'qemu' is unknown; valid: model, sgx/],
    [['run', 'build', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['run'], /at least one WORKLOAD/],
  ];
  for (const [args, pattern] of cases) {
    const out = join(dir, 'bad.csv');
    const r = cli(...args, '--out', out);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.ok(!existsSync(out), `${args.join(' ')} left a file`);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.csv')),
    [],
  );
});

test('identical inputs and seed give identical rows apart from run_id, whatever --workers is', () => {
  const args = ['run', 'build', 'concurrent', '--set', 'size=256KiB,512KiB', '--set', 'builders=2', '--seed', '7', '--repeat', '2'];
  const a = join(dir, 'w1.csv');
  const b = join(dir, 'w2.csv');
  assert.equal(cli(...args, '--workers', '1', '--out', a).status, 0);
  assert.equal(cli(...args, '--workers', '2', '--out', b).status, 0);
  const ra = withoutRunId(a);
  assert.ok(ra.length > 10);
  assert.deepEqual(ra, withoutRunId(b));
  assert.deepEqual(
    ra[0],
    COLUMN_NAMES.filter((c) => c !== 'run_id'),
  );
  const valueCol = COLUMN_NAMES.indexOf('value') - 1;
  for (const r of ra.slice(1)) assert.match(r[valueCol]!, /^(-?\d+(\.\d+)?)?$/, 'plain decimal values');
});

test('shards of a sweep together hold exactly the rows of the whole sweep', () => {
  const args = ['run', 'build', '--set', 'size=256KiB,512KiB,1MiB', '--workers', '1'];
  const whole = join(dir, 'whole.csv');
  assert.equal(cli(...args, '--out', whole).status, 0);
  const parts = [1, 2, 3].map((i) => {
    const p = join(dir, `shard${i}.csv`);
    assert.equal(cli(...args, '--shard', `${i}/3`, '--out', p).status, 0);
    return withoutRunId(p).slice(1);
  });
  const sort = (rows: string[][]) => rows.map((r) => r.join('|')).sort();
  assert.deepEqual(sort(parts.flat()), sort(withoutRunId(whole).slice(1)));
});

test('the default --out is a timestamped file and results/latest.csv points at it', () => {
  const r = cli('run', 'build', '--set', 'size=256KiB', '--design', 'mm-less', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(join(dir, 'results'));
  const stamped = files.filter((f) => /^\d{8}T\d{6}Z-\d+\.csv$/.test(f));
  assert.equal(stamped.length, 1);
  assert.equal(readFileSync(join(dir, 'results', 'latest.csv'), 'utf8'), readFileSync(join(dir, 'results', stamped[0]!), 'utf8'));
  assert.match(r.stdout, /build_time_p50/);
});

test('SIGINT mid-run leaves a valid CSV with every finished case and reports how many finished', async () => {
  const out = join(dir, 'interrupted.csv');
  const child = spawn(
    process.execPath,
    [CLI, 'run', 'build', '--set', 'size=1MiB,2MiB,4MiB,8MiB,16MiB,32MiB,64MiB,128MiB', '--repeat', '20', '--workers', '1', '--out', out],
    { cwd: dir },
  );
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // Interrupt once (a second SIGINT would be the user insisting) after a few progress lines.
    if (!sent && (stderr.match(/\] /g) ?? []).length >= 2) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code: number | null = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  const m = /interrupted by SIGINT: (\d+) of (\d+) cases finished/.exec(stderr);
  assert.ok(m, stderr);
  const finished = Number(m[1]);
  assert.ok(finished >= 3 && finished < Number(m[2]));
  const records = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.equal(new Set(records.map((r) => r['case_id'])).size, finished);
});
