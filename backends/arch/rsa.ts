/**
 * RSA-3072, e = 3, the only key shape EINIT accepts (SDM EINIT; rust-sgx `Signer::check_key`:
 * "Key public exponent is not 3"). Keys come from and go to node:crypto; the SIGSTRUCT stores
 * the modulus, signature, q1 and q2 little-endian, so this module converts between big-endian
 * (what node:crypto and PKCS#1 speak) and little-endian fixed-width buffers with BigInt.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { ArchInputError } from './errors.js';

export const RSA_BITS = 3072;
export const RSA_BYTES = RSA_BITS / 8;
export const RSA_EXPONENT = 3;

/**
 * A new RSA private key (node:crypto), by default RSA-3072 with e = 3. The key is generated as
 * PEM and parsed again: on Node 20, reading `asymmetricKeyDetails` of a KeyObject that
 * generateKeyPairSync returned can deadlock when a garbage collection runs the generator job's
 * destructor while the key's mutex is held (seen as a hung process in
 * KeyGenJob::~KeyGenJob ← GetRsaKeyDetail); a parsed key shares nothing with the job.
 */
export function generateRsaKey(bits = RSA_BITS, exponent = RSA_EXPONENT): KeyObject {
  const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: exponent,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return crypto.createPrivateKey(privateKey);
}

/** A new RSA-3072, e = 3 private key (node:crypto). */
export function generateSigningKey(): KeyObject {
  return generateRsaKey();
}

/** The rule a key breaks (not RSA, not 3072 bits, e ≠ 3), or undefined. */
export function keyProblem(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType !== 'rsa') return `the key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not RSA`;
  const d = key.asymmetricKeyDetails;
  if (d?.modulusLength !== RSA_BITS) return `the key has ${d?.modulusLength ?? '?'} bits; SGX needs RSA-${RSA_BITS}`;
  if (d.publicExponent !== BigInt(RSA_EXPONENT)) return `the key's public exponent is ${d.publicExponent}; SGX needs e = ${RSA_EXPONENT}`;
  return undefined;
}

/** Parses a PEM private key (PKCS#1 or PKCS#8) and checks it is RSA-3072 with e = 3. */
export function loadSigningKey(pem: string | Buffer, source = 'key'): KeyObject {
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch (e) {
    throw new ArchInputError(`${source}: not a PEM private key (${(e as Error).message})`);
  }
  const problem = keyProblem(key);
  if (problem) throw new ArchInputError(`${source}: ${problem}`);
  return key;
}

/** A big-endian byte string as a BigInt. */
export function beToBigInt(be: Uint8Array): bigint {
  return be.length === 0 ? 0n : BigInt(`0x${Buffer.from(be).toString('hex')}`);
}

/** A little-endian byte string as a BigInt. */
export function leToBigInt(le: Uint8Array): bigint {
  return beToBigInt(Buffer.from(le).reverse());
}

/** A non-negative BigInt as `len` little-endian bytes (throws if it does not fit). */
export function bigIntToLe(n: bigint, len: number): Buffer {
  if (n < 0n) throw new RangeError('negative integer');
  const hex = n.toString(16);
  if (hex.length > len * 2) throw new RangeError(`integer needs more than ${len} bytes`);
  return Buffer.from(hex.padStart(len * 2, '0'), 'hex').reverse();
}

function b64urlToBuffer(s: string): Buffer {
  return Buffer.from(s, 'base64url');
}

/** The modulus of a key, little-endian, 384 bytes. */
export function modulusLe(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string') throw new ArchInputError('key: no RSA modulus');
  return bigIntToLe(beToBigInt(b64urlToBuffer(jwk.n)), RSA_BYTES);
}

/** A public key object for a little-endian modulus and exponent 3. */
export function publicKeyFromModulusLe(modLe: Buffer): KeyObject {
  const n = Buffer.from(modLe).reverse();
  const firstNonZero = n.findIndex((b) => b !== 0);
  const trimmed = firstNonZero < 0 ? Buffer.alloc(1) : n.subarray(firstNonZero);
  return crypto.createPublicKey({ key: { kty: 'RSA', n: trimmed.toString('base64url'), e: 'Aw' }, format: 'jwk' });
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over `data`; the signature little-endian, 384 bytes. */
export function signPkcs1Sha256Le(data: Buffer, key: KeyObject): Buffer {
  const be = crypto.sign('sha256', data, { key, padding: crypto.constants.RSA_PKCS1_PADDING });
  return bigIntToLe(beToBigInt(be), RSA_BYTES);
}

/** Verifies a little-endian PKCS#1 v1.5 SHA-256 signature under a little-endian modulus, e = 3. */
export function verifyPkcs1Sha256Le(data: Buffer, sigLe: Buffer, modLe: Buffer): boolean {
  const n = leToBigInt(modLe);
  const s = leToBigInt(sigLe);
  if (n === 0n || s >= n) return false;
  let pub: KeyObject;
  try {
    pub = publicKeyFromModulusLe(modLe);
  } catch {
    return false;
  }
  const be = Buffer.from(sigLe).reverse();
  try {
    return crypto.verify('sha256', data, { key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }, be);
  } catch {
    return false; // a modulus OpenSSL refuses (too small, even): not a valid signature
  }
}

/**
 * q1 = ⌊s² / n⌋ and q2 = ⌊s · (s² mod n) / n⌋, the helpers EINIT uses to check s³ mod n
 * cheaply (SDM SIGSTRUCT; Linux SGX selftest `calc_q1q2`), both little-endian, 384 bytes.
 */
export function q1q2(sigLe: Buffer, modLe: Buffer): { q1: Buffer; q2: Buffer } {
  const s = leToBigInt(sigLe);
  const n = leToBigInt(modLe);
  const s2 = s * s;
  const q1 = s2 / n;
  const q2 = (s * (s2 % n)) / n;
  return { q1: bigIntToLe(q1, RSA_BYTES), q2: bigIntToLe(q2, RSA_BYTES) };
}
