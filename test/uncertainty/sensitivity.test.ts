import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ranks, spearman, spread } from '../../reports/stats.js';
import { chanceLevel } from '../../reports/sensitivity.js';
import { robustness, pairedRatios } from '../../reports/uncertainty.js';
import { readResults } from '../../reports/read.js';
import { renderHtml } from '../../reports/html.js';
import { cli, profileWithRanges, tmp } from './helpers.js';

test('Spearman and ranks match SciPy (scipy.stats.spearmanr, rankdata)', () => {
  // spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233 (SciPy's documented example).
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12);
  assert.deepEqual(ranks([10, 20, 10, 30]), [1.5, 3, 1.5, 4]);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  // p5/p95 are NumPy's default (linear) quantiles: np.percentile(range(1, 21), [5, 95]) = [1.95, 19.05].
  const s = spread(Array.from({ length: 20 }, (_, i) => i + 1))!;
  assert.ok(Math.abs(s.p5 - 1.95) < 1e-12 && Math.abs(s.p95 - 19.05) < 1e-12 && s.n === 20);
});

test('paired ratios and verdicts count the draws each design wins', () => {
  const a = new Map([
    [1, 10],
    [2, 20],
    [3, 30],
  ]);
  const b = new Map([
    [1, 5],
    [2, 40],
    [3, 15],
  ]);
  assert.deepEqual(pairedRatios(a, b), [2, 0.5, 2]);
  assert.deepEqual(robustness('build_time_p50', 'a', a, 'b', b), {
    winner: 'b',
    loser: 'a',
    wins: 2,
    draws: 3,
    robust: false,
    text: 'b faster in 2/3 draws: not robust',
  });
  assert.equal(robustness('throughput', 'a', a, 'b', b)!.text, 'a faster in 2/3 draws: not robust');
  assert.equal(
    robustness(
      'build_time_p50',
      'a',
      b,
      'b',
      new Map([
        [1, 50],
        [2, 50],
        [3, 50],
      ]),
    )!.text,
    'a faster in 3/3 draws',
  );
  assert.equal(robustness('epc_evictions', 'a', a, 'b', a)!.text, 'equal in 3/3 draws');
  assert.equal(robustness('va_pages', 'a', a, 'b', b), undefined, 'a metric without a better direction has no verdict');
});

test('a draw where one design has no value (it deadlocked or was rejected there) is won by neither: the verdict is not robust', () => {
  // The old rule skipped such draws and called 'a faster in 2/2 draws' robust.
  const a = new Map([
    [1, 10],
    [2, 10],
  ]);
  const b = new Map([
    [1, 20],
    [2, 20],
    [3, 20],
  ]);
  assert.deepEqual(robustness('build_time_p50', 'a', a, 'b', b), {
    winner: 'a',
    loser: 'b',
    wins: 2,
    draws: 3,
    robust: false,
    text: 'a faster in 2/3 draws: not robust',
  });
  assert.equal(robustness('build_time_p50', 'a', b, 'b', new Map([[1, 20]]))!.text, 'no winner: a value is missing in 2/3 draws');
});

test('--sensitivity ranks the cost that drives the metric first and writes its CSV', () => {
  const d = tmp();
  // Measured builds: EEXTEND (16 per page) is the only cost with a wide range.
  const profile = profileWithRanges(d, 'eextend-wide', 1.01, { eextend: [200, 8000] });
  const out = join(d, 'sens.csv');
  const r = cli(
    'run',
    'build',
    '--set',
    'size=1MiB',
    '--set',
    'measure=1',
    '--design',
    'per-mm,mm-less',
    '--profile',
    profile,
    '--draws',
    '24',
    '--sensitivity',
    '--out',
    out,
  );
  assert.equal(r.status, 0, r.stderr);
  const file = join(d, 'sens.sensitivity.csv');
  assert.ok(existsSync(file));
  const recs = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  const top = recs.filter((x) => x['metric'] === 'build_time_p50' && x['rank'] === '1');
  assert.equal(top.length, 2);
  for (const t of top) {
    assert.equal(t['cost'], 'eextend');
    assert.ok(Number(t['rho']) > 0.9, `rho ${t['rho']}`);
    assert.equal(t['within_chance'], '0');
    assert.equal(t['draws'], '24');
  }
  assert.ok(recs.filter((x) => x['metric'] === 'build_time_p50').length <= 10, 'top 5 per design and metric');
  assert.match(r.stdout, /Which costs matter[\s\S]*build_time_p50: eextend \+(0\.9\d|1\.00),/);
});

test('chance level: the largest correlation between independently drawn cost columns', () => {
  const vs = [
    { a: 1, b: 1, c: 3 },
    { a: 2, b: 2, c: 1 },
    { a: 3, b: 3, c: 2 },
  ];
  assert.equal(chanceLevel(vs), 1);
  assert.equal(chanceLevel([]), 0);
});

test('charts draw bands and error bars only when the rows have cost draws', () => {
  const d = tmp();
  const profile = profileWithRanges(d, 'ranged', 2);
  const out = join(d, 'c.csv');
  const plain = join(d, 'p.csv');
  const args = ['concurrent', '--set', 'builders=1,2', '--set', 'size=1MiB', '--profile', profile];
  assert.equal(cli('run', ...args, '--draws', '4', '--out', out).status, 0);
  assert.equal(cli('run', ...args, '--out', plain).status, 0);
  const html = renderHtml({ files: ['c.csv'], rows: readResults(out).rows });
  assert.match(html, /<path class="band"/);
  assert.match(html, /<path class="errorbar"/);
  assert.match(html, /Conclusions over 4 cost draws/);
  const htmlPlain = renderHtml({ files: ['p.csv'], rows: readResults(plain).rows });
  assert.doesNotMatch(htmlPlain, /class="band"|class="errorbar"|Conclusions over/);
  // The lines are the nominal values: the same page without the draws' rows.
  const nominalOnly = renderHtml({ files: ['p.csv'], rows: readResults(out).rows.filter((r) => r.draw === 0) });
  assert.equal(nominalOnly, htmlPlain);
});
