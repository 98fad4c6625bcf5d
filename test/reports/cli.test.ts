import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, HEADER, fixture } from './fixtures.js';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(join(tmpdir(), 'eaddbench-reports-'));

test('compare exits 0 without regressions, 1 with one, 2 on bad input', () => {
  assert.equal(run('compare', fixture('model.csv'), fixture('model.csv')).status, 0);
  const r = run('compare', fixture('wall-base.csv'), fixture('wall-slow.csv'));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /2 regressed/);
  const j = run('compare', fixture('wall-base.csv'), fixture('wall-slow.csv'), '--json');
  assert.equal((JSON.parse(j.stdout) as { regressed: boolean }).regressed, true);
  const d = tmp();
  writeFileSync(join(d, 'empty.csv'), '');
  const bad = run('compare', fixture('model.csv'), join(d, 'empty.csv'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /empty\.csv: empty file/);
  const flag = run('compare', fixture('model.csv'), fixture('model.csv'), '--threshold', 'lots');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /--threshold: expected a percentage/);
  assert.equal(run('compare', fixture('model.csv')).status, 2);
});

test('merge writes the merged file; a conflict exits 2 and writes nothing', () => {
  const d = tmp();
  const row = '1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,';
  writeFileSync(join(d, 'a.csv'), `${HEADER}\n${row}100,ok,\n`);
  writeFileSync(join(d, 'b.csv'), `${HEADER}\n${row}101,ok,\n`);
  writeFileSync(join(d, 'c.csv'), `${HEADER}\n${row.replace('c1', 'c2')}7,ok,\n`);
  const ok = run('merge', join(d, 'a.csv'), join(d, 'c.csv'), '--out', join(d, 'm.csv'));
  assert.equal(ok.status, 0, ok.stderr);
  // Version 1 inputs come out in the current version, as draw 0.
  const v2 = (r: string) => r.replace(/^1,/, '2,').replace(',1,0,model,', ',1,0,0,model,');
  const header2 = HEADER.replace(',repeat,', ',repeat,draw,');
  assert.equal(readFileSync(join(d, 'm.csv'), 'utf8'), `${header2}\n${v2(row)}100,ok,\n${v2(row.replace('c1', 'c2'))}7,ok,\n`);
  assert.match(ok.stderr, /a\.csv \(schema version 1, no draws\).*wrote schema version 2/);
  const bad = run('merge', join(d, 'a.csv'), join(d, 'b.csv'), '--out', join(d, 'x.csv'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /a\.csv:2 .*b\.csv:2/);
  assert.equal(existsSync(join(d, 'x.csv')), false);
});

test('report writes both files whole; bad input leaves none', () => {
  const d = tmp();
  const ok = run('report', fixture('model.csv'), '--out', join(d, 'out'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(readdirSync(join(d, 'out')).sort(), ['index.html', 'report.md']);
  writeFileSync(join(d, 'bad.csv'), `${HEADER}\n1,r,c1,model,per-mm,build,default,,1,0,model,build_time_p50,ns,x,ok,\n`);
  const bad = run('report', join(d, 'bad.csv'), '--out', join(d, 'none'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad\.csv:2: column value must be a number/);
  assert.equal(existsSync(join(d, 'none')), false);
});
