/** Bad observation files and bad fit flags: exit 2 naming the file and line; a fit that cannot improve: exit 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tmp } from '../uncertainty/helpers.js';
import { OBSERVATION_COLUMNS } from '../../bench/fit/observations.js';

const HEAD = OBSERVATION_COLUMNS.join(',');
const GOOD = 'x,src,m,skylake-client,build,mm-less,size=4MiB..8MiB;measure=0,slope:build_time_p50,3000,ns/page,0.1,fit,map';

test('each bad field of an observations file is refused with exit 2, the file, the line and the column', () => {
  const d = tmp();
  const cases: [string, RegExp][] = [
    [GOOD.replace('build,mm-less', 'nosuch,mm-less'), /:2: column 'workload': unknown workload 'nosuch'/],
    [GOOD.replace('measure=0', 'nosuch=1'), /:2: column 'params': unknown parameter 'nosuch'/],
    [GOOD.replace('slope:build_time_p50', 'slope:nosuch'), /:2: column 'metric': unknown metric 'nosuch'/],
    [GOOD.replace('skylake-client', 'nosuch-profile'), /:2: column 'profile': unknown profile 'nosuch-profile'/],
    [GOOD.replace(',3000,', ',-5,'), /:2: column 'value': '-5' must be a positive number/],
    [GOOD.replace(',3000,', ',0,'), /:2: column 'value': '0' must be a positive number/],
    [GOOD.replace('ns/page', 'ns'), /:2: column 'unit': 'ns' for slope:build_time_p50; expected 'ns\/page'/],
    [GOOD.replace('size=4MiB..8MiB', 'size=8MiB'), /:2: column 'params': slope:build_time_p50 needs one size parameter written A\.\.B/],
    [GOOD.replace('mm-less', 'nosuch-design'), /:2: column 'design': unknown design 'nosuch-design'/],
    [GOOD.replace(',fit,', ',nosuch,'), /:2: column 'role': 'nosuch' must be one of fit, check/],
    [GOOD.replace(',fit,', ',check,'), /obs\.csv: no row has role 'fit'/],
  ];
  for (const [row, message] of cases) {
    const file = join(d, 'obs.csv');
    writeFileSync(file, `${HEAD}\n${row}\n`);
    const out = join(d, 'fitted.json');
    const r = cli('fit', '--profile', 'skylake-client', '--observations', file, '--out', out);
    assert.equal(r.status, 2, `${row}: ${r.stderr}`);
    assert.match(r.stderr, message, row);
    assert.ok(r.stderr.includes(file), 'names the file');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(out), false, 'nothing written');
  }
});

test('--free naming a cost that does not exist: exit 2; a fit whose free costs move no observation: exit 1 saying so', () => {
  const d = tmp();
  const file = join(d, 'obs.csv');
  writeFileSync(file, `${HEAD}\n${GOOD}\n`);
  const out = join(d, 'fitted.json');
  const bad = cli('fit', '--profile', 'skylake-client', '--observations', file, '--free', 'eadd,nosuch', '--out', out);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--free: unknown cost 'nosuch'/);
  // An unmeasured in-EPC build never reclaims: EWB cannot move it.
  const none = cli('fit', '--profile', 'skylake-client', '--observations', file, '--free', 'ewb', '--out', out);
  assert.equal(none.status, 1, none.stderr);
  assert.match(none.stderr, /fit cannot improve: no free cost \(ewb\) moves any observation/);
  assert.equal(existsSync(out), false);
});

/** The model's 4 → 8 MiB unmeasured mm-less build slope (ns/page) with EADD at `eadd` ns (the priors otherwise). */
function slopeWithEadd(d: string, eadd: number): number {
  const truth = JSON.parse(readFileSync(new URL('../../../backends/model/profiles/skylake-client-priors.json', import.meta.url), 'utf8')) as {
    name: string;
    costs: Record<string, { value: number }>;
  };
  truth.name = 'truth';
  truth.costs['eadd']!.value = eadd;
  const truthFile = join(d, 'truth.json');
  writeFileSync(truthFile, JSON.stringify(truth));
  const gen = cli(
    'run',
    'build',
    '--design',
    'mm-less',
    '--set',
    'size=4MiB,8MiB',
    '--set',
    'measure=0',
    '--profile',
    truthFile,
    '--out',
    join(d, 'truth.csv'),
  );
  assert.equal(gen.status, 0, gen.stderr);
  const t = readFileSync(join(d, 'truth.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(',build_time_p50,'))
    .map((l) => Number(l.split(',')[14]))
    .sort((a, b) => a - b);
  return (t[1]! - t[0]!) / 1024;
}

test('a fit recovers the costs that generated its observations (closed loop through the model)', () => {
  const d = tmp();
  // Observations made by the model itself with EADD at 4,500 ns (prior 3,000 in skylake-client-priors).
  const slope = slopeWithEadd(d, 4500);
  const file = join(d, 'obs.csv');
  const row = GOOD.replace(',3000,', `,${slope},`).replace('skylake-client', 'skylake-client-priors').replace(',0.1,', ',0.01,');
  // A check row far from the model: compared, not fitted, so it must not move EADD.
  const check = row
    .replace(/^x,/, 'y,')
    .replace(`,${slope},`, `,${slope * 3},`)
    .replace(',fit,', ',check,');
  writeFileSync(file, `${HEAD}\n${row}\n${check}\n`);
  const out = join(d, 'fitted.json');
  const r = cli('fit', '--profile', 'skylake-client-priors', '--observations', file, '--free', 'eadd', '--out', out, '--json', '--workers', '1');
  assert.equal(r.status, 0, r.stderr);
  const fitted = JSON.parse(readFileSync(out, 'utf8')) as { name: string; costs: Record<string, { value: number; grade: string; source: string }> };
  assert.equal(fitted.name, 'skylake-client');
  const eadd = fitted.costs['eadd']!;
  assert.ok(Math.abs(eadd.value / 4500 - 1) < 0.02, `eadd fitted ${eadd.value} ns, truth 4500`);
  assert.equal(eadd.grade, 'fitted');
  assert.match(eadd.source, /^fitted: .*obs\.csv \(x; /);
  assert.match(eadd.source, /compared, not fitted: y\)/);
  const report = JSON.parse(r.stdout) as { rows: { id: string; role: string; errorAfter: number; after: number; loo: number }[] };
  assert.ok(Math.abs(report.rows[0]!.errorAfter) < 0.01);
  const y = report.rows[1]!;
  assert.deepEqual([y.id, y.role], ['y', 'check']);
  assert.ok(Math.abs(y.errorAfter + 2 / 3) < 0.01, `the check row is reported against its value: ${y.errorAfter}`);
  assert.equal(y.loo, y.after);
});

test('--prior-weight sets the pull to the priors: 0.01 recovers the generating cost, 1 stays a little towards the prior, 3 more; bad values exit 2', () => {
  const d = tmp();
  // Observations made by the model with EADD at 4,500 ns; prior 3,000 ns, range 1,000–9,000.
  const slope = slopeWithEadd(d, 4500);
  const file = join(d, 'obs.csv');
  // A loose observation (±30 %), so that the pull has something to pull against.
  writeFileSync(file, `${HEAD}\n${GOOD.replace(',3000,', `,${slope},`).replace('skylake-client', 'skylake-client-priors').replace(',0.1,', ',0.3,')}\n`);
  const eaddWith = (weight: string): { value: number; source: string; printed: string } => {
    const out = join(d, `w${weight}.json`);
    const r = cli(
      'fit',
      '--profile',
      'skylake-client-priors',
      '--observations',
      file,
      '--free',
      'eadd',
      '--prior-weight',
      weight,
      '--out',
      out,
      '--workers',
      '1',
    );
    assert.equal(r.status, 0, r.stderr);
    const eadd = (JSON.parse(readFileSync(out, 'utf8')) as { costs: Record<string, { value: number; source: string }> }).costs['eadd']!;
    return { ...eadd, printed: r.stdout };
  };
  const w0 = eaddWith('0.01');
  const w1 = eaddWith('1');
  const w3 = eaddWith('3');
  assert.ok(Math.abs(w0.value / 4500 - 1) < 0.01, `weight 0.01: ${w0.value}, truth 4500`);
  assert.ok(w1.value < 4500 * 0.99 && w1.value > 3000, `weight 1 pulled towards the prior: ${w1.value}`);
  assert.ok(w3.value < w1.value - 100 && w3.value > 3000, `weight 3 pulled further: ${w3.value} (weight 1: ${w1.value})`);
  assert.match(w0.source, /by eaddbench fit with prior weight 0\.01[;,]/);
  assert.doesNotMatch(w1.source, /prior weight/, 'the default weight is not named in the source');
  assert.match(w3.printed, /prior weight 3,/);
  for (const bad of ['-1', '0', '0.001', 'abc', '101', '1e3', '']) {
    const out = join(d, 'bad.json');
    const r = cli('fit', '--profile', 'skylake-client-priors', '--observations', file, `--prior-weight=${bad}`, '--out', out);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--prior-weight must be a number in 0\.01\.\.100/);
    assert.equal(existsSync(out), false);
  }
});
