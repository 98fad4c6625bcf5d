/**
 * `npm run golden:update`: rewrites every golden file from what the code produces now, and says
 * which changed. It asserts nothing; the tests compare and never write.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GOLDEN_FILES, goldenPath } from './sources.js';

for (const g of GOLDEN_FILES) {
  const file = goldenPath(g);
  const text = g.produce();
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (before === text) {
    process.stdout.write(`unchanged  ${g.path}\n`);
    continue;
  }
  writeFileSync(file, text);
  process.stdout.write(`${before === undefined ? 'written  ' : 'updated  '}  ${g.path} (${g.what}); review the diff\n`);
}
