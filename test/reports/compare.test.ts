import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRows, formatText, hasRegression, toJson } from '../../reports/compare.js';
import { parseResults, readResults } from '../../reports/read.js';
import type { Row } from '../../results/schema.js';
import { fixture } from './fixtures.js';

const model = readResults(fixture('model.csv')).rows;

function scaled(rows: readonly Row[], metric: string, design: string, factor: number): Row[] {
  return rows.map((r) => (r.metric === metric && r.design === design && r.value !== null ? { ...r, value: r.value * factor } : r));
}

test('identical model runs compare clean', () => {
  const c = compareRows(model, model);
  assert.equal(hasRegression(c), false);
  assert.equal(c.counts['within noise'], c.metrics.length);
});

test('a model change beyond the threshold in the bad direction regresses; the good direction improves', () => {
  const worse = compareRows(model, scaled(model, 'build_time_p50', 'mm-less', 1.02));
  assert.equal(worse.counts.regressed, 2, 'two build sizes');
  const m = worse.metrics.find((x) => x.verdict === 'regressed')!;
  assert.equal(m.metric, 'build_time_p50');
  assert.ok(Math.abs(m.change!.estimate - 0.02) < 1e-9);
  assert.equal(compareRows(model, scaled(model, 'throughput', 'per-mm', 1.02)).counts.improved > 0, true);
  assert.equal(compareRows(model, scaled(model, 'throughput', 'per-mm', 0.98)).counts.regressed > 0, true);
  // Within the threshold: 0.5 % passes at the default 1 %, fails at 0.1 %.
  const small = scaled(model, 'build_time_p50', 'mm-less', 1.005);
  assert.equal(hasRegression(compareRows(model, small)), false);
  assert.equal(hasRegression(compareRows(model, small, { ...compareRows(model, model).options, threshold: 0.001 })), true);
});

test('metrics without a better direction are reported as changed, never regressed', () => {
  const c = compareRows(model, scaled(model, 'worker_utilization', 'per-mm', 2));
  assert.equal(c.counts.changed, 1);
  assert.equal(hasRegression(c), false);
});

test('an ok case that now deadlocks is a regression; new and missing rows are listed', () => {
  const text = (s: string) => parseResults(s, 'x.csv').rows;
  const H = 'schema_version,run_id,case_id,backend,design,workload,profile,params,seed,repeat,clock,metric,unit,value,outcome,detail';
  const base = text(
    `${H}\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,100,ok,\n1,r,c2,model,per-mm,build,default,size=8192,1,0,model,build_time_p50,ns,200,ok,\n`,
  );
  const next = text(
    `${H}\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,case,,,deadlock,cycle\n1,r,c3,model,per-mm,build,default,size=16384,1,0,model,build_time_p50,ns,300,ok,\n`,
  );
  const c = compareRows(base, next);
  assert.equal(c.counts.regressed, 1);
  assert.equal(c.counts.missing, 1);
  assert.equal(c.counts.new, 1);
  assert.match(formatText(c), /outcome ok → deadlock: cycle/);
});

test('wall-clock rows: a 15 % slowdown over 10 repeats regresses, identical samples stay within noise', () => {
  const base = readResults(fixture('wall-base.csv')).rows;
  const slow = readResults(fixture('wall-slow.csv')).rows;
  const c = compareRows(base, slow);
  const bt = c.metrics.find((m) => m.design === 'mm-less' && m.metric === 'build_time_p50')!;
  assert.equal(bt.verdict, 'regressed');
  assert.ok(bt.change!.lower > 0.05 && bt.change!.upper < 0.25, JSON.stringify(bt.change));
  assert.ok(bt.p! < 0.05);
  const same = c.metrics.find((m) => m.design === 'per-mm' && m.metric === 'build_time_p50')!;
  assert.equal(same.verdict, 'within noise');
  assert.equal(compareRows(base, base).counts.regressed, 0);
});

test('text output prints [lower estimate upper] per metric and a summary; JSON carries verdicts', () => {
  const c = compareRows(readResults(fixture('wall-base.csv')).rows, readResults(fixture('wall-slow.csv')).rows);
  const text = formatText(c);
  assert.match(text, /build\/mm-less\/init=0;size=8388608 +build_time_p50 \(ns, wall\) +\[\+\d+\.\d\d% \+15\.\d\d% \+\d+\.\d\d%\] +regressed \(p=0\.\d{3}\)/);
  assert.match(text, /compared 4 metrics .*: 2 regressed, 2 within noise/);
  const doc = JSON.parse(toJson(c)) as { regressed: boolean; metrics: Array<{ verdict: string; metric: string }> };
  assert.equal(doc.regressed, true);
  assert.equal(doc.metrics.length, 4);
  assert.deepEqual(doc.metrics.map((m) => m.verdict).sort(), ['regressed', 'regressed', 'within noise', 'within noise']);
});

test('every outcome transition has its verdict: to error, rejected or deadlock regresses; to ok improves; skipped is a change', () => {
  const H = 'schema_version,run_id,case_id,backend,design,workload,profile,params,seed,repeat,clock,metric,unit,value,outcome,detail';
  const OUTCOMES = ['ok', 'rejected', 'deadlock', 'error', 'skipped'] as const;
  const rowOf = (o: string) =>
    o === 'ok'
      ? '1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,100,ok,'
      : `1,r,c1,model,per-mm,build,default,size=4096,1,0,model,case,,,${o},why`;
  // Expected verdicts written out by hand (from → to), not derived from the code's rule.
  const expected: Record<string, string> = {
    'ok→rejected': 'regressed',
    'ok→deadlock': 'regressed',
    'ok→error': 'regressed',
    'ok→skipped': 'changed',
    'rejected→ok': 'improved',
    'rejected→deadlock': 'regressed',
    'rejected→error': 'regressed',
    'rejected→skipped': 'changed',
    'deadlock→ok': 'improved',
    'deadlock→rejected': 'regressed',
    'deadlock→error': 'regressed',
    'deadlock→skipped': 'changed',
    'error→ok': 'improved',
    'error→rejected': 'regressed',
    'error→deadlock': 'regressed',
    'error→skipped': 'changed',
    'skipped→ok': 'changed',
    'skipped→rejected': 'regressed',
    'skipped→deadlock': 'regressed',
    'skipped→error': 'regressed',
  };
  let checked = 0;
  for (const from of OUTCOMES) {
    for (const to of OUTCOMES) {
      if (from === to) continue;
      const c = compareRows(parseResults(`${H}\n${rowOf(from)}\n`, 'b.csv').rows, parseResults(`${H}\n${rowOf(to)}\n`, 'n.csv').rows);
      const caseLine = c.metrics.find((m) => m.metric === 'case');
      assert.ok(caseLine, `${from}→${to} reported`);
      assert.equal(caseLine.verdict, expected[`${from}→${to}`], `${from}→${to}`);
      assert.equal(hasRegression(c), expected[`${from}→${to}`] === 'regressed', `${from}→${to} gate`);
      checked++;
    }
  }
  assert.equal(checked, 20);
});

test('the gate fails when a baseline metric is missing from the new results', () => {
  const H = 'schema_version,run_id,case_id,backend,design,workload,profile,params,seed,repeat,clock,metric,unit,value,outcome,detail';
  const base = parseResults(
    `${H}\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,100,ok,\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,einit_time,ns,10,ok,\n`,
    'b.csv',
  ).rows;
  const next = parseResults(`${H}\n1,r,c1,model,per-mm,build,default,size=4096,1,0,model,build_time_p50,ns,100,ok,\n`, 'n.csv').rows;
  const c = compareRows(base, next);
  assert.equal(c.counts.missing, 1);
  assert.equal(c.counts.regressed, 0);
  assert.equal(hasRegression(c), true);
});
