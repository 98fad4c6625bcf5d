/**
 * `run --backend sgx --trace DIR` end to end against the SGX driver emulators: every trace is
 * valid Trace Event Format in wall time; each thread and process that ran has its own track;
 * every add ioctl is a slice inside its add loop and its script op, as many per run as the
 * results counted; and the processes' timestamps share one clock (a barrier is left by every
 * process only after the last one reached it; a handed-over fd is received after it was sent;
 * the parent's run slice contains every child's slices).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { skipReason } from '../sgx/helpers.js';
import { trackNames, validateTrace, type TraceEvent, type TraceFile } from './validate.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eaddbench-hwtrace-'));
/** Timestamps are µs printed from integer ns. */
const EPS = 1e-3;

interface CsvRow {
  case_id: string;
  workload: string;
  design: string;
  outcome: string;
  metric: string;
  detail: string;
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly rows: CsvRow[];
  readonly traces: Map<string, TraceFile>;
}

function run(name: string, ...args: string[]): Run {
  const out = join(dir, `${name}.csv`);
  const tr = join(dir, name);
  const r = spawnSync(process.execPath, [CLI, 'run', ...args, '--backend', 'sgx', '--out', out, '--trace', tr], { encoding: 'utf8', cwd: dir });
  const rows = existsSync(out) ? (parse(readFileSync(out, 'utf8'), { columns: true }) as CsvRow[]) : [];
  const traces = new Map<string, TraceFile>();
  if (existsSync(tr)) for (const f of readdirSync(tr)) traces.set(f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(tr, f), 'utf8')) as TraceFile);
  return { status: r.status, stderr: r.stderr, rows, traces };
}

const slices = (doc: TraceFile): TraceEvent[] => doc.traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'aggregated');
const end = (e: TraceEvent): number => e.ts! + e.dur!;
const track = (e: TraceEvent): string => `${e.pid} ${e.tid}`;
function processNames(doc: TraceFile): Map<number, string> {
  return new Map(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid ?? -1, String(e.args?.['name'])]));
}

/** Checks every trace of a run, one per case that ran; returns them by case id. */
function checked(r: Run): Map<string, TraceFile> {
  assert.equal(r.status, 0, r.stderr);
  const ran = [...new Set(r.rows.filter((x) => x.outcome === 'ok').map((x) => x.case_id))].sort();
  assert.ok(ran.length > 0, 'no case ran');
  assert.deepEqual([...r.traces.keys()].sort(), ran);
  for (const [id, doc] of r.traces) {
    assert.deepEqual(validateTrace(doc), [], id);
    assert.equal(doc.otherData?.['clock'], 'wall');
    assert.equal(doc.otherData?.['clock_source'], 'CLOCK_MONOTONIC');
    assert.equal(doc.otherData?.['time_unit'], 'us');
    assert.equal(doc.otherData?.['case_id'], id);
  }
  return r.traces;
}

/** The one traced case of a run. */
function only(traces: Map<string, TraceFile>): [string, TraceFile] {
  assert.equal(traces.size, 1);
  return [...traces][0]!;
}

/** Each ioctl slice lies inside an `add loop` slice of its track, which lies inside an `add …` op slice. */
function assertNested(doc: TraceFile, ioctl: string): TraceEvent[] {
  const all = slices(doc);
  const calls = all.filter((e) => e.name === ioctl);
  assert.ok(calls.length > 0, `no ${ioctl} slices`);
  const within = (e: TraceEvent, name: RegExp): boolean =>
    all.some((p) => p !== e && name.test(p.name) && track(p) === track(e) && p.ts! <= e.ts! + EPS && end(e) <= end(p) + EPS);
  for (const c of calls) {
    assert.ok(within(c, /^add loop$/), `${ioctl} at ${c.ts} outside an add loop`);
    assert.ok(within(c, /^add (reg|tcs)$/), `${ioctl} at ${c.ts} outside an add op`);
  }
  return calls;
}

/** Add ioctls the results counted (the measured samples; the trace also has the warm-up). */
function measuredIoctls(rows: CsvRow[], caseId: string): number {
  const row = rows.find((x) => x.case_id === caseId && x.metric === 'ioctl_latency_p50');
  const m = /(\d+) add ioctls/.exec(row?.detail ?? '');
  assert.ok(m, `no ioctl count in ${row?.detail}`);
  return Number(m[1]);
}

test('emu:mainline build: one ADD_PAGES slice per ioctl, nested in its add loop and op, as many per run as measured', { skip: skipReason }, () => {
  const r = run('build', 'build', '--design', 'mm-less', '--device', 'emu:mainline', '--set', 'size=256KiB', '--set', 'batch=8');
  const [id, doc] = only(checked(r));
  const calls = assertNested(doc, 'SGX_IOC_ENCLAVE_ADD_PAGES');
  // A warm-up and 5 samples, each with the same ioctls: 1 TCS page + 63 pages in batches of 8.
  const runs = slices(doc).filter((e) => /^(warm-up|sample \d)$/.test(e.name));
  assert.deepEqual(
    runs.map((e) => e.name),
    ['warm-up', 'sample 1', 'sample 2', 'sample 3', 'sample 4', 'sample 5'],
  );
  assert.equal(calls.length, 6 * 9);
  assert.equal(measuredIoctls(r.rows, id), 5 * 9);
  for (const name of ['SGX_IOC_ENCLAVE_CREATE', 'SGX_IOC_ENCLAVE_INIT', 'mmap (reserve ELRANGE)', 'open', 'close', 'munmap'])
    assert.equal(slices(doc).filter((e) => e.name === name).length, 6, name);
  // The script's track and the harness's, in one process (the case worker).
  assert.deepEqual([...trackNames(doc).values()].sort(), ['builder', 'runs']);
});

test('emu:isgx build: one ADD_PAGE slice per page and run, one INIT per run', { skip: skipReason }, () => {
  const r = run('isgx', 'build', '--design', 'per-mm', '--device', 'emu:isgx', '--set', 'size=64KiB');
  const [id, doc] = only(checked(r));
  const calls = assertNested(doc, 'SGX_IOC_ENCLAVE_ADD_PAGE');
  assert.equal(calls.length, 6 * 16);
  assert.equal(measuredIoctls(r.rows, id), 5 * 16);
  const inits = slices(doc).filter((e) => e.name === 'SGX_IOC_ENCLAVE_INIT');
  assert.equal(inits.length, 6);
});

test('emu:mainline concurrent: a process per builder, on one clock with the parent', { skip: skipReason }, () => {
  const r = run('conc', 'concurrent', '--design', 'mm-less', '--device', 'emu:mainline', '--set', 'size=64KiB', '--set', 'builders=3');
  const [, doc] = only(checked(r));
  const procs = processNames(doc);
  const builders = [...procs.values()].filter((n) => /^builder\d \(pid \d+\)$/.test(n));
  assert.equal(builders.length, 3);
  // Distinct OS processes, and not the case worker's.
  const pids = new Set([...procs.values()].map((n) => /pid (\d+)/.exec(n)?.[1]));
  assert.equal(pids.size, 4);
  const all = slices(doc);
  const parent = all.find((e) => e.name === 'run');
  assert.ok(parent);
  const children = all.filter((e) => /^builder/.test(procs.get(e.pid ?? -1) ?? ''));
  assert.ok(children.length > 0);
  for (const c of children) assert.ok(c.ts! >= parent.ts! - EPS && end(c) <= end(parent) + EPS, `${c.name} outside the parent's run`);
  assert.equal(all.filter((e) => e.name === 'SGX_IOC_ENCLAVE_ADD_PAGES').length, 3 * 2);
});

test('emu:mainline handover: barriers and fd passing line up across processes (one clock base)', { skip: skipReason }, () => {
  const r = run('hand', 'handover', '--design', 'mm-less', '--device', 'emu:mainline', '--set', 'size=64KiB', '--set', 'clients=3', '--set', 'rate=1000');
  const [, doc] = only(checked(r));
  const procs = processNames(doc);
  const of = (e: TraceEvent): string => (procs.get(e.pid ?? -1) ?? '').replace(/ \(pid \d+\)$/, '');
  const all = slices(doc);
  const barrier = all.filter((e) => e.name === 'barrier pool-ready');
  assert.equal(new Set(barrier.map(of)).size, 4, 'the daemon and 3 clients reach the barrier');
  const lastIn = Math.max(...barrier.map((e) => e.ts!));
  for (const b of barrier) assert.ok(end(b) >= lastIn - EPS, `${of(b)} left the barrier at ${end(b)} before the last arrival at ${lastIn}`);
  const sends = all.filter((e) => e.name === 'send-fd');
  assert.equal(sends.length, 3);
  for (const s of sends) {
    const to = Number(s.args?.['to']);
    const recv = all.find((e) => e.name === 'recv-fd' && of(e) === `client${to - 100}`);
    assert.ok(recv, `client of ${to} received nothing`);
    assert.ok(end(recv) >= s.ts! - EPS, `client${to - 100} received (${end(recv)}) before the daemon sent (${s.ts})`);
  }
});

test('emu:mainline mmap-contention: a track per thread (the builder and each application thread) of one process', { skip: skipReason }, () => {
  const r = run('mmc', 'mmap-contention', '--design', 'mm-less', '--device', 'emu:mainline', '--set', 'size=256KiB', '--set', 'threads=2');
  const [, doc] = only(checked(r));
  const procs = processNames(doc);
  const names = trackNames(doc);
  const ofMm = [...names].filter(([k]) => /^mm1 /.test(procs.get(Number(k.split(' ')[0])) ?? '')).map(([, n]) => n);
  assert.deepEqual(ofMm.filter((n) => !n.endsWith('(aggregated)')).sort(), ['app-faults0', 'app-faults1', 'app-mmap-churn0', 'app-mmap-churn1', 'builder']);
  const all = doc.traceEvents.filter((e) => e.ph === 'X');
  const on = (thread: string, name: RegExp): number => all.filter((e) => names.get(track(e))?.startsWith(thread) && name.test(e.name)).length;
  assert.ok(on('app-faults0', /^touch \(faults\)/) > 0);
  assert.ok(on('app-mmap-churn0', /^munmap/) > 0);
  assert.ok(on('builder', /^SGX_IOC_ENCLAVE_ADD_PAGES/) > 0);
});

test('sgx --trace where the hardware cannot run: the cases are skipped and no trace is written', () => {
  const r = run('none', 'build', '--design', 'mm-less', '--device', '/dev/eaddbench-no-such-device', '--set', 'size=64KiB');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.rows.length > 0 && r.rows.every((x) => x.outcome === 'skipped'));
  assert.equal(r.traces.size, 0);
});
