/**
 * Signing and verifying a SIGSTRUCT: RSASSA-PKCS1-v1_5 with SHA-256 over header ‖ body, the
 * signer's modulus, the signature and q1/q2 stored little-endian, exponent 3 (SDM SIGSTRUCT
 * and EINIT; the Linux SGX selftest `sigstruct.c` does the same with OpenSSL).
 */
import type { KeyObject } from 'node:crypto';
import crypto from 'node:crypto';
import { ArchInputError } from './errors.js';
import { RSA_EXPONENT, keyProblem, leToBigInt, modulusLe, q1q2, signPkcs1Sha256Le, verifyPkcs1Sha256Le } from './rsa.js';
import { ATTR_DEBUG, ATTR_MODE64BIT, XFRM_LEGACY } from './secs.js';
import {
  SIGSTRUCT_HEADER1,
  SIGSTRUCT_HEADER2,
  SIGSTRUCT_SIZE,
  decodeSigstruct,
  encodeSigstruct,
  setSigstructFields,
  signedBytes,
  todayBcd,
  type Sigstruct,
} from './sigstruct.js';

export interface SigstructFields {
  /** MRENCLAVE, 32 bytes. */
  readonly enclaveHash: Buffer;
  /** Default 0 (not Intel). */
  readonly vendor?: number;
  /** BCD 0xYYYYMMDD; default today (UTC). */
  readonly date?: number;
  readonly swdefined?: number;
  readonly miscselect?: number;
  /** Default 0xFFFFFFFF (every MISCSELECT bit must match). */
  readonly miscmask?: number;
  /** Default MODE64BIT. */
  readonly attributes?: bigint;
  /** Default 3 (x87 + SSE). */
  readonly xfrm?: bigint;
  /**
   * Default ~DEBUG: every attribute must match except DEBUG. Together with the XFRM mask
   * default (~3), these are the defaults of rust-sgx `sgxs::sigstruct::Signer`.
   */
  readonly attributeMask?: bigint;
  /** Default ~3 (as rust-sgx `Signer`). */
  readonly xfrmMask?: bigint;
  readonly isvProdId?: number;
  readonly isvSvn?: number;
}

const U64 = 0xffff_ffff_ffff_ffffn;

/** The unsigned SIGSTRUCT for these fields (modulus, signature, q1, q2 zero). */
export function unsignedSigstruct(f: SigstructFields): Buffer {
  if (f.enclaveHash.length !== 32) throw new RangeError(`enclaveHash must be 32 bytes, got ${f.enclaveHash.length}`);
  return encodeSigstruct({
    vendor: f.vendor ?? 0,
    date: f.date ?? todayBcd(),
    swdefined: f.swdefined ?? 0,
    exponent: RSA_EXPONENT,
    miscselect: f.miscselect ?? 0,
    miscmask: f.miscmask ?? 0xffff_ffff,
    attributes: f.attributes ?? ATTR_MODE64BIT,
    xfrm: f.xfrm ?? XFRM_LEGACY,
    attributeMask: f.attributeMask ?? U64 & ~ATTR_DEBUG,
    xfrmMask: f.xfrmMask ?? U64 & ~XFRM_LEGACY,
    enclaveHash: f.enclaveHash,
    isvProdId: f.isvProdId ?? 0,
    isvSvn: f.isvSvn ?? 0,
  });
}

/** A signed 1808-byte SIGSTRUCT. The key must be RSA-3072 with e = 3. */
export function signSigstruct(fields: SigstructFields, key: KeyObject): Buffer {
  const problem = keyProblem(key);
  if (problem) throw new ArchInputError(`key: ${problem}`);
  const sig = unsignedSigstruct(fields);
  const modulus = modulusLe(key);
  const signature = signPkcs1Sha256Le(signedBytes(sig), key);
  const { q1, q2 } = q1q2(signature, modulus);
  setSigstructFields(sig, { modulus, signature, q1, q2 });
  return sig;
}

export interface SigstructCheck {
  readonly fields: Sigstruct;
  /** HEADER and HEADER2 hold the SDM constants. */
  readonly headerOk: boolean;
  /** EXPONENT is 3. */
  readonly exponentOk: boolean;
  /** The PKCS#1 v1.5 SHA-256 signature verifies under the embedded modulus. */
  readonly signatureOk: boolean;
  readonly q1Ok: boolean;
  readonly q2Ok: boolean;
  /** SHA-256 of the modulus (little-endian bytes), i.e. the MRSIGNER EINIT will record. */
  readonly mrsigner: Buffer;
  /** Every check above passed. */
  readonly ok: boolean;
  /** What failed, each naming the SIGSTRUCT field (empty when ok). */
  readonly problems: readonly string[];
}

/** Checks a SIGSTRUCT; throws ArchInputError when it is not 1808 bytes. */
export function verifySigstruct(buf: Buffer, source = 'SIGSTRUCT'): SigstructCheck {
  if (buf.length !== SIGSTRUCT_SIZE) {
    throw new ArchInputError(
      `${source}: a SIGSTRUCT is ${SIGSTRUCT_SIZE} bytes, this one is ${buf.length} (byte offset ${Math.min(buf.length, SIGSTRUCT_SIZE)})`,
    );
  }
  const fields = decodeSigstruct(buf);
  const problems: string[] = [];
  const headerOk = fields.header1.equals(SIGSTRUCT_HEADER1) && fields.header2.equals(SIGSTRUCT_HEADER2);
  if (!headerOk) problems.push('HEADER/HEADER2 (byte offsets 0 and 24) are not the SDM constants');
  const exponentOk = fields.exponent === RSA_EXPONENT;
  if (!exponentOk) problems.push(`EXPONENT (byte offset 512) is ${fields.exponent}, not ${RSA_EXPONENT}`);
  // An RSA-3072 modulus has its top bit set and is odd; the signature is a residue below it.
  // Anything else cannot verify, and q1/q2 (which then may not fit 384 bytes) are not computed.
  const n = leToBigInt(fields.modulus);
  const s = leToBigInt(fields.signature);
  const modulusOk = n >> 3071n === 1n && (n & 1n) === 1n;
  if (!modulusOk) problems.push('MODULUS (byte offset 128) is not an odd 3072-bit number');
  const residueOk = modulusOk && s < n;
  if (modulusOk && !residueOk) problems.push('SIGNATURE (byte offset 516) is not less than MODULUS');
  const signatureOk = exponentOk && residueOk && verifyPkcs1Sha256Le(signedBytes(buf), fields.signature, fields.modulus);
  if (exponentOk && residueOk && !signatureOk) problems.push('SIGNATURE (byte offset 516) does not verify over header and body under MODULUS');
  let q1Ok = false;
  let q2Ok = false;
  if (residueOk) {
    const q = q1q2(fields.signature, fields.modulus);
    q1Ok = q.q1.equals(fields.q1);
    q2Ok = q.q2.equals(fields.q2);
    if (!q1Ok) problems.push('Q1 (byte offset 1040) is not floor(s^2 / n)');
    if (!q2Ok) problems.push('Q2 (byte offset 1424) is not floor(s * (s^2 mod n) / n)');
  } else {
    problems.push('Q1/Q2 (byte offsets 1040, 1424) cannot be checked without a valid MODULUS and SIGNATURE');
  }
  const mrsigner = crypto.createHash('sha256').update(fields.modulus).digest();
  const ok = headerOk && exponentOk && signatureOk && q1Ok && q2Ok;
  return { fields, headerOk, exponentOk, signatureOk, q1Ok, q2Ok, mrsigner, ok, problems };
}
