/**
 * Emulated rows (profile `emulated:…`, from `--device emu:…`) are labelled as emulated and never
 * share a series with hardware rows: not in the summary, the charts, the Markdown or HTML
 * report, nor in compare.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../results/schema.js';
import { EMULATED_NOTE, emulatedProfile, isEmulatedProfile } from '../../results/emulated.js';
import { summarize } from '../../reports/summary.js';
import { buildCharts } from '../../reports/charts.js';
import { renderMarkdown } from '../../reports/markdown.js';
import { renderHtml } from '../../reports/html.js';
import { compareRows } from '../../reports/compare.js';
import { testRow } from './fixtures.js';

const HW = 'skylake-client';
const EMU = emulatedProfile(HW);

function row(profile: string, design: string, builders: number, value: number): Row {
  return testRow({
    case_id: `${profile}-${design}-${builders}`,
    backend: 'sgx',
    design,
    workload: 'concurrent',
    profile,
    params: `builders=${builders};size=65536`,
    clock: 'wall',
    metric: 'throughput',
    unit: 'pages/s',
    value,
    detail: isEmulatedProfile(profile) ? 'emulated: emu:mainline (SGX driver emulator …)' : '',
  });
}

// Hardware values are 1xx, emulated 9xx: a mixed series would show one among the other.
const hardware = [row(HW, 'mm-less', 1, 101), row(HW, 'mm-less', 2, 102), row(HW, 'per-mm', 1, 111), row(HW, 'per-mm', 2, 112)];
const emulated = [row(EMU, 'mm-less', 1, 901), row(EMU, 'mm-less', 2, 902), row(EMU, 'per-mm', 1, 911), row(EMU, 'per-mm', 2, 912)];
const rows = [...hardware, ...emulated];

test('emulatedProfile / isEmulatedProfile: the one home of the prefix', () => {
  assert.equal(EMU, 'emulated:skylake-client');
  assert.ok(isEmulatedProfile(EMU));
  assert.ok(!isEmulatedProfile(HW));
  assert.ok(!isEmulatedProfile('emulated-calibrated'), 'a model profile calibrated against the emulator is a model profile, named so');
});

test('summary: every line holds the rows of one profile, hardware and emulated apart', () => {
  const [w] = summarize(rows);
  assert.ok(w);
  const lines = w.lines.filter((l) => l.metric === 'throughput');
  assert.equal(lines.length, 4, 'two builders values × two profiles');
  for (const l of lines) {
    for (const c of l.cells.values()) {
      assert.equal(c.kind, 'value');
      if (c.kind !== 'value') continue;
      assert.equal(c.median > 500, isEmulatedProfile(l.profile), `${l.profile} ${l.params}: median ${c.median}`);
    }
  }
});

test('charts: one throughput chart per profile, titled with it; no chart draws both', () => {
  const section = buildCharts(rows).find((s) => s.id === 'throughput');
  assert.ok(section);
  const titles = section.charts.map((c) => c.title);
  assert.equal(titles.length, 2, titles.join(' | '));
  assert.equal(titles.filter((t) => t.includes('emulated:skylake-client')).length, 1, titles.join(' | '));
  assert.equal(titles.filter((t) => t.includes(`sgx, ${HW}`)).length, 1, titles.join(' | '));
});

test('Markdown and HTML: emulated rows are said to be emulated and sit on their own labelled lines; hardware-only reports say nothing of it', () => {
  const md = renderMarkdown({ files: ['x.csv'], rows });
  assert.match(md, /come from the SGX driver emulator/);
  const tableLines = md.split('\n').filter((l) => l.startsWith('| sgx / '));
  assert.ok(tableLines.length >= 2, md);
  for (const l of tableLines) {
    const emu = /^\| sgx \/ emulated:skylake-client/.test(l);
    // values: 901, 902 … on emulated lines; 101 … on hardware lines
    assert.equal(/\b9\d\d\b/.test(l), emu, l);
    assert.equal(/\b1[01]\d\b/.test(l), !emu, l);
  }
  assert.ok(renderHtml({ files: ['x.csv'], rows }).includes(EMULATED_NOTE.replace(/'/g, '&#39;')));
  assert.doesNotMatch(renderMarkdown({ files: ['x.csv'], rows: hardware }), /SGX driver emulator/);
  assert.ok(!renderHtml({ files: ['x.csv'], rows: hardware }).includes('SGX driver emulator'));
});

test('compare: an emulated run is never matched against a hardware baseline', () => {
  const c = compareRows(hardware, emulated);
  // Each hardware series is missing from the new run and each emulated one is new: none is judged against the other.
  assert.deepEqual(c.metrics.map((m) => [m.profile, m.verdict]).sort(), [...hardware.map(() => [HW, 'missing']), ...emulated.map(() => [EMU, 'new'])].sort());
});
