/**
 * `fit --observations RESULTS.csv`: a hardware results CSV read as observations (the closed loop
 * run on the SGX driver emulator → fit → profile), and results files it must refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tmp } from '../uncertainty/helpers.js';
import { skipReason } from '../sgx/helpers.js';

test('fit reads an sgx results CSV: one observation per case and time median, valued at the median over repeats; the fitted cost names the file', {
  skip: skipReason,
}, () => {
  const d = tmp();
  const hw = join(d, 'hw.csv');
  const run = cli(
    'run',
    'build',
    '--backend',
    'sgx',
    '--device',
    'emu:mainline',
    '--design',
    'mm-less',
    '--set',
    'size=1MiB,2MiB',
    '--set',
    'measure=0',
    '--repeat',
    '2',
    '--out',
    hw,
  );
  assert.equal(run.status, 0, run.stderr);
  const lines = readFileSync(hw, 'utf8').trim().split('\n').slice(1);
  const p50 = lines.filter((l) => l.includes(',build_time_p50,'));
  assert.equal(p50.length, 4, 'two sizes × two repeats');
  const out = join(d, 'p.json');
  const r = cli('fit', '--profile', 'skylake-client', '--observations', hw, '--free', 'eadd', '--out', out, '--json', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { rows: { id: string; role: string; measured: number; relUncertainty: number }[] };
  const builds = report.rows.filter((x) => x.id.startsWith('build/mm-less/build_time_p50@'));
  assert.equal(builds.length, 2, 'one observation per size');
  for (const b of builds) {
    assert.equal(b.role, 'fit');
    const line = Number(b.id.split('@')[1]);
    const size = lines[line - 2]!.match(/;size=(\d+)/)![1];
    const values = p50.filter((l) => new RegExp(`;size=${size}[;,]`).test(l)).map((l) => Number(l.split(',')[14]));
    assert.equal(b.measured, (values[0]! + values[1]!) / 2, 'median of two repeats');
    assert.ok(b.relUncertainty >= 0.02);
  }
  const eadd = (JSON.parse(readFileSync(out, 'utf8')) as { costs: Record<string, { grade: string; source: string }> }).costs['eadd']!;
  assert.equal(eadd.grade, 'fitted');
  assert.ok(eadd.source.includes('hw.csv'), eadd.source);
});

test('fit refuses a results CSV with no hardware time medians (a model run) and one mixing emulated with hardware rows: exit 2, nothing written', () => {
  const d = tmp();
  const model = join(d, 'model.csv');
  assert.equal(cli('run', 'build', '--design', 'mm-less', '--set', 'size=1MiB', '--out', model).status, 0);
  const out = join(d, 'p.json');
  const r = cli('fit', '--profile', 'skylake-client', '--observations', model, '--out', out);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /model\.csv: a results CSV, but no row of backend sgx with outcome ok/);
  assert.equal(existsSync(out), false);
  // The same rows relabelled: one as hardware, one as emulated.
  const text = readFileSync(model, 'utf8').trim().split('\n');
  const p50 = text.filter((l) => l.includes(',build_time_p50,'))[0]!;
  const hwRow = p50.replace(',model,mm-less,', ',sgx,mm-less,').replace(',model,build_time_p50,', ',wall,build_time_p50,');
  const emuRow = hwRow.replace(',skylake-client,', ',emulated:mainline,').replace(/;size=\d+/, ';size=2097152');
  const mixed = join(d, 'mixed.csv');
  writeFileSync(mixed, [text[0], hwRow, emuRow].join('\n') + '\n');
  const m = cli('fit', '--profile', 'skylake-client', '--observations', mixed, '--out', out);
  assert.equal(m.status, 2, m.stderr);
  assert.match(m.stderr, /emulated rows \(emulated:mainline\) and hardware rows in one file/);
  assert.equal(existsSync(out), false);
});
