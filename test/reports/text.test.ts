/** The table `run` prints: the report summary's aggregation (the median over repeats), as text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../results/schema.js';
import { summaryTable } from '../../reports/text.js';
import { summarize } from '../../reports/summary.js';
import { testRow } from './fixtures.js';

function row(design: string, repeat: number, value: number, over: Partial<Row> = {}): Row {
  return testRow({ case_id: `c-${design}-${repeat}`, design, repeat, value, ...over });
}

test('run summary: the median over repeats, as the report summary has it, and the per-mm ÷ mm-less ratio', () => {
  // per-mm: 1, 2 and 10 ms (median 2 ms, mean 4.33 ms); mm-less 1 ms.
  const rows = [row('per-mm', 0, 1e6), row('per-mm', 1, 2e6), row('per-mm', 2, 10e6), row('mm-less', 0, 1e6)];
  const text = summaryTable(rows);
  const line = text.split('\n').find((l) => l.startsWith('build_time_p50'));
  assert.ok(line, text);
  assert.deepEqual(line.split(/\s{2,}/), ['build_time_p50', '1.00 ms', '2.00 ms', '2.00×']);
  const cell = summarize(rows)[0]!.lines[0]!.cells.get('per-mm');
  assert.equal(cell?.kind === 'value' ? cell.median : null, 2e6);
  assert.match(text, /median over repeats/);
});

test('run summary: a rejected design shows its outcome once per configuration and — for its metrics', () => {
  const rejected = row('per-mm', 0, 0, { metric: 'case', unit: '', value: null, outcome: 'rejected', detail: 'no' });
  const text = summaryTable([rejected, row('mm-less', 0, 1e6)]);
  const lines = text.split('\n').map((l) => l.split(/\s{2,}/));
  assert.deepEqual(lines[2], ['build', 'mm-less', 'per-mm', 'per-mm ÷ mm-less']);
  assert.deepEqual(lines[3], ['outcome', 'ok', 'rejected', '']);
  assert.deepEqual(lines[4], ['build_time_p50', '1.00 ms', '—', '']);
  assert.equal(summaryTable([]), 'no results\n');
});
