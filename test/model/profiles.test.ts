/** Profiles: shipped ones validate; a bad one is rejected naming the file and field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COST_FIELDS, DEFAULT_PROFILE, ProfileError, listProfiles, loadProfile, profileCosts } from '../../backends/model/profiles.js';
import { backend } from '../../backends/model/backend.js';
import { spec } from './helpers.js';

test('shipped profiles load; skylake-client is the default with 4 CPUs and 93.5 MiB of EPC', () => {
  const names = listProfiles().map((p) => p.name);
  assert.ok(names.includes('skylake-client') && names.includes('icelake-server'));
  assert.equal(DEFAULT_PROFILE, 'skylake-client');
  const c = profileCosts(loadProfile('skylake-client').data);
  assert.equal(c.cpus, 4);
  assert.equal(c.epcPages * 4096, 93.5 * 1024 * 1024);
  const data = loadProfile('icelake-server').data as Record<string, Record<string, { grade: string; source: string }>>;
  for (const v of Object.values(data['costs']!)) assert.ok(v.source.length > 0 && ['high', 'medium', 'low', 'UNCONFIRMED', 'fitted'].includes(v.grade));
});

test('a profile missing a cost is rejected naming the file and the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prof-'));
  const doc = JSON.parse(JSON.stringify(loadProfile('skylake-client').data)) as { costs: Record<string, unknown> };
  delete doc.costs['eextend'];
  const file = join(dir, 'mine.json');
  writeFileSync(file, JSON.stringify(doc));
  assert.throws(
    () => loadProfile(file),
    (e: unknown) => e instanceof ProfileError && /mine\.json/.test(e.message) && /costs\.eextend/.test(e.message),
  );
  assert.throws(() => loadProfile('no-such-profile'), ProfileError);
});

test('validate names the parameter and the valid range', () => {
  const msg = backend.validate!(spec('concurrent', 'mm-less', { builders: 1000 }));
  assert.ok(msg !== undefined && /builders/.test(msg) && /1\.\.256/.test(msg), msg);
  const secs = backend.validate!(spec('build', 'mm-less', { size: 1024 * 1024, secs_size: 8192 }));
  assert.ok(secs !== undefined && /secs_size/.test(secs));
  assert.equal(backend.validate!(spec('build', 'per-mm')), undefined);
});

test('every shipped cost has a range low ≤ value ≤ high, the default width of its grade (×/÷ f, 4 significant digits)', async () => {
  const { GRADE_FACTOR, defaultRange } = await import('../../common/cost-range.js');
  assert.deepEqual(defaultRange('low', 1800), { low: 900, high: 3600 });
  assert.deepEqual(defaultRange('UNCONFIRMED', 200), { low: 66.67, high: 600 });
  for (const p of listProfiles()) {
    const costs = loadProfile(p.name).data['costs'] as Record<string, { value: number; low: number; high: number; grade: keyof typeof GRADE_FACTOR }>;
    for (const [key, c] of Object.entries(costs)) {
      assert.ok(c.low <= c.value && c.value <= c.high, `${p.name} ${key}`);
      if ((c.grade as string) === 'fitted') continue; // the fit's own range (±2σ within the prior's)
      assert.deepEqual({ low: c.low, high: c.high }, defaultRange(c.grade, c.value), `${p.name} ${key}: range of grade ${c.grade}`);
    }
  }
});

test('costs are typed by name: every COST_FIELDS name is a number, a misspelt one does not compile', () => {
  const ns = profileCosts(loadProfile(DEFAULT_PROFILE).data).ns;
  assert.deepEqual(
    Object.keys(ns),
    COST_FIELDS.map((d) => d.key),
  );
  for (const d of COST_FIELDS) assert.equal(typeof ns[d.key], 'number', d.key);
  assert.equal(typeof ns.eadd, 'number');
  // @ts-expect-error 'eaad' is not a cost name (tsc fails here if the names stop being typed)
  assert.equal(ns.eaad, undefined);
});
