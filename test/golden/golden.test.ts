/**
 * Golden files (test/golden/sources.ts): what the code produces now must equal the committed
 * file byte for byte. Regenerate on purpose with `npm run golden:update`; this test never writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GOLDEN_FILES, goldenPath } from './sources.js';

for (const g of GOLDEN_FILES) {
  test(`${g.path} matches ${g.what} (regenerate with npm run golden:update)`, () => {
    assert.equal(g.produce(), readFileSync(goldenPath(g), 'utf8'));
  });
}
