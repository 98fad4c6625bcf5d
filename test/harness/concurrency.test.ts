/**
 * One writer per results file, and nothing lost or mixed when runs overlap or die:
 * - a second run on an --out that a live run is writing is refused (exit 2) and changes nothing;
 * - kill -9 mid-run over an existing file leaves that file byte for byte as it was, and the next
 *   run on it takes the stale lock over and writes only its own rows;
 * - an interrupted run (SIGINT) keeps the old file intact and its finished rows in a named
 *   partial file marked `+partial`; a new run afterwards writes only its own run_id;
 * - the row count a run prints equals the rows in its file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
/** Eight cases of about a second each on one worker: long enough to interfere with. */
const LONG = ['run', 'build', '--set', 'size=1GiB,512MiB', '--workers', '1'];
const SHORT = ['run', 'build', '--set', 'size=64KiB'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
}

function runIds(file: string): Map<string, number> {
  const recs = parse(readFileSync(file, 'utf8'), { columns: true }) as { run_id: string }[];
  const m = new Map<string, number>();
  for (const r of recs) m.set(r.run_id, (m.get(r.run_id) ?? 0) + 1);
  return m;
}

function printedRows(stderr: string): number {
  const m = /(\d+) rows \(clock: model\)/.exec(stderr);
  assert.ok(m, stderr);
  return Number(m[1]);
}

function partials(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.partial.csv'));
}

test("a second run on the same --out is refused while the first writes; the printed count is the file's", async () => {
  const d = mkdtempSync(join(tmpdir(), 'eaddbench-conc-'));
  try {
    const out = join(d, 'r.csv');
    const a = spawn(process.execPath, [CLI, ...LONG, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let aErr = '';
    a.stderr!.on('data', (b: Buffer) => (aErr += b.toString()));
    await until('the first run to take the lock', () => existsSync(join(d, '.r.csv.lock')));
    const b = spawnSync(process.execPath, [CLI, ...SHORT, '--out', out], { encoding: 'utf8' });
    assert.equal(b.status, 2, b.stderr);
    assert.match(b.stderr, /--out .*r\.csv: is being written by another eaddbench run \(pid \d+/);
    const { code } = await exited(a);
    assert.equal(code, 0, aErr);
    const ids = runIds(out);
    assert.equal(ids.size, 1, 'one run in the file');
    assert.equal([...ids.values()][0], printedRows(aErr));
    assert.equal(existsSync(join(d, '.r.csv.lock')), false, 'lock released');
    assert.deepEqual(partials(d), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('kill -9 mid-run over an existing file leaves it intact; the next run takes over and writes only its rows', async () => {
  const d = mkdtempSync(join(tmpdir(), 'eaddbench-conc-'));
  try {
    const out = join(d, 'r.csv');
    const first = spawnSync(process.execPath, [CLI, ...SHORT, '--out', out], { encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const old = readFileSync(out);
    const a = spawn(process.execPath, [CLI, ...LONG, '--out', out], { stdio: 'ignore' });
    await until('a finished case in the partial file', () => partials(d).some((p) => readFileSync(join(d, p), 'utf8').split('\n').length > 3));
    a.kill('SIGKILL');
    assert.equal((await exited(a)).signal, 'SIGKILL');
    assert.deepEqual(readFileSync(out), old, 'the old file is byte for byte intact');
    const next = spawnSync(process.execPath, [CLI, ...SHORT, '--seed', '2', '--out', out], { encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    const ids = runIds(out);
    assert.equal(ids.size, 1, 'only the new run');
    assert.equal([...ids.values()][0], printedRows(next.stderr));
    assert.notDeepEqual(readFileSync(out), old);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an interrupted run keeps the old file and its finished rows apart; a new run then writes only its own', async () => {
  const d = mkdtempSync(join(tmpdir(), 'eaddbench-conc-'));
  try {
    const out = join(d, 'r.csv');
    assert.equal(spawnSync(process.execPath, [CLI, ...SHORT, '--out', out]).status, 0);
    const old = readFileSync(out);
    const a = spawn(process.execPath, [CLI, ...LONG, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let aErr = '';
    a.stderr!.on('data', (b: Buffer) => (aErr += b.toString()));
    await until('a finished case', () => /\[1\/8\]/.test(aErr));
    a.kill('SIGINT');
    await exited(a);
    assert.deepEqual(readFileSync(out), old, 'old file unchanged');
    const [partial] = partials(d);
    assert.ok(partial, `a partial file is kept (${aErr})`);
    assert.match(aErr, new RegExp(`(\\d+) rows in .*${partial!.replace(/[.+]/g, '\\$&')}`));
    const kept = runIds(join(d, partial!));
    assert.equal(kept.size, 1);
    assert.match([...kept.keys()][0]!, /\+partial$/);
    assert.equal([...kept.values()][0], Number(/(\d+) rows in /.exec(aErr)![1]), 'printed count = rows kept');
    const next = spawnSync(process.execPath, [CLI, ...SHORT, '--seed', '5', '--out', out], { encoding: 'utf8' });
    assert.equal(next.status, 0, next.stderr);
    assert.equal(runIds(out).size, 1);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
