/** The calibrated profile has the model's shape and marks what was measured. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile } from '../../backends/sgx/calibrate.js';
import { loadProfile, validateProfile, profileCosts } from '../../backends/model/profiles.js';

test('buildProfile: measured fields replaced with source "calibrate on <cpu>" and grade measured; the model accepts it', () => {
  const base = loadProfile('skylake-client').data;
  const doc = buildProfile(
    base,
    { syscall: 150, ecreate: 20000, pageUnmeasured: 4000, pageMeasured: 12000, einit: 90000, eremove: 800 },
    { cpuModel: 'Intel(R) Xeon(R) Gold 6338', kernel: '6.8.0', device: '/dev/sgx_enclave', epcBytes: 64 * 2 ** 30 + 100, samples: 20, pages: 1024 },
    'this-machine',
  );
  const valid = validateProfile('this-machine.json', doc);
  const costs = profileCosts(valid);
  assert.equal(costs.ns.eextend, 500);
  assert.equal(costs.ns.eadd, 4000);
  assert.equal(costs.ns.einit, 90000);
  assert.equal(costs.epcPages, (64 * 2 ** 30) / 4096);
  const c = doc['costs'] as Record<string, { source: string; grade: string }>;
  assert.equal(c['eadd']!.grade, 'measured');
  assert.match(c['eadd']!.source, /^calibrate on Intel\(R\) Xeon\(R\) Gold 6338 /);
  assert.notEqual(c['ewb']!.grade, 'measured', 'unmeasured costs keep the base profile grade');
  assert.equal(doc['name'], 'this-machine');
});
