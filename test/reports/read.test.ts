import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResults, readResults, versionNote } from '../../reports/read.js';
import { UsageError } from '../../bench/errors.js';
import { HEADER, fixture } from './fixtures.js';

const OK = '1,r,c1,model,per-mm,build,default,size=8388608,1,0,model,build_time_p50,ns,4608000,ok,';

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseResults(text, 'x.csv'),
    (err: unknown) => err instanceof UsageError && pattern.test(err.message),
  );
}

test('reads the fixture with typed values', () => {
  const f = readResults(fixture('model.csv'));
  assert.equal(f.rows.length, 236);
  const r = f.rows[0]!;
  assert.equal(r.value, 4608000);
  assert.equal(r.seed, 1);
  assert.equal(f.lines[0], 2);
  const dead = f.rows.find((x) => x.outcome === 'deadlock')!;
  assert.equal(dead.value, null);
  assert.match(dead.detail, /<script>alert\("x"\)<\/script> \|/);
});

test('header-only files have no rows; empty files are bad input', () => {
  assert.equal(parseResults(HEADER + '\n', 'x.csv').rows.length, 0);
  rejects('', /x\.csv: empty file/);
  rejects('\n  \n', /empty file/);
});

test('missing and unknown columns name the column', () => {
  rejects(HEADER.replace(',detail', '') + '\n', /x\.csv:1: missing column\(s\) detail/);
  rejects(HEADER + ',extra\n', /unknown column 'extra'/);
});

test('bad records name the file, line and column', () => {
  rejects(`${HEADER}\n${OK}\n${OK.replace('4608000', 'fast')}\n`, /x\.csv:3: column value must be a number or empty, got 'fast'/);
  rejects(`${HEADER}\n${OK.replace(/^1,/, '3,')}\n`, /x\.csv:2: unsupported schema_version '3'; this eaddbench reads versions 1 and 2/);
  rejects(`${HEADER}\n${OK.replace(/^1,/, '2,')}\n`, /x\.csv:2: schema_version '2' but the header has no draw column \(version 1\)/);
  rejects(`${HEADER}\n${OK.replace(',model,build_time', ',cpu,build_time')}\n`, /column clock has invalid value 'cpu'; valid: model, wall/);
  rejects(`${HEADER}\n${OK.replace(',ok,', ',fine,')}\n`, /column outcome has invalid value 'fine'/);
  rejects(`${HEADER}\n${OK.replace(',1,0,', ',one,0,')}\n`, /column seed must be an integer, got 'one'/);
  rejects(`${HEADER}\n${OK.replace('build_time_p50', 'speed')}\n`, /unknown metric 'speed'/);
  rejects(`${HEADER}\n${OK.replace(',ns,', ',ms,')}\n`, /metric build_time_p50 must have unit 'ns', got 'ms'/);
  rejects(`${HEADER}\n1,r,c1,model,per-mm,build,default,,1,0,model\n`, /x\.csv:2: malformed CSV/);
});

test('a missing file is bad input naming the path', () => {
  assert.throws(
    () => readResults('no/such/file.csv'),
    (e: unknown) => e instanceof UsageError && /no\/such\/file\.csv: cannot read the file \(ENOENT: no such file\)/.test(e.message),
  );
});

test('version 2 files carry the draw; version 1 files read as draw 0 and say so', () => {
  const header2 = HEADER.replace(',repeat,', ',repeat,draw,');
  const row2 = '2,r,c1,model,per-mm,build,default,size=8388608,1,0,7,model,build_time_p50,ns,4608000,ok,';
  const v2 = parseResults(`${header2}\n${row2}\n`, 'v2.csv');
  assert.equal(v2.version, 2);
  assert.equal(v2.rows[0]!.draw, 7);
  const v1 = parseResults(`${HEADER}\n${OK}\n`, 'v1.csv');
  assert.equal(v1.version, 1);
  assert.equal(v1.rows[0]!.draw, 0);
  assert.equal(versionNote([v1, v2]), 'v1.csv (schema version 1, no draws), v2.csv (schema version 2)');
  rejects(`${header2}\n${row2.replace(',0,7,', ',0,-1,')}\n`, /x\.csv:2: column draw must be 0 \(nominal\) or a draw index ≥ 1, got '-1'/);
  rejects(`${header2}\n${row2.replace(/^2,/, '1,')}\n`, /schema_version '1' but the header has a draw column \(version 2\)/);
});
