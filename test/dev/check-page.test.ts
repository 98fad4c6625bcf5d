import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPage, findChromium } from '../../dev/check-page.js';
import { renderHtml } from '../../reports/html.js';
import { readResults } from '../../reports/read.js';
import { loadTimelines } from '../../reports/timelines.js';
import { fixture } from '../reports/fixtures.js';

const chromium = findChromium();

test('headless Chromium renders every chart of the fixture report', { skip: chromium ? false : 'Chromium not installed' }, () => {
  const rows = readResults(fixture('model.csv')).rows;
  const png = join(mkdtempSync(join(tmpdir(), 'eaddbench-shot-')), 'page.png');
  const res = checkPage(chromium!, renderHtml({ files: ['model.csv'], rows }), png);
  assert.deepEqual(res.problems, []);
  assert.equal(res.svgCount, res.expectedSvgs);
  assert.equal(res.width, 1280);
});

test('a blank page fails the check', { skip: chromium ? false : 'Chromium not installed' }, () => {
  const png = join(mkdtempSync(join(tmpdir(), 'eaddbench-shot-')), 'blank.png');
  const res = checkPage(chromium!, '<!DOCTYPE html><html><body></body></html>', png);
  assert.ok(res.problems.some((p) => /no report heading/.test(p)));
  assert.ok(res.problems.some((p) => /nearly blank/.test(p)));
});

test('headless Chromium renders the report page with swimlanes (report --traces)', { skip: chromium ? false : 'Chromium not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-shot-swim-'));
  const csv = join(dir, 'r.csv');
  const traces = join(dir, 'traces');
  const cli = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
  const args = [
    'run',
    'concurrent',
    'mmap-contention',
    '--design',
    'per-mm,mm-less',
    '--set',
    'size=2MiB',
    '--set',
    'builders=2',
    '--out',
    csv,
    '--trace',
    traces,
  ];
  const ran = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  const rows = readResults(csv).rows;
  const html = renderHtml({ files: ['r.csv'], rows, timelines: loadTimelines(rows, traces) });
  const swimlanes = html.slice(html.indexOf('id="chart-timelines"')).match(/<svg [^>]*aria-label="[^"]*— (concurrent|mmap-contention)"/g) ?? [];
  assert.equal(swimlanes.length, 4);
  const res = checkPage(chromium!, html, join(dir, 'swim.png'), { tiles: true });
  assert.deepEqual(res.problems, []);
  // Every SVG of the page, the four swimlanes among them, is in the rendered DOM.
  assert.equal(res.svgCount, res.expectedSvgs);
  assert.ok(res.pngs.length > 1, 'the swimlanes lie below the first window: tiles expected');
});
