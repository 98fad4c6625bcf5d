/**
 * The shipped skylake-client profile against the calibration set it was fitted to
 * (backends/model/calibration/observations.csv; docs/validation.md), and the mapping claims the
 * set makes about the model (model time, deterministic).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCaseSync } from '../../backends/model/backend.js';
import { listProfiles, loadProfile } from '../../backends/model/profiles.js';
import { readObservations, type Observation } from '../../bench/fit/observations.js';
import { MiB, metric, spec } from '../model/helpers.js';

const FILE = fileURLToPath(new URL('../../../backends/model/calibration/observations.csv', import.meta.url));
const OBS = readObservations(
  FILE,
  listProfiles().map((p) => p.name),
);

function model(o: Observation, profile = 'skylake-client'): number {
  const pr = loadProfile(profile);
  const v = o.points.map((params) => metric(runCaseSync({ ...spec(o.workload, o.design, {}, profile), params, profileData: pr.data }), o.metric));
  return o.slopePages === undefined ? v[0]! : (v[1]! - v[0]!) / o.slopePages;
}

test('fitted skylake-client: in-EPC slope of machine A and the far-beyond-EPC slopes of both machines within ±15 %; the anchors within their uncertainty', () => {
  for (const id of ['A-in-epc', 'A-far', 'B-far']) {
    const o = OBS.find((x) => x.id === id)!;
    const err = model(o) / o.value - 1;
    assert.ok(Math.abs(err) <= 0.15, `${id}: model ${model(o)} vs ${o.value} (${(err * 100).toFixed(1)} %)`);
  }
  for (const id of ['graphene-73', 'eremove-128g']) {
    const o = OBS.find((x) => x.id === id)!;
    const err = model(o) / o.value - 1;
    assert.ok(Math.abs(err) <= Math.max(o.relUncertainty, 0.25), `${id}: ${(err * 100).toFixed(1)} %`);
  }
});

test('known gaps, stated in docs/validation.md: one profile cannot match both machines inside the EPC, and the model has no step across the EPC limit', () => {
  // B's driver share per page is about half A's (8.0 − 5.9 vs 9.6 − 5.3 µs): the fit lands between.
  const b = OBS.find((x) => x.id === 'B-in-epc')!;
  assert.ok(model(b) > b.value * 1.15, 'B in-EPC is above its value by more than 15 %');
  assert.ok(model(b) < b.value * 1.2, 'but within 20 % since the across-EPC rows left the objective');
  // Measured 38–48 µs/page from 80 to 100 MiB; the model goes straight to its far-beyond slope.
  // Those rows are compared, not fitted (role check): fitted to, they pulled B in-EPC to +24 %.
  for (const id of ['A-across-epc', 'B-across-epc']) {
    const o = OBS.find((x) => x.id === id)!;
    assert.equal(o.role, 'check');
    assert.ok(model(o) < o.value * 0.5, `${id}: the model has no step at the EPC limit`);
  }
});

test('mapping claim: far beyond the EPC the model slope is flat from 128 MiB to 512 MiB (so 128 → 192 MiB stands for 1 → 10 GiB)', () => {
  const at = (size: number): number => metric(runCaseSync(spec('build', 'mm-less', { size, measure: 0, batch: 1, destroy: 1 })), 'lifecycle_time_p50');
  const slope = (a: number, b: number): number => (at(b * MiB) - at(a * MiB)) / (((b - a) * MiB) / 4096);
  const near = slope(128, 192);
  const far = slope(256, 512);
  assert.ok(Math.abs(near / far - 1) < 0.01, `128→192 MiB ${near} ns/page vs 256→512 MiB ${far} ns/page`);
  // And inside the EPC the model is linear: 8 → 32 MiB stands for 10 → 80 MiB.
  assert.ok(Math.abs(slope(8, 32) / slope(10, 80) - 1) < 0.01);
});

test('the priors stay available as skylake-client-priors; the fitted profile marks what it fitted', () => {
  const priors = loadProfile('skylake-client-priors').data['costs'] as Record<string, { grade: string }>;
  const fitted = loadProfile('skylake-client').data['costs'] as Record<string, { grade: string; source: string }>;
  assert.equal(
    Object.values(priors).some((c) => c.grade === 'fitted'),
    false,
  );
  const f = Object.entries(fitted).filter(([, c]) => c.grade === 'fitted');
  assert.ok(f.length > 0);
  for (const [key, c] of f) assert.match(c.source, /^fitted: backends\/model\/calibration\/observations\.csv \(A-in-epc/, key);
});
