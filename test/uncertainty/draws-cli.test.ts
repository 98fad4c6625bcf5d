import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults } from '../../reports/read.js';
import { summarize } from '../../reports/summary.js';
import type { Row } from '../../results/schema.js';
import { cli, profileWithRanges, profileWithoutRanges, tmp } from './helpers.js';

const SMALL = ['build', 'teardown', '--set', 'size=256KiB', '--design', 'per-mm,mm-less'];

/** Rows as comparable text, without run_id, in a fixed order. */
function canonical(rows: readonly Row[]): string[] {
  return rows.map((r) => JSON.stringify({ ...r, run_id: '' })).sort();
}

test('--draws: out-of-range counts exit 2 naming the range, and nothing is written', () => {
  const d = tmp();
  for (const bad of ['-1', '1.5', '100000', 'many']) {
    const out = join(d, `bad${bad}.csv`);
    const r = cli('run', ...SMALL, '--draws', bad, '--out', out);
    assert.equal(r.status, 2, `--draws ${bad}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`--draws '${bad.replace('.', '\\.')}' is invalid; expected an integer from 0 to 1000`));
    assert.equal(existsSync(out), false);
  }
});

test('a profile whose cost has no range is refused by every run (exit 2, naming the field), not only with --draws', () => {
  const d = tmp();
  const file = profileWithoutRanges(d, 'no-ranges');
  const out = join(d, 'x.csv');
  for (const extra of [['--draws', '4'], []]) {
    const r = cli('run', ...SMALL, '--profile', file, ...extra, '--out', out);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /field 'costs\.syscall'\.low must be a number .*every cost carries its range/);
    assert.equal(existsSync(out), false);
  }
});

test('--draws needs the model backend; --sensitivity needs at least 3 draws', () => {
  const r = cli('run', ...SMALL, '--backend', 'sgx', '--draws', '2', '--out', join(tmp(), 'x.csv'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--draws needs --backend model/);
  const s = cli('run', ...SMALL, '--sensitivity', '--draws', '2', '--out', join(tmp(), 'x.csv'));
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--sensitivity needs --draws 3 or more/);
});

test('draws: one row set per draw, draw 0 identical to a run without draws, same rows whatever --workers', () => {
  const d = tmp();
  const profile = profileWithRanges(d, 'ranged', 2);
  const plain = join(d, 'plain.csv');
  const one = join(d, 'w1.csv');
  const two = join(d, 'w2.csv');
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--out', plain).status, 0);
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--draws', '5', '--workers', '1', '--out', one).status, 0);
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--draws', '5', '--workers', '2', '--out', two).status, 0);
  const rows = readResults(one).rows;
  assert.deepEqual([...new Set(rows.map((r) => r.draw))].sort(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(canonical(rows), canonical(readResults(two).rows));
  assert.deepEqual(canonical(rows.filter((r) => r.draw === 0)), canonical(readResults(plain).rows));
  // The draws change the numbers.
  const p50 = (draw: number) => rows.find((r) => r.draw === draw && r.design === 'mm-less' && r.metric === 'build_time_p50')!.value;
  assert.notEqual(p50(0), p50(1));
  assert.notEqual(p50(1), p50(2));
});

test('shards of a draws run merge to the rows of the unsharded run', () => {
  const d = tmp();
  const profile = profileWithRanges(d, 'ranged', 2);
  const whole = join(d, 'whole.csv');
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--draws', '4', '--out', whole).status, 0);
  const shards = [1, 2, 3].map((i) => join(d, `s${i}.csv`));
  shards.forEach((s, i) => assert.equal(cli('run', ...SMALL, '--profile', profile, '--draws', '4', '--shard', `${i + 1}/3`, '--out', s).status, 0));
  const merged = join(d, 'merged.csv');
  const m = cli('merge', ...shards, '--out', merged);
  assert.equal(m.status, 0, m.stderr);
  assert.deepEqual(canonical(readResults(merged).rows), canonical(readResults(whole).rows));
  // Each shard holds draws of several indices: the vectors were drawn over the whole plan.
  assert.ok(new Set(readResults(shards[0]!).rows.map((r) => r.draw)).size > 1);
});

test('the same draw index is the same cost vector for every design and workload (paired)', () => {
  // With every range collapsed except eadd's, each draw moves only eadd: a design pair shares
  // it, so which draw is slowest is the same for both designs and for both workloads.
  const d = tmp();
  const profile = profileWithRanges(d, 'eadd-only', 1.0000001, { eadd: [300, 30000] });
  const out = join(d, 'p.csv');
  assert.equal(
    cli(
      'run',
      'build',
      'concurrent',
      '--set',
      'size=1MiB',
      '--set',
      'measure=0',
      '--design',
      'per-mm,mm-less',
      '--profile',
      profile,
      '--draws',
      '8',
      '--out',
      out,
    ).status,
    0,
  );
  const rows = readResults(out).rows.filter((r) => r.draw > 0);
  const order = (workload: string, design: string, metric: string) =>
    rows
      .filter((r) => r.workload === workload && r.design === design && r.metric === metric)
      .sort((a, b) => a.value! - b.value!)
      .map((r) => r.draw);
  const ref = order('build', 'mm-less', 'build_time_p50');
  assert.equal(ref.length, 8);
  assert.deepEqual(order('build', 'per-mm', 'build_time_p50'), ref);
  assert.deepEqual(order('concurrent', 'mm-less', 'build_time_p50'), ref);
});

test("pairing: a ratio's interval over draws is narrower than the ratio of the two independent intervals", () => {
  // Measured builds: 16 EEXTENDs per page dominate both per-mm and mm-less; only that cost is uncertain.
  const d = tmp();
  const profile = profileWithRanges(d, 'eextend-wide', 1.01, { eextend: [200, 8000] });
  const out = join(d, 'pair.csv');
  assert.equal(
    cli('run', 'build', '--set', 'size=1MiB', '--set', 'measure=1', '--design', 'per-mm,mm-less', '--profile', profile, '--draws', '16', '--out', out).status,
    0,
  );
  const [w] = summarize(readResults(out).rows);
  const line = w!.lines.find((l) => l.metric === 'build_time_p50')!;
  const a = line.cells.get('per-mm')!;
  const b = line.cells.get('mm-less')!;
  assert.ok(a.kind === 'value' && b.kind === 'value' && a.spread && b.spread && a.ratioSpread);
  const paired = a.ratioSpread.p95 / a.ratioSpread.p5;
  const independent = a.spread.p95 / b.spread.p5 / (a.spread.p5 / b.spread.p95);
  assert.ok(paired < 1.25, `paired ratio interval [${a.ratioSpread.p5}, ${a.ratioSpread.p95}]`);
  assert.ok(independent > 4 * paired, `independent ratio interval ×${independent} against paired ×${paired}`);
  assert.ok(a.ratio! >= a.ratioSpread.p5 * 0.95 && a.ratio! <= a.ratioSpread.p95 * 1.05);
});

test('verdict: robust with narrow ranges, flips to not robust when a range lets the other design win', () => {
  const d = tmp();
  const args = ['build', '--set', 'size=1MiB', '--set', 'measure=0', '--design', 'per-mm,mm-less', '--draws', '16'];
  const narrow = profileWithRanges(d, 'narrow', 1.01);
  // mm-less pins each source page (GUP) where per-mm copies it: a GUP up to 100 µs makes
  // mm-less the slower design in the draws that land high in that range.
  const wide = profileWithRanges(d, 'wide-gup', 1.01, { gup: [200, 100000] });
  const verdict = (profile: string) => {
    const out = join(d, `${profile.replace(/\W/g, '')}.csv`);
    const r = cli('run', ...args, '--profile', profile, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const [w] = summarize(readResults(out).rows);
    const cell = w!.lines.find((l) => l.metric === 'build_time_p50')!.cells.get('per-mm')!;
    assert.ok(cell.kind === 'value' && cell.verdict);
    const report = cli('report', out, '--out', join(d, `rep-${profile.replace(/\W/g, '')}`));
    assert.equal(report.status, 0, report.stderr);
    return { v: cell.verdict, stdout: r.stdout, md: readFileSync(join(d, `rep-${profile.replace(/\W/g, '')}`, 'report.md'), 'utf8') };
  };
  const n = verdict(narrow);
  assert.equal(n.v.robust, true);
  assert.equal(n.v.text, 'mm-less faster in 16/16 draws');
  assert.match(n.stdout, /build_time_p50 .* mm-less faster in 16\/16 draws/);
  const w = verdict(wide);
  assert.equal(w.v.robust, false);
  assert.match(w.v.text, /^(per-mm|mm-less) faster in \d+\/16 draws: not robust$/);
  assert.match(w.stdout, /build_time_p50 .*: not robust/);
  // report.md opens with the conclusions: the robust list, then the one that is not.
  const head = w.md.slice(0, w.md.indexOf('## build'));
  assert.match(head, /## Conclusions over 16 cost draws/);
  assert.match(head, /\*\*Not robust: the winner depends on the costs\*\* — [1-9]/);
  assert.match(head, /- build, build time p50: (per-mm|mm-less) faster than (mm-less|per-mm) in \d+\/16 draws/);
  assert.match(
    n.md.slice(0, n.md.indexOf('## build')),
    /\*\*Robust: the same design wins in every draw\*\* — [1-9][\s\S]*- build, build time p50: mm-less faster than per-mm in 16\/16 draws/,
  );
});

test('compare and the gate judge draw 0 only', () => {
  const d = tmp();
  const profile = profileWithRanges(d, 'ranged', 2);
  const plain = join(d, 'plain.csv');
  const drawn = join(d, 'drawn.csv');
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--out', plain).status, 0);
  assert.equal(cli('run', ...SMALL, '--profile', profile, '--draws', '3', '--out', drawn).status, 0);
  const c = cli('compare', plain, drawn);
  assert.equal(c.status, 0, c.stdout);
  assert.doesNotMatch(c.stdout, /regressed|new|missing/);
  assert.match(c.stderr, /schema version 2\); compared draw 0/);
});
