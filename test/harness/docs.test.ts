/** The generated documentation stays true to the code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaMarkdown } from '../../results/schema.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test("docs/results.md is the schema module's generated Markdown (regenerate: eaddbench schema --markdown > docs/results.md)", () => {
  assert.equal(readFileSync(`${root}docs/results.md`, 'utf8'), schemaMarkdown());
});

test('the README Quick start is exactly npm ci && npm start, and npm test', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
  const commands = [...quick.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
});
