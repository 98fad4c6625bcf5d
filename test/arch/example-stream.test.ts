/**
 * The project's example stream (backends/arch/example-stream.ts), committed as
 * workloads/streams/example.sgxs for the `replay` workload of the default suite.
 *
 * The committed file must equal `exampleStream()` byte for byte. After a deliberate change to
 * the example, regenerate it from the repository root with:
 *
 *   npx tsc -p . && node -e "import('./dist/backends/arch/example-stream.js').then((m) => m.writeExampleStream('workloads/streams/example.sgxs'))"
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { exampleImage, exampleStream } from '../../backends/arch/example-stream.js';
import { readSgxsFile } from '../../backends/arch/sgxs-image.js';
import { decodeTcs, tcsProblem } from '../../backends/arch/tcs.js';
import { SUITES } from '../../workloads/suites.js';
import { EXAMPLE_FILE } from './helpers.js';

test("workloads/streams/example.sgxs equals exampleStream() byte for byte (regenerate: see this file's header)", () => {
  const committed = fs.readFileSync(EXAMPLE_FILE);
  const built = exampleStream();
  assert.equal(committed.length, built.length, 'length differs: regenerate the committed stream');
  assert.ok(committed.equals(built), 'contents differ: regenerate the committed stream');
  // Deterministic: building twice gives the same bytes.
  assert.ok(exampleStream().equals(built));
});

test('the example is a one-thread enclave a loader would accept: valid TCS, SSA inside, entry in R-X code', () => {
  const img = exampleImage();
  const tcs = img.pages.find((p) => p.flags >> 8 === 1);
  assert.ok(tcs?.data, 'a TCS page with contents');
  assert.equal(tcsProblem(tcs.data, BigInt(img.size)), undefined);
  const t = decodeTcs(tcs.data);
  const at = (off: bigint) => img.pages.find((p) => BigInt(p.offset) === off);
  assert.equal(at(t.ossa)?.flags, 0x203, 'the SSA frame is an RW page');
  assert.equal(at(t.oentry)?.flags, 0x205, 'the entry point is in R-X code');
  // Every page is measured wholly or not at all (mainline cannot measure part of a page).
  for (const p of img.pages) assert.ok(p.measured === 0 || p.measured === 0xffff, `page 0x${p.offset.toString(16)}`);
  // Import of the committed file sees the same pages.
  const back = readSgxsFile(EXAMPLE_FILE);
  assert.deepEqual(
    back.pages.map((p) => [p.offset, p.flags, p.measured, p.unmeasured]),
    img.pages.map((p) => [p.offset, p.flags, p.measured, p.unmeasured]),
  );
});

test('the default suite replays the committed example stream', () => {
  const entry = SUITES.find((s) => s.name === 'default')?.entries.find((e) => e.workload === 'replay');
  assert.deepEqual(entry?.sets['file'], ['workloads/streams/example.sgxs']);
});
