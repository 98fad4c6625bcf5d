/**
 * `run --trace DIR`: every trace of a small suite run obeys the Trace Event Format's rules;
 * the per-mm worker's EADDs never overlap and its queue-depth counter peaks at the
 * queue_depth_max metric; a per-mm,release=sync teardown shows both waits of its deadlock
 * cycle; traces are byte-identical across runs; a bad --trace exits 2 before any case runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { runCaseSync } from '../../backends/model/backend.js';
import { spec } from '../model/helpers.js';
import { trackNames, validateTrace, type TraceFile } from './validate.js';

const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eaddbench-trace-'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir });
}

function load(file: string): TraceFile {
  return JSON.parse(readFileSync(file, 'utf8')) as TraceFile;
}

interface CsvRow {
  case_id: string;
  workload: string;
  design: string;
  params: string;
  outcome: string;
  metric: string;
  value: string;
}

// One small suite run shared by the tests below: every workload family whose designs differ.
const suiteDir = join(dir, 'suite');
const suiteCsv = join(dir, 'suite.csv');
const designs = ['per-mm,mm-less,attach,per-mm-sync', 'per-mm,release=sync'];
const run = cli(
  'run',
  'build',
  'concurrent',
  'mmap-contention',
  'teardown',
  'epc-pressure',
  ...designs.flatMap((d) => ['--design', d]),
  '--set',
  'size=2MiB',
  '--set',
  'builders=2',
  '--set',
  'total=96MiB',
  '--set',
  'mode=unmap',
  '--trace-window',
  '1',
  '--workers',
  '2',
  '--out',
  suiteCsv,
  '--trace',
  suiteDir,
);
const rows = existsSync(suiteCsv) ? (parse(readFileSync(suiteCsv, 'utf8'), { columns: true }) as CsvRow[]) : [];

function caseRows(workload: string, design: string): CsvRow[] {
  return rows.filter((r) => r.workload === workload && r.design === design);
}

test('every trace of a small suite run is valid Trace Event Format, one per case that ran', () => {
  assert.equal(run.status, 0, run.stderr);
  const ran = new Set(rows.filter((r) => r.outcome === 'ok' || r.outcome === 'deadlock').map((r) => r.case_id));
  const files = readdirSync(suiteDir).sort();
  assert.deepEqual(
    files,
    [...ran].sort().map((id) => `${id}.json`),
  );
  let aggregated = 0;
  for (const f of files) {
    const doc = load(join(suiteDir, f));
    assert.deepEqual(validateTrace(doc), [], f);
    assert.equal(doc.otherData?.['case_id'], f.replace(/\.json$/, ''));
    assert.equal(doc.otherData?.['clock'], 'model');
    aggregated += Number(doc.otherData?.['aggregated_items']);
  }
  // --trace-window 1: the longer cases fold their middle into aggregated buckets.
  assert.ok(aggregated > 0, 'no case was long enough to aggregate');
});

test('per-mm concurrent: the worker EADDs one page at a time, and queue depth peaks at queue_depth_max', () => {
  const r = caseRows('concurrent', 'per-mm');
  assert.ok(r.length > 0);
  const doc = load(join(suiteDir, `${r[0]!.case_id}.json`));
  const names = trackNames(doc);
  const worker = [...names].filter(([, n]) => /^kworker\d+$/.test(n)).map(([k]) => k);
  assert.equal(worker.length, 1);
  const eadds = doc.traceEvents.filter((e) => e.ph === 'X' && `${e.pid} ${e.tid}` === worker[0] && e.name.startsWith('EADD')).sort((a, b) => a.ts! - b.ts!);
  assert.ok(eadds.length > 20, `${eadds.length} worker EADDs`);
  for (let i = 1; i < eadds.length; i++) assert.ok(eadds[i]!.ts! >= eadds[i - 1]!.ts! + eadds[i - 1]!.dur! - 1e-3, `EADD ${i} overlaps the one before`);
  const depth = doc.traceEvents.filter((e) => e.ph === 'C' && e.name === 'queue depth').map((e) => Number(e.args?.['value']));
  const metric = Number(r.find((x) => x.metric === 'queue_depth_max')!.value);
  assert.ok(metric > 1);
  assert.equal(Math.max(...depth), metric);
  // Flow arrows from the builders' ADD_PAGE requests to the worker's EADDs.
  const heads = doc.traceEvents.filter((e) => e.ph === 'f');
  assert.ok(heads.length > 0 && heads.every((e) => `${e.pid} ${e.tid}` === worker[0]));
});

test('a per-mm,release=sync teardown ends in deadlock and its trace shows both waits of the cycle', () => {
  const r = caseRows('teardown', 'per-mm,release=sync');
  assert.equal(r[0]?.outcome, 'deadlock');
  const doc = load(join(suiteDir, `${r[0]!.case_id}.json`));
  const names = trackNames(doc);
  const on = (name: RegExp, track: RegExp) =>
    doc.traceEvents.find((e) => e.ph === 'X' && name.test(e.name) && track.test(names.get(`${e.pid} ${e.tid}`) ?? '') && e.args?.['unfinished'] === true);
  assert.ok(on(/^mmap_sem\(mm1\) read$/, /^kworker0$/), 'the worker waiting for mmap_sem');
  assert.ok(on(/^flush_work\(encl1\.add_page_work\)$/, /^(?!kworker)/), 'the unmapper waiting for the queued work');
  const cycle = doc.traceEvents.find((e) => e.ph === 'i' && e.name === 'deadlock');
  assert.match(String(cycle?.args?.['cycle']), /holds mmap_sem\(mm1\) \[write\] and waits for flush_work/);
});

test('the same case and seed give a byte-identical trace', () => {
  const a = join(dir, 'det-a');
  const b = join(dir, 'det-b');
  const s = spec('mmap-contention', 'per-mm', { size: 4 * 1024 * 1024 });
  runCaseSync({ ...s, caseId: 'det', options: { trace: a, trace_window_ms: '1' } });
  runCaseSync({ ...spec('concurrent', 'attach', { builders: 3 }), caseId: 'other', options: { trace: a } });
  runCaseSync({ ...s, caseId: 'det', options: { trace: b, trace_window_ms: '1' } });
  const x = readFileSync(join(a, 'det.json'));
  assert.ok(x.length > 1000);
  assert.ok(x.equals(readFileSync(join(b, 'det.json'))));
  // The traced result is the untraced one.
  assert.deepEqual(runCaseSync({ ...s, caseId: 'det', options: { trace: b } }), runCaseSync(s));
});

test('a 1 GiB measured build traces in well under 50 MB, still valid', () => {
  const d = join(dir, 'big');
  const r = runCaseSync({ ...spec('build', 'per-mm', { size: 1024 ** 3, measure: 1 }), caseId: 'big', options: { trace: d } });
  assert.equal(r.outcome, 'ok');
  const f = join(d, 'big.json');
  assert.ok(statSync(f).size < 50 * 1024 * 1024, `${statSync(f).size} bytes`);
  const doc = load(f);
  assert.deepEqual(validateTrace(doc), []);
  assert.ok(Number(doc.otherData?.['aggregated_items']) > 0);
});

test('--trace to a place that cannot be written exits 2 naming the flag and path, before any case runs', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const ro = join(dir, 'ro');
  cli('run', 'build', '--set', 'size=1MiB', '--design', 'mm-less', '--out', join(dir, 'mk.csv'), '--trace', join(ro, 'sub'));
  chmodSync(ro, 0o500);
  const cases: [string, RegExp][] = [
    [join(file, 'sub'), /--trace .*a-file.* not a directory/],
    ['/proc/eaddbench-trace', /--trace \/proc\/eaddbench-trace: is under \/proc/],
  ];
  if (process.getuid?.() !== 0) cases.push([join(ro, 'sub2'), /--trace .*ro.*permission denied/]);
  for (const [where, pattern] of cases) {
    const out = join(dir, 'bad-trace.csv');
    const r = cli('run', 'build', '--set', 'size=1MiB', '--out', out, '--trace', where);
    assert.equal(r.status, 2, `${where}: ${r.status} ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!existsSync(out), `${where}: wrote ${out}`);
  }
  chmodSync(ro, 0o700);
  const w = cli('run', 'build', '--trace-window', '3', '--out', join(dir, 'w.csv'));
  assert.equal(w.status, 2);
  assert.match(w.stderr, /--trace-window needs --trace DIR/);
});
