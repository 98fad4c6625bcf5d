/**
 * SIGSTRUCT signing and verification. Known answers from fortanix/rust-sgx (commit be93e7ab; see
 * test/fixtures/arch/README.md): the `sgxs-sign` test SIGSTRUCT `sig1.sigstruct.bin`, the
 * `sgxs` crypto vectors `sig1.*.bin`, and the published `test_enclave.sig`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ArchInputError } from '../../backends/arch/errors.js';
import { generateSigningKey, keyProblem, loadSigningKey, modulusLe, q1q2 } from '../../backends/arch/rsa.js';
import { signSigstruct, verifySigstruct } from '../../backends/arch/sign.js';
import { decodeSigstruct } from '../../backends/arch/sigstruct.js';
import { fixture } from './helpers.js';

const read = (name: string): Buffer => fs.readFileSync(fixture(name));
const U64 = 0xffff_ffff_ffff_ffffn;

test('KAT: rust-sgx sgxs-sign test_sig — same key, date 20160109, xfrm 3/0xe4, hash c506… gives sig1.sigstruct.bin byte for byte', () => {
  const key = loadSigningKey(read('sig1.key.pem'));
  const sig = signSigstruct(
    { enclaveHash: Buffer.from('c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d', 'hex'), date: 0x20160109, xfrmMask: U64 & ~0xe4n },
    key,
  );
  assert.deepEqual(sig, read('sig1.sigstruct.bin'));
});

test('KAT: rust-sgx crypto vectors — modulus, q1, q2 (little-endian) and the signature over sig1.data.bin', () => {
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
});

test('KAT: the published test_enclave.sig verifies (signature, q1, q2)', () => {
  const c = verifySigstruct(read('test_enclave.sig'));
  assert.equal(c.signatureOk, true);
  assert.equal(c.q1Ok, true);
  assert.equal(c.q2Ok, true);
  assert.equal(c.ok, true);
  assert.equal(c.fields.date, 0x20161214);
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

test('bad input: a SIGSTRUCT of the wrong size; keys of the wrong size or exponent', () => {
  assert.throws(() => verifySigstruct(Buffer.alloc(1807)), (e: unknown) => e instanceof ArchInputError && /1808 bytes, this one is 1807/.test(e.message));
  assert.throws(() => decodeSigstruct(Buffer.alloc(1809)), /1808/);
  const small = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey;
  assert.throws(() => loadSigningKey(small.export({ type: 'pkcs8', format: 'pem' })), /2048 bits; SGX needs RSA-3072/);
  const e65537 = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
  assert.throws(() => loadSigningKey(e65537.export({ type: 'pkcs1', format: 'pem' })), /exponent is 65537/);
  assert.throws(() => signSigstruct({ enclaveHash: Buffer.alloc(32) }, e65537), /exponent/);
  assert.throws(() => loadSigningKey('not a key'), /not a PEM private key/);
});
