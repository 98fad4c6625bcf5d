/**
 * Adding a preset is one edit in backends/designs.ts. The test copies the compiled tree, adds a
 * fifth preset to the copy's designs.js and nothing else, loads the copy and checks that the
 * report summary orders it with the presets, the chart palette gives it its colour, the default
 * * suite runs it and `--design` accepts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Row } from '../../results/schema.js';
import { testRow } from '../reports/fixtures.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));

const FIFTH = `{
        name: 'attach-pin',
        description: 'attach, with the source pinned',
        counterpart: 'none (a test preset)',
        colour: '#E69F00',
        knobs: { binding: 'fd', execution: 'kthread', workers: 1, source: 'pin', batch: 1, epc_alloc: 'before-lock', release: 'ref' },
    },
`;

/** A copy of the compiled tree (inside dist/, so node_modules resolves) with the fifth preset added. */
function treeWithFifthPreset(): string {
  const root = mkdtempSync(path.join(DIST, '.fifth-preset-'));
  for (const dir of ['backends', 'bench', 'common', 'reports', 'results', 'workloads']) cpSync(path.join(DIST, dir), path.join(root, dir), { recursive: true });
  const file = path.join(root, 'backends', 'designs.js');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('export const PRESETS = [');
  const end = text.indexOf('\n];', start);
  assert.ok(start >= 0 && end > start, 'PRESETS array found in the compiled designs.js');
  writeFileSync(file, `${text.slice(0, end + 1)}    ${FIFTH}${text.slice(end + 1)}`);
  return root;
}

function row(design: string, value: number): Row {
  return testRow({ case_id: `c-${design}`, design, value });
}

test('a fifth preset added in designs.ts alone reaches the summary, the palette, the suites and --design', async (t) => {
  const root = treeWithFifthPreset();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const load = (rel: string) => import(pathToFileURL(path.join(root, rel)).href);
  const designs = await load('backends/designs.js');
  assert.deepEqual(designs.PRESET_NAMES, ['per-mm', 'mm-less', 'attach', 'per-mm-sync', 'attach-pin']);

  // The report summary: after the reference, in preset order, before custom designs.
  const summary = await load('reports/summary.js');
  assert.deepEqual(summary.orderDesigns(['per-mm,workers=2', 'attach-pin', 'per-mm', 'mm-less']), ['mm-less', 'per-mm', 'attach-pin', 'per-mm,workers=2']);
  const [w] = summary.summarize([row('per-mm,workers=2', 3), row('attach-pin', 2), row('mm-less', 1)]);
  assert.deepEqual(w.designs, ['mm-less', 'attach-pin', 'per-mm,workers=2']);
  assert.equal(w.lines[0].cells.get('attach-pin').ratio, 2);

  // The palette: its own colour, which a custom design then does not get.
  const palette = await load('reports/svg/palette.js');
  const styles = palette.styleSeries(['custom', 'attach-pin']);
  assert.equal(styles.get('attach-pin').colour, '#E69F00');
  assert.notEqual(styles.get('custom').colour, '#E69F00');

  // The suites: every entry of the default suite that runs all presets runs it too.
  const { SUITES } = await load('workloads/suites.js');
  const def = SUITES.find((s: { name: string }) => s.name === 'default');
  const all = def.entries.filter((e: { designs: readonly string[] }) => e.designs.includes('per-mm-sync') && e.designs.includes('attach'));
  assert.ok(all.length >= 8, `${all.length} entries run every preset`);
  for (const e of all) assert.ok(e.designs.includes('attach-pin'), `${e.workload} runs attach-pin`);

  // --design takes it, by name and as a base.
  assert.deepEqual(designs.parseDesign('attach-pin').knobs.source, 'pin');
  assert.equal(designs.parseDesign('base=attach-pin,workers=2').name, 'attach-pin,workers=2');

  // Nothing of it leaks into the real tree.
  const real = await import('../../backends/designs.js');
  assert.ok(!real.PRESET_NAMES.includes('attach-pin'));
});

test('designs.ts: a device pattern rejects knobs it does not name; the batch rule and the multi-mm rejection', async () => {
  const { addBatch, findPreset, matchesPattern, sharingRejection } = await import('../../backends/designs.js');
  const perMm = findPreset('per-mm')!.knobs;
  const mmLess = findPreset('mm-less')!.knobs;
  assert.equal(matchesPattern({ ...mmLess, batch: '*', workers: '*' }, { ...mmLess, batch: 7 }), true);
  assert.equal(matchesPattern(perMm, { ...perMm, workers: 2 }), false);
  // A knob the pattern does not know (added to DesignKnobs later, or a stray key) never matches.
  assert.equal(matchesPattern(perMm, { ...perMm, future: 'x' } as typeof perMm), false);
  const { release: _, ...partial } = perMm;
  assert.equal(matchesPattern(partial as typeof perMm, perMm), false);
  assert.equal(addBatch(perMm, 64), 1);
  assert.equal(addBatch({ ...perMm, batch: 8 }, 64), 1);
  assert.equal(addBatch(mmLess, undefined), 0);
  assert.equal(addBatch(mmLess, 64), 64);
  assert.equal(addBatch({ ...mmLess, batch: 16 }, undefined), 16);
  assert.equal(addBatch({ ...mmLess, batch: 16 }, 4), 4);
  assert.match(sharingRejection(perMm, 2) ?? '', /^binding=mm: .* cannot be mapped by other mms \(mms=2; needs binding=fd\)$/);
  assert.equal(sharingRejection(perMm, 1), undefined);
  assert.equal(sharingRejection(mmLess, 8), undefined);
});
