/**
 * SIGSTRUCT signing and verification. Always run: sign → verify round trips with generated keys
 * (checked against node:crypto's own RSA verify), tampering, bad input. Known answers from
 * fortanix/rust-sgx (commit be93e7ab; vectors.ts) — the `sgxs-sign` test SIGSTRUCT
 * `sig1.sigstruct.bin`, the `sgxs` crypto vectors `sig1.*.bin` and the published
 * `test_enclave.sig` — run when those files are present and are skipped otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ArchInputError } from '../../backends/arch/errors.js';
import { generateRsaKey, generateSigningKey, keyProblem, loadSigningKey, modulusLe, q1q2 } from '../../backends/arch/rsa.js';
import { signSigstruct, verifySigstruct } from '../../backends/arch/sign.js';
import { decodeSigstruct } from '../../backends/arch/sigstruct.js';
import { PUBLISHED, needVectors, vector, type VectorName } from './vectors.js';

const read = (name: VectorName): Buffer => fs.readFileSync(vector(name));
const U64 = 0xffff_ffff_ffff_ffffn;

test(
  'KAT: rust-sgx sgxs-sign test_sig — same key, date 20160109, xfrm 3/0xe4, hash c506… gives sig1.sigstruct.bin byte for byte',
  needVectors('sig1.key.pem', 'sig1.sigstruct.bin'),
  () => {
    const key = loadSigningKey(read('sig1.key.pem'));
    const S = PUBLISHED.sig1;
    const sig = signSigstruct({ enclaveHash: Buffer.from(S.enclaveHash, 'hex'), date: S.date, xfrmMask: U64 & ~S.xfrmClear }, key);
    assert.deepEqual(sig, read('sig1.sigstruct.bin'));
  },
);

test(
  'KAT: rust-sgx crypto vectors — modulus, q1, q2 (little-endian) and the signature over sig1.data.bin',
  needVectors('sig1.key.pem', 'sig1.key_n.bin', 'sig1.sig.bin', 'sig1.q1.bin', 'sig1.q2.bin', 'sig1.data.bin'),
  () => {
    const key = loadSigningKey(read('sig1.key.pem'));
    const n = modulusLe(key);
    assert.deepEqual(n, read('sig1.key_n.bin'));
    const s = read('sig1.sig.bin');
    const { q1, q2 } = q1q2(s, n);
    assert.deepEqual(q1, read('sig1.q1.bin'));
    assert.deepEqual(q2, read('sig1.q2.bin'));
    // sig1.data.bin is a SHA-256 digest; s^e mod n must be its PKCS#1 v1.5 encoding.
    const em = crypto.publicDecrypt({ key: crypto.createPublicKey(key), padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(s).reverse());
    const digestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    assert.deepEqual(em, Buffer.concat([digestInfo, read('sig1.data.bin')]));
  },
);

test('KAT: the published test_enclave.sig verifies (signature, q1, q2)', needVectors('test_enclave.sig'), () => {
  const c = verifySigstruct(read('test_enclave.sig'));
  assert.equal(c.signatureOk, true);
  assert.equal(c.q1Ok, true);
  assert.equal(c.q2Ok, true);
  assert.equal(c.ok, true);
  assert.equal(c.fields.date, PUBLISHED.testEnclave.sigDate);
  assert.equal(c.fields.enclaveHash.toString('hex'), PUBLISHED.testEnclave.mrenclave);
});

test('sign → verify round trip with a generated key; tampering is detected', () => {
  const key = generateSigningKey();
  assert.equal(keyProblem(key), undefined);
  const hash = crypto.randomBytes(32);
  const sig = signSigstruct({ enclaveHash: hash, date: 0x20261125, isvProdId: 7, isvSvn: 9, vendor: 0x8086 }, key);
  const c = verifySigstruct(sig);
  assert.equal(c.ok, true);
  assert.deepEqual(c.fields.enclaveHash, hash);
  assert.deepEqual([c.fields.isvProdId, c.fields.isvSvn, c.fields.vendor, c.fields.date], [7, 9, 0x8086, 0x20261125]);
  assert.equal(c.fields.attributes, 4n);
  assert.equal(c.fields.xfrm, 3n);
  assert.deepEqual(c.mrsigner, crypto.createHash('sha256').update(modulusLe(key)).digest());

  const body = Buffer.from(sig);
  body[960] = (body[960] ?? 0) ^ 1; // ENCLAVEHASH is signed
  assert.equal(verifySigstruct(body).signatureOk, false);
  const q = Buffer.from(sig);
  q[1040] = (q[1040] ?? 0) ^ 1;
  assert.deepEqual([verifySigstruct(q).signatureOk, verifySigstruct(q).q1Ok, verifySigstruct(q).q2Ok], [true, false, true]);
  const unsignedPart = Buffer.from(sig);
  unsignedPart[800] = (unsignedPart[800] ?? 0) ^ 1; // inside SIGNATURE itself
  assert.equal(verifySigstruct(unsignedPart).ok, false);
});

/** Little-endian bytes → bigint. */
const leInt = (b: Buffer): bigint => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);

test('self-derived: a SIGSTRUCT checked field by field against the SDM definitions with node:crypto and BigInt', () => {
  const key = generateSigningKey();
  const hash = crypto.randomBytes(32);
  const sig = signSigstruct({ enclaveHash: hash, date: 0x20260102 }, key);
  assert.equal(sig.length, 1808);
  // SDM SIGSTRUCT: HEADER@0 (16), HEADER2@24 (16), MODULUS@128 (384, LE), EXPONENT@512 = 3,
  // SIGNATURE@516 (384, LE), ENCLAVEHASH@960; signed bytes [0,128) ‖ [900,1028).
  assert.equal(sig.subarray(0, 16).toString('hex'), '06000000e10000000000010000000000');
  assert.equal(sig.subarray(24, 40).toString('hex'), '01010000600000006000000001000000');
  assert.equal(sig.readUInt32LE(20), 0x20260102);
  assert.equal(sig.readUInt32LE(512), 3);
  assert.deepEqual(sig.subarray(960, 992), hash);
  const jwk = crypto.createPublicKey(key).export({ format: 'jwk' });
  const n = BigInt(`0x${Buffer.from(jwk.n ?? '', 'base64url').toString('hex')}`);
  assert.equal(leInt(sig.subarray(128, 512)), n);
  const signature = sig.subarray(516, 900);
  const signed = Buffer.concat([sig.subarray(0, 128), sig.subarray(900, 1028)]);
  assert.equal(crypto.verify('sha256', signed, crypto.createPublicKey(key), Buffer.from(signature).reverse()), true);
  // Q1 = floor(S² / M), Q2 = floor((S³ − Q1·S·M) / M) (SDM EINIT; rust-sgx `calculate_q1_q2`).
  const sInt = leInt(signature);
  const q1 = (sInt * sInt) / n;
  const q2 = (sInt * sInt * sInt - q1 * sInt * n) / n;
  assert.equal(leInt(sig.subarray(1040, 1424)), q1);
  assert.equal(leInt(sig.subarray(1424, 1808)), q2);
});

test('bad input: a SIGSTRUCT of the wrong size; keys of the wrong size or exponent', () => {
  assert.throws(
    () => verifySigstruct(Buffer.alloc(1807)),
    (e: unknown) => e instanceof ArchInputError && /1808 bytes, this one is 1807/.test(e.message),
  );
  assert.throws(() => decodeSigstruct(Buffer.alloc(1809)), /1808/);
  const small = generateRsaKey(2048, 3);
  assert.throws(() => loadSigningKey(small.export({ type: 'pkcs8', format: 'pem' })), /2048 bits; SGX needs RSA-3072/);
  const e65537 = generateRsaKey(3072, 65537);
  assert.throws(() => loadSigningKey(e65537.export({ type: 'pkcs1', format: 'pem' })), /exponent is 65537/);
  assert.throws(() => signSigstruct({ enclaveHash: Buffer.alloc(32) }, e65537), /exponent/);
  assert.throws(() => loadSigningKey('not a key'), /not a PEM private key/);
});
