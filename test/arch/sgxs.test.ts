/**
 * SGXS import/export, canonicality and bad input (rules from fortanix/rust-sgx doc/SGXS.md).
 * The one public image (rust-sgx test_enclave.sgxs, vectors.ts) is skipped when absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArchInputError } from '../../backends/arch/errors.js';
import { ecreateBlock, eaddBlock, eextendBlock } from '../../backends/arch/blocks.js';
import { measureSgxsFile } from '../../backends/arch/measure.js';
import { encodeSgxs, readSgxsBuffer, readSgxsFile, writeSgxsFile } from '../../backends/arch/sgxs-image.js';
import { scanSgxsBuffer } from '../../backends/arch/sgxs.js';
import { naiveMrenclave, randomImage } from './helpers.js';
import { needVectors, vector } from './vectors.js';

const chunk = (offset: number, measured = true): Buffer => Buffer.concat([eextendBlock(offset, measured), Buffer.alloc(256, 0xab)]);
const rejects = (buf: Buffer, re: RegExp): void => {
  assert.throws(
    () => scanSgxsBuffer(buf),
    (e: unknown) => e instanceof ArchInputError && re.test(e.message),
  );
};

test('export → import → export is byte-identical and keeps every page attribute (200 random layouts)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const img = randomImage(seed);
    const bytes = encodeSgxs(img);
    const back = readSgxsBuffer(bytes, { keepData: true });
    assert.equal(back.size, img.size);
    assert.equal(back.ssaFrameSize, img.ssaFrameSize);
    assert.deepEqual(
      back.pages.map((p) => [p.offset, p.flags, p.measured, p.unmeasured, p.ordered, p.data?.toString('hex')]),
      img.pages.map((p) => [p.offset, p.flags, p.measured, p.unmeasured, true, p.data?.toString('hex')]),
      `seed ${seed}`,
    );
    assert.deepEqual(encodeSgxs(back), bytes, `seed ${seed}`);
    // Import keeps what MRENCLAVE covers: same hash (naive SDM) before export and after import.
    assert.equal(naiveMrenclave(back), naiveMrenclave(img), `seed ${seed}`);
  }
});

test('KAT: the public image (rust-sgx test_enclave.sgxs) re-exports to the same bytes', needVectors('test_enclave.sgxs'), () => {
  const orig = fs.readFileSync(vector('test_enclave.sgxs'));
  assert.deepEqual(encodeSgxs(readSgxsBuffer(orig, { keepData: true })), orig);
});

test('writeSgxsFile writes whole files and leaves nothing behind on bad input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-sgxs-'));
  try {
    const img = randomImage(7);
    const file = path.join(dir, 'a.sgxs');
    writeSgxsFile(file, img);
    assert.deepEqual(readSgxsFile(file).pages.length, img.pages.length);
    const bad = path.join(dir, 'b.sgxs');
    const pages = [
      { offset: 0x1000, flags: 0x203, measured: 0, unmeasured: 0, ordered: true, record: 0 },
      { offset: 0, flags: 0x203, measured: 0, unmeasured: 0, ordered: true, record: 0 },
    ];
    assert.throws(() => writeSgxsFile(bad, { size: 0x2000, ssaFrameSize: 1, unsized: false, pages }), /out of order/);
    assert.deepEqual(fs.readdirSync(dir), ['a.sgxs']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: truncated stream names the record and byte offset', () => {
  const good = Buffer.concat([ecreateBlock(0x2000, 1), eaddBlock(0, 0x203), chunk(0)]);
  rejects(good.subarray(0, good.length - 10), /record 2 \(byte offset 128\): truncated/);
  rejects(good.subarray(0, 100), /record 1 \(byte offset 64\): truncated/);
});

test('bad input: unknown tag', () => {
  const b = Buffer.concat([ecreateBlock(0x2000, 1), Buffer.alloc(64, 0x41)]);
  rejects(b, /record 1 \(byte offset 64\): unknown record tag 0x4141414141414141/);
});

test('bad input: ECREATE missing, repeated, or an empty stream', () => {
  rejects(eaddBlock(0, 0x203), /record 0 \(byte offset 0\): EADD before ECREATE/);
  rejects(Buffer.concat([ecreateBlock(0x2000, 1), ecreateBlock(0x2000, 1)]), /record 1 .*ECREATE repeated/);
  rejects(Buffer.alloc(0), /ECREATE missing/);
});

test('bad input: EADD offsets out of order, unaligned, or outside the enclave', () => {
  rejects(
    Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x1000, 0x203), eaddBlock(0x1000, 0x203)]),
    /record 2 \(byte offset 128\): EADD offsets out of order/,
  );
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x2000, 0x203), eaddBlock(0x1000, 0x203)]), /out of order/);
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x1100, 0x203)]), /not page aligned/);
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x4000, 0x203)]), /outside the enclave/);
});

test('bad input: EEXTEND not 256-aligned, outside its page, repeated, or before any EADD', () => {
  const head = [ecreateBlock(0x4000, 1), eaddBlock(0x1000, 0x203)];
  rejects(Buffer.concat([...head, chunk(0x1080)]), /record 2 \(byte offset 128\): EEXTEND offset 0x1080 is not 256-aligned/);
  rejects(Buffer.concat([...head, chunk(0x2000)]), /outside the page/);
  rejects(Buffer.concat([...head, chunk(0x1100), chunk(0x1100, false)]), /record 3 .*appears twice/);
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), chunk(0)]), /before any EADD/);
});

test('bad input: a TCS with permissions, bad SECINFO, non-zero reserved bytes, bad ECREATE', () => {
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0, 0x103)]), /record 1 \(byte offset 64\): a TCS page has permissions/);
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0, 0x403)]), /PAGE_TYPE 4/);
  const dirty = eaddBlock(0, 0x203);
  dirty[40] = 1;
  rejects(Buffer.concat([ecreateBlock(0x4000, 1), dirty]), /must be zero/);
  rejects(ecreateBlock(0x3000, 1), /power of two/);
  rejects(ecreateBlock(0x4000, 0), /SSAFRAMESIZE 0/);
});

test('out-of-order chunks within a page are canonical and are reported as not ordered', () => {
  const b = Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0, 0x203), chunk(0x100), chunk(0)]);
  const img = readSgxsBuffer(b);
  assert.equal(img.pages[0]?.ordered, false);
  assert.equal(img.pages[0]?.measured, 0b11);
});

test('UNSIZED streams import but cannot be measured', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-unsized-'));
  try {
    const file = path.join(dir, 'u.sgxs');
    fs.writeFileSync(file, Buffer.concat([ecreateBlock(0x1008, 1, true), eaddBlock(0, 0x203), chunk(0)]));
    const img = readSgxsFile(file);
    assert.equal(img.unsized, true);
    assert.equal(img.size, 0x1008);
    assert.throws(() => measureSgxsFile(file), /record 0 \(byte offset 0\): an UNSIZED stream cannot be measured/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
