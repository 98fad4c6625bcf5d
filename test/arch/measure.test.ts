/**
 * MRENCLAVE. Always run: the streaming implementation against a second, naive one written from
 * the SDM's block definitions (helpers.ts), and against SHA-256 of a stream with its UNMEASRD
 * records removed (doc/SGXS.md), over random layouts and the project's example stream.
 * Known answers from public enclave images (fortanix/rust-sgx, commit be93e7ab; vectors.ts)
 * run when the vector files are present, and are skipped otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MrEnclave, measureSgxsFile } from '../../backends/arch/measure.js';
import { TAG_EEXTEND, TAG_UNMEASRD } from '../../backends/arch/blocks.js';
import { exampleImage, exampleStream } from '../../backends/arch/example-stream.js';
import { encodeSgxs, readSgxsFile, writeSgxsFile } from '../../backends/arch/sgxs-image.js';
import { EXAMPLE_FILE, naiveMrenclave, randomImage } from './helpers.js';
import { PUBLISHED, needVectors, vector } from './vectors.js';

const TE = PUBLISHED.testEnclave;

test(
  'KAT: rust-sgx sgx_detect test_enclave.sgxs measures to the ENCLAVEHASH of its published test_enclave.sig',
  needVectors('test_enclave.sgxs', 'test_enclave.sig'),
  () => {
    const m = measureSgxsFile(vector('test_enclave.sgxs'));
    const sig = fs.readFileSync(vector('test_enclave.sig'));
    assert.equal(m.mrenclave.toString('hex'), sig.subarray(960, 992).toString('hex'));
    assert.equal(m.mrenclave.toString('hex'), TE.mrenclave);
    assert.deepEqual(
      [m.size, m.ssaFrameSize, m.counts.eadd, m.counts.eextend, m.counts.unmeasured],
      [TE.size, TE.ssaFrameSize, TE.eadd, TE.eextend, TE.unmeasured],
    );
  },
);

test('KAT: rust-sgx report-test report.sgxs has the counts rust-sgx asserts (1 ECREATE size 0x4000, 3 EADD, 48 EEXTEND)', needVectors('report.sgxs'), () => {
  const R = PUBLISHED.report;
  const m = measureSgxsFile(vector('report.sgxs'));
  assert.deepEqual([m.size, m.ssaFrameSize, m.counts.ecreate, m.counts.eadd, m.counts.eextend], [R.size, R.ssaFrameSize, R.ecreate, R.eadd, R.eextend]);
  // doc/SGXS.md: "hashing an SGXS file with SHA-256 will produce MRENCLAVE" (no UNMEASRD here).
  const whole = crypto
    .createHash('sha256')
    .update(fs.readFileSync(vector('report.sgxs')))
    .digest('hex');
  assert.equal(m.mrenclave.toString('hex'), whole);
  assert.equal(whole, R.mrenclave);
});

test('KAT: the builder and the naive SDM implementation reproduce the public image from its pages', needVectors('test_enclave.sgxs'), () => {
  const img = readSgxsFile(vector('test_enclave.sgxs'), { keepData: true });
  const b = new MrEnclave().ecreate(img.size, img.ssaFrameSize);
  for (const p of img.pages) b.addPage(p.offset, p.flags, p.measured, p.data);
  assert.equal(b.digest().toString('hex'), TE.mrenclave);
  assert.equal(naiveMrenclave(img), TE.mrenclave);
});

/** SHA-256 over a stream's records except UNMEASRD records and their data (doc/SGXS.md). */
function hashWithoutUnmeasured(stream: Buffer): string {
  const h = crypto.createHash('sha256');
  for (let off = 0; off < stream.length; ) {
    const tag = stream.readBigUInt64LE(off);
    const len = tag === TAG_EEXTEND.value || tag === TAG_UNMEASRD.value ? 320 : 64; // EEXTEND/UNMEASRD carry 256 data bytes
    if (tag !== TAG_UNMEASRD.value) h.update(stream.subarray(off, off + len));
    off += len;
  }
  return h.digest('hex');
}

test('the example stream: file measure = builder = naive SDM = SHA-256 of the measured records', () => {
  const img = exampleImage();
  const expected = naiveMrenclave(img);
  const stream = exampleStream();
  assert.equal(hashWithoutUnmeasured(stream), expected);
  const m = measureSgxsFile(EXAMPLE_FILE);
  assert.equal(m.mrenclave.toString('hex'), expected);
  // 17 pages: TCS + SSA + 4 code + 2 data measured (8 × 16 EEXTEND), one UNMEASRD chunk, 9 EADD-only.
  assert.deepEqual([m.size, m.ssaFrameSize, m.counts.eadd, m.counts.eextend, m.counts.unmeasured], [0x20000, 1, 17, 128, 1]);
  const b = new MrEnclave().ecreate(img.size, img.ssaFrameSize);
  for (const p of img.pages) b.addPage(p.offset, p.flags, p.measured, p.data);
  assert.equal(b.digest().toString('hex'), expected);
  // A stream with UNMEASRD records is not its own MRENCLAVE.
  assert.notEqual(crypto.createHash('sha256').update(stream).digest('hex'), expected);
});

test('self-derived: builder = naive SDM implementation = streaming file measure, over 200 random layouts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-measure-'));
  try {
    for (let seed = 1; seed <= 200; seed++) {
      const img = randomImage(seed);
      const b = new MrEnclave().ecreate(img.size, img.ssaFrameSize);
      for (const p of img.pages) b.addPage(p.offset, p.flags, p.measured, p.data);
      const expected = naiveMrenclave(img);
      assert.equal(b.digest().toString('hex'), expected, `seed ${seed}`);
      const file = path.join(dir, `s${seed}.sgxs`);
      writeSgxsFile(file, img);
      assert.equal(hashWithoutUnmeasured(fs.readFileSync(file)), expected, `seed ${seed} (records)`);
      // Small, odd read sizes put record boundaries everywhere inside the read buffer.
      for (const chunk of [640, 1000, 1 << 20]) {
        assert.equal(measureSgxsFile(file, chunk).mrenclave.toString('hex'), expected, `seed ${seed} chunk ${chunk}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TCS permissions are zeroed before hashing; UNMEASRD data does not change MRENCLAVE', () => {
  const a = new MrEnclave().ecreate(0x2000, 1).eadd(0, 0x107).digest();
  const b = new MrEnclave().ecreate(0x2000, 1).eadd(0, 0x100).digest();
  assert.deepEqual(a, b);
  const tcsOnly = { size: 0x2000, ssaFrameSize: 1, unsized: false, pages: [{ offset: 0, flags: 0x107, measured: 0, unmeasured: 0, ordered: true, record: 0 }] };
  assert.equal(a.toString('hex'), naiveMrenclave(tcsOnly));
  const page = { offset: 0, flags: 0x203, measured: 0x000f, ordered: true, record: 0 };
  const one = encodeSgxs({ size: 0x2000, ssaFrameSize: 1, unsized: false, pages: [{ ...page, unmeasured: 0x00f0, data: Buffer.alloc(4096, 1) }] });
  const two = encodeSgxs({ size: 0x2000, ssaFrameSize: 1, unsized: false, pages: [{ ...page, unmeasured: 0, data: Buffer.alloc(4096, 1) }] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-unm-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), one);
    fs.writeFileSync(path.join(dir, 'b'), two);
    const ma = measureSgxsFile(path.join(dir, 'a'));
    assert.equal(ma.counts.unmeasured, 4);
    assert.deepEqual(ma.mrenclave, measureSgxsFile(path.join(dir, 'b')).mrenclave);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('partial chunk masks measure only the chunks set (a different hash from a full page)', () => {
  const data = crypto.randomBytes(4096);
  const full = new MrEnclave().ecreate(0x2000, 1).addPage(0x1000, 0x203, 0xffff, data).digest();
  const half = new MrEnclave().ecreate(0x2000, 1).addPage(0x1000, 0x203, 0x00ff, data).digest();
  const byHand = new MrEnclave().ecreate(0x2000, 1).eadd(0x1000, 0x203);
  for (let i = 0; i < 8; i++) byHand.eextend(0x1000 + i * 256, data.subarray(i * 256, i * 256 + 256));
  assert.notDeepEqual(full, half);
  assert.deepEqual(half, byHand.digest());
});

test('the builder enforces ECREATE first and once', () => {
  assert.throws(() => new MrEnclave().eadd(0, 0x203), /ECREATE must come first/);
  assert.throws(() => new MrEnclave().ecreate(0x2000, 1).ecreate(0x2000, 1), /only once/);
  const b = new MrEnclave().ecreate(0x2000, 1);
  b.digest();
  assert.throws(() => b.digest(), /finalized/);
  assert.throws(() => new MrEnclave().ecreate(0x2000, 1).eextend(0x80, Buffer.alloc(256)), /256-aligned/);
});
