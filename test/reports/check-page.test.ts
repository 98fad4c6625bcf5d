import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPage, findChromium } from '../../reports/check-page.js';
import { renderHtml } from '../../reports/html.js';
import { readResults } from '../../reports/read.js';
import { fixture } from './fixtures.js';

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
