#!/usr/bin/env node
/**
 * Test runner: runs every compiled test file (dist/test/**\/*.test.js) with node:test's run(),
 * from an explicit, sorted file list. `node --test dist/test/` is not used: since Node 21 a
 * directory argument is treated as a module entry, not as a folder of tests.
 *
 * Usage: node scripts/run-tests.mjs [--reporter tap|spec] [FILE_SUBSTRING...]
 * Exit status: 0 when every test passed (skips allowed), 1 otherwise. The last line says how
 * many tests passed, failed and were skipped, and on which Node version.
 */
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testDir = path.join(root, 'dist', 'test');

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
let reporter = process.stdout.isTTY ? spec : tap;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--reporter') {
    const r = args[++i];
    if (r !== 'tap' && r !== 'spec') {
      process.stderr.write(`run-tests: --reporter must be tap or spec, got '${r ?? ''}'\n`);
      process.exit(2);
    }
    reporter = r === 'tap' ? tap : spec;
  } else filters.push(args[i]);
}

let files;
try {
  files = collect(testDir);
} catch (err) {
  process.stderr.write(`run-tests: cannot list ${path.relative(root, testDir)} (${err.code ?? err.message}); run 'npm run build' first\n`);
  process.exit(2);
}
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  process.stderr.write('run-tests: no test files matched\n');
  process.exit(2);
}

const counts = { pass: 0, fail: 0, skip: 0 };
const stream = run({ files, concurrency: Math.max(1, availableParallelism() - 1) });
stream.on('test:pass', (t) => {
  if (t.details?.type === 'suite') return;
  if (t.skip !== undefined && t.skip !== false) counts.skip++;
  else counts.pass++;
});
stream.on('test:fail', (t) => {
  if (t.details?.type === 'suite') return;
  counts.fail++;
  process.exitCode = 1;
});
stream.on('end', () => {
  process.stderr.write(`run-tests: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped (${files.length} files, Node ${process.version})\n`);
});
stream.compose(reporter).pipe(process.stdout);
