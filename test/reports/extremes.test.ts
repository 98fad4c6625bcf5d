/**
 * Reports with values at the edge of what a double holds, and cells that a spreadsheet would
 * read as formulas: charts stay valid SVG and say which points were out of range; CSV and
 * Markdown outputs neutralise formula cells (OWASP CSV-injection rule) and never change numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCharts } from '../../reports/charts.js';
import { renderMarkdown } from '../../reports/markdown.js';
import { parseResults, readResults } from '../../reports/read.js';
import { rowsToCsv, neutraliseCell } from '../../results/csv.js';
import { fixture } from './fixtures.js';

const rows = readResults(fixture('model.csv')).rows;

test('a value of 1e308 keeps every chart valid (no NaN or Infinity) and the axis says what was clipped', () => {
  let changed = 0;
  const extreme = rows.map((r) => {
    if (r.outcome === 'ok' && r.value !== null && changed < 6) {
      changed++;
      return { ...r, value: 1e308 };
    }
    return r;
  });
  const sections = buildCharts(extreme);
  const svgs = sections.flatMap((s) => s.charts.map((c) => c.svg));
  assert.ok(svgs.length > 0);
  for (const svg of svgs) {
    assert.doesNotMatch(svg, /NaN|Infinity/, svg.slice(0, 200));
    for (const m of svg.matchAll(/\b(?:x|y|cx|cy|x1|x2|y1|y2|width|height)="([^"]*)"/g)) assert.ok(Number.isFinite(Number(m[1])), m[0]);
  }
  assert.ok(svgs.some((s) => /out of range \(beyond ±1e100 or not finite\), drawn clipped at the edge/.test(s)));
  assert.doesNotMatch(renderMarkdown({ files: ['x.csv'], rows: extreme }), /NaN|Infinity/);
});

test('formula cells are neutralised in CSV output and report.md; numbers are not', () => {
  for (const [cell, out] of [
    ['=1+1', "'=1+1"],
    ['+SUM(A1)', "'+SUM(A1)"],
    ['-cmd', "'-cmd"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['-5', '-5'],
    ['+1.5e3', '+1.5e3'],
    ['plain', 'plain'],
  ] as const) {
    assert.equal(neutraliseCell(cell), out, cell);
  }
  const evil = rows.map((r, i) => (i === 0 ? { ...r, profile: '=HYPERLINK("http://x")', detail: '@SUM(1)' } : r));
  const csv = rowsToCsv(evil, true);
  assert.match(csv, /'=HYPERLINK/);
  assert.doesNotMatch(csv, /,=HYPERLINK|,"=HYPERLINK/);
  // Numbers are written as numbers, negative ones too.
  const neg = rowsToCsv([{ ...rows[0]!, value: -5 }], false);
  assert.match(neg, /,-5,/);
  const back = parseResults(rowsToCsv(rows, true), 'x.csv').rows;
  assert.deepEqual(
    back.map((r) => r.value),
    rows.map((r) => r.value),
  );
  const md = renderMarkdown({ files: ['x.csv'], rows: evil.map((r) => ({ ...r, design: r.design })) });
  assert.doesNotMatch(md, /\| =HYPERLINK/);
});
