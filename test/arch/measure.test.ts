/**
 * MRENCLAVE. Known answers from public enclave images (fortanix/rust-sgx, commit be93e7ab; see
 * test/fixtures/arch/README.md); the rest compares against a second, naive implementation
 * written from the SDM's block definitions (self-derived vectors, see helpers.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MrEnclave, measureSgxsFile } from '../../backends/arch/measure.js';
import { encodeSgxs, readSgxsFile, writeSgxsFile } from '../../backends/arch/sgxs-image.js';
import { fixture, naiveMrenclave, randomImage } from './helpers.js';

test('KAT: rust-sgx sgx_detect test_enclave.sgxs measures to the ENCLAVEHASH of its published test_enclave.sig', () => {
  const m = measureSgxsFile(fixture('test_enclave.sgxs'));
  const sig = fs.readFileSync(fixture('test_enclave.sig'));
  assert.equal(m.mrenclave.toString('hex'), sig.subarray(960, 992).toString('hex'));
  assert.equal(m.mrenclave.toString('hex'), '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc');
  assert.deepEqual([m.size, m.ssaFrameSize, m.counts.eadd, m.counts.eextend, m.counts.unmeasured], [0x40000, 1, 9, 144, 0]);
});

test('KAT: rust-sgx report-test report.sgxs has the counts rust-sgx asserts (1 ECREATE size 0x4000, 3 EADD, 48 EEXTEND)', () => {
  const m = measureSgxsFile(fixture('report.sgxs'));
  assert.deepEqual([m.size, m.ssaFrameSize, m.counts.ecreate, m.counts.eadd, m.counts.eextend], [0x4000, 1, 1, 3, 48]);
  // doc/SGXS.md: "hashing an SGXS file with SHA-256 will produce MRENCLAVE" (no UNMEASRD here).
  const whole = crypto.createHash('sha256').update(fs.readFileSync(fixture('report.sgxs'))).digest('hex');
  assert.equal(m.mrenclave.toString('hex'), whole);
  assert.equal(whole, 'a06a560b26f5e397b2d7872fac66fe4b43bf4f507296ee048f110be6fb1a2290');
});

test('the builder reproduces the public image from its pages (EADD/EEXTEND order, TCS flags 0x100)', () => {
  const img = readSgxsFile(fixture('test_enclave.sgxs'), { keepData: true });
  const b = new MrEnclave().ecreate(img.size, img.ssaFrameSize);
  for (const p of img.pages) b.addPage(p.offset, p.flags, p.measured, p.data);
  assert.equal(b.digest().toString('hex'), '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc');
  assert.equal(naiveMrenclave(img), '784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc');
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
