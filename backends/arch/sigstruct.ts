/**
 * SIGSTRUCT (1808 bytes). Offsets from Intel SDM Vol. 3D "Enclave Signature Structure", Linux
 * `arch/x86/include/asm/sgx.h` (`struct sgx_sigstruct_header/body`) and fortanix/rust-sgx
 * `sgx-isa` `struct Sigstruct` (which also names the KSS and CET fields the kernel keeps as
 * reserved). The signed bytes are header [0,128) ‖ body [900,1028). Integers are little-endian;
 * so are the modulus, the signature, q1 and q2.
 */
import { defineLayout, encode, decode, writeFields, type Decoded, type EncodeInput } from './layout.js';

export const SIGSTRUCT_SIZE = 1808;
export const RSA_BYTES = 384;

export const SIGSTRUCT_LAYOUT = defineLayout('SIGSTRUCT', SIGSTRUCT_SIZE, {
  header1: { offset: 0, kind: 'bytes', size: 16 },
  vendor: { offset: 16, kind: 'u32' },
  /** BCD date, 0xYYYYMMDD. */
  date: { offset: 20, kind: 'u32' },
  header2: { offset: 24, kind: 'bytes', size: 16 },
  swdefined: { offset: 40, kind: 'u32' },
  reserved1: { offset: 44, kind: 'bytes', size: 84 },
  modulus: { offset: 128, kind: 'bytes', size: RSA_BYTES },
  exponent: { offset: 512, kind: 'u32' },
  signature: { offset: 516, kind: 'bytes', size: RSA_BYTES },
  miscselect: { offset: 900, kind: 'u32' },
  miscmask: { offset: 904, kind: 'u32' },
  cetAttributes: { offset: 908, kind: 'u8' },
  cetAttributesMask: { offset: 909, kind: 'u8' },
  reserved2: { offset: 910, kind: 'bytes', size: 2 },
  isvFamilyId: { offset: 912, kind: 'bytes', size: 16 },
  attributes: { offset: 928, kind: 'u64' },
  xfrm: { offset: 936, kind: 'u64' },
  attributeMask: { offset: 944, kind: 'u64' },
  xfrmMask: { offset: 952, kind: 'u64' },
  enclaveHash: { offset: 960, kind: 'bytes', size: 32 },
  reserved3: { offset: 992, kind: 'bytes', size: 16 },
  isvExtProdId: { offset: 1008, kind: 'bytes', size: 16 },
  isvProdId: { offset: 1024, kind: 'u16' },
  isvSvn: { offset: 1026, kind: 'u16' },
  reserved4: { offset: 1028, kind: 'bytes', size: 12 },
  q1: { offset: 1040, kind: 'bytes', size: RSA_BYTES },
  q2: { offset: 1424, kind: 'bytes', size: RSA_BYTES },
} as const);

/** The signed ranges: header and body. */
export const SIGNED_HEADER: readonly [number, number] = [0, 128];
export const SIGNED_BODY: readonly [number, number] = [900, 1028];

/**
 * HEADER and HEADER2 constants (SDM; identical bytes in the Linux SGX selftest `sigstruct.c`
 * and rust-sgx `SIGSTRUCT_HEADER1/2`).
 */
export const SIGSTRUCT_HEADER1 = Buffer.from('06000000e10000000000010000000000', 'hex');
export const SIGSTRUCT_HEADER2 = Buffer.from('01010000600000006000000001000000', 'hex');

/** header.vendor values: 0 (not Intel) and 0x8086 (Intel); mainline rejects others. */
export const VENDOR_INTEL = 0x8086;

export type Sigstruct = Decoded<typeof SIGSTRUCT_LAYOUT.fields>;
export type SigstructInput = EncodeInput<typeof SIGSTRUCT_LAYOUT.fields>;

/** Encodes the fields given, with the fixed headers and exponent 3 filled in by default. */
export function encodeSigstruct(fields: SigstructInput): Buffer {
  return encode(SIGSTRUCT_LAYOUT, { header1: SIGSTRUCT_HEADER1, header2: SIGSTRUCT_HEADER2, exponent: 3, ...fields });
}

export function setSigstructFields(buf: Buffer, fields: SigstructInput): void {
  writeFields(SIGSTRUCT_LAYOUT, buf, 0, fields);
}

/** Decodes a SIGSTRUCT; the length must be exactly 1808 bytes. */
export function decodeSigstruct(buf: Buffer): Sigstruct {
  if (buf.length !== SIGSTRUCT_SIZE) throw new RangeError(`SIGSTRUCT must be ${SIGSTRUCT_SIZE} bytes, got ${buf.length}`);
  return decode(SIGSTRUCT_LAYOUT, buf);
}

/** header ‖ body: the bytes whose SHA-256 is signed. */
export function signedBytes(buf: Buffer): Buffer {
  return Buffer.concat([buf.subarray(SIGNED_HEADER[0], SIGNED_HEADER[1]), buf.subarray(SIGNED_BODY[0], SIGNED_BODY[1])]);
}

/** YYYYMMDD → BCD 0xYYYYMMDD, or undefined if it is not a real calendar date. */
export function bcdDate(yyyymmdd: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return undefined;
  return Number.parseInt(yyyymmdd, 16);
}

/** BCD 0xYYYYMMDD → "YYYY-MM-DD" (the raw hex when it is not BCD). */
export function dateText(bcd: number): string {
  const hex = bcd.toString(16).padStart(8, '0');
  return /^\d{8}$/.test(hex) ? `${hex.slice(0, 4)}-${hex.slice(4, 6)}-${hex.slice(6, 8)}` : `0x${hex}`;
}

/** Today (UTC) as BCD. */
export function todayBcd(now = new Date()): number {
  const s = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}`;
  return Number.parseInt(s, 16);
}
