/**
 * Property test: random bytes of each input kind (SGXS, SIGSTRUCT, results CSV, profile JSON),
 * and random corruptions of valid inputs, fed to every reader. A reader either accepts the
 * input or throws its own input error (which the CLI turns into exit 2 or 1); it never throws
 * anything else (a RangeError, a TypeError: a crash). Seeded, so a failure reproduces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Prng } from '../../backends/model/sim/prng.js';
import { ArchInputError } from '../../backends/arch/errors.js';
import { readSgxsBuffer } from '../../backends/arch/sgxs-image.js';
import { verifySigstruct } from '../../backends/arch/sign.js';
import { SIGSTRUCT_SIZE } from '../../backends/arch/sigstruct.js';
import { exampleStream } from '../../backends/arch/example-stream.js';
import { loadProfile, ProfileError } from '../../backends/model/profiles.js';
import { parseResults } from '../../reports/read.js';
import { UsageError } from '../../bench/errors.js';
import { InputFileError } from '../../common/input-file.js';

const ROUNDS = 300;
const repo = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));

function bytes(rng: Prng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng.next() * 256);
  return b;
}

/** A valid input with a few random bytes overwritten, inserted or cut. */
function corrupt(rng: Prng, valid: Buffer): Buffer {
  const b = Buffer.from(valid);
  const edits = 1 + Math.floor(rng.next() * 4);
  for (let e = 0; e < edits; e++) b[Math.floor(rng.next() * b.length)] = Math.floor(rng.next() * 256);
  if (rng.next() < 0.3) return b.subarray(0, Math.floor(rng.next() * b.length));
  return b;
}

function accepts(kind: string, i: number, input: Buffer, read: () => unknown, own: (e: unknown) => boolean): void {
  try {
    read();
  } catch (err) {
    assert.ok(
      own(err),
      `${kind} round ${i}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} (input ${input.subarray(0, 64).toString('hex')}…)`,
    );
  }
}

test('SGXS reader: random and corrupted streams are accepted or an ArchInputError', () => {
  const rng = new Prng(11);
  const valid = exampleStream();
  for (let i = 0; i < ROUNDS; i++) {
    const input = i % 2 === 0 ? bytes(rng, Math.floor(rng.next() * 600)) : corrupt(rng, valid);
    accepts(
      'SGXS',
      i,
      input,
      () => readSgxsBuffer(input, { source: 'fuzz.sgxs' }),
      (e) => e instanceof ArchInputError,
    );
  }
});

test('SIGSTRUCT check: random and corrupted 1808-byte structures never crash', () => {
  const rng = new Prng(12);
  for (let i = 0; i < ROUNDS; i++) {
    const input = bytes(rng, SIGSTRUCT_SIZE);
    // Every few rounds, the extreme values the RSA arithmetic must survive.
    if (i % 5 === 1) input.fill(0, 128, 512).writeUInt8(1, 128); // modulus 1
    if (i % 5 === 2) input.fill(0xff, 516, 900); // signature ≥ modulus
    if (i % 5 === 3) input.fill(0, 128, 512); // modulus 0
    accepts(
      'SIGSTRUCT',
      i,
      input,
      () => verifySigstruct(input, 'fuzz.bin'),
      (e) => e instanceof ArchInputError,
    );
  }
});

test('results CSV reader: random and corrupted files are accepted or a UsageError naming the file', () => {
  const rng = new Prng(13);
  const valid = readFileSync(repo('test/fixtures/reports/model.csv'));
  for (let i = 0; i < ROUNDS; i++) {
    const input = i % 2 === 0 ? bytes(rng, Math.floor(rng.next() * 400)) : corrupt(rng, valid);
    accepts(
      'CSV',
      i,
      input,
      () => parseResults(input.toString('utf8'), 'fuzz.csv'),
      (e) => e instanceof UsageError && e.message.includes('fuzz.csv'),
    );
  }
});

test('profile reader: random and corrupted JSON files are accepted or a ProfileError/InputFileError', () => {
  const rng = new Prng(14);
  const valid = readFileSync(repo('backends/model/profiles/skylake-client.json'));
  const dir = mkdtempSync(join(tmpdir(), 'eaddbench-fuzz-'));
  try {
    const file = join(dir, 'p.json');
    for (let i = 0; i < ROUNDS; i++) {
      const input = i % 3 === 0 ? bytes(rng, Math.floor(rng.next() * 300)) : corrupt(rng, valid);
      writeFileSync(file, input);
      accepts(
        'profile',
        i,
        input,
        () => loadProfile(file),
        (e) => e instanceof ProfileError || e instanceof InputFileError,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
