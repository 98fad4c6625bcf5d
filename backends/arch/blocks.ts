/**
 * The 64-byte measurement blocks that MRENCLAVE hashes and that an SGXS stream is made of
 * (Intel SDM Vol. 3D ECREATE/EADD/EEXTEND "Operation"; fortanix/rust-sgx doc/SGXS.md and
 * `sgx-isa` MEAS_* constants; Linux SGX selftest `sigstruct.c`). All integers little-endian.
 *
 *   ECREATE  tag@0 "ECREATE\0", u32 ssaframesize@8, u64 size@12, zeros to 64
 *   EADD     tag@0 "EADD\0\0\0\0", u64 offset@8, SECINFO[0..48)@16 (flags u64, 40 zero bytes)
 *   EEXTEND  tag@0 "EEXTEND\0", u64 offset@8, zeros to 64; then 256 data bytes
 *
 * The enhanced stream format (ESGXS) adds UNSIZED (an ECREATE whose size field holds the
 * offset where the size will be written) and UNMEASRD (an EEXTEND whose data is loaded but not
 * measured).
 */
import { defineLayout, encode } from './layout.js';

export const BLOCK_SIZE = 64;
export const CHUNK_SIZE = 256;
export const CHUNKS_PER_PAGE = 16;
import { PAGE_SIZE } from '../../common/page.js';

export { PAGE_SIZE };
/** Bytes of an EEXTEND or UNMEASRD record: header + data. */
export const CHUNK_RECORD_SIZE = BLOCK_SIZE + CHUNK_SIZE;

/** Tags as (low u32, high u32) pairs, so the hot loop compares numbers, not bigints. */
export interface Tag {
  readonly name: 'ECREATE' | 'EADD' | 'EEXTEND' | 'UNSIZED' | 'UNMEASRD';
  readonly value: bigint;
  readonly lo: number;
  readonly hi: number;
}

function tag(name: Tag['name'], value: bigint): Tag {
  return { name, value, lo: Number(value & 0xffff_ffffn), hi: Number(value >> 32n) };
}

export const TAG_ECREATE = tag('ECREATE', 0x0045544145524345n);
export const TAG_EADD = tag('EADD', 0x0000000044444145n);
export const TAG_EEXTEND = tag('EEXTEND', 0x00444e4554584545n);
export const TAG_UNSIZED = tag('UNSIZED', 0x0044455a49534e55n);
export const TAG_UNMEASRD = tag('UNMEASRD', 0x44525341454d4e55n);

export const ECREATE_BLOCK = defineLayout('ECREATE block', BLOCK_SIZE, {
  tag: { offset: 0, kind: 'u64' },
  ssaFrameSize: { offset: 8, kind: 'u32' },
  size: { offset: 12, kind: 'u64' },
  reserved: { offset: 20, kind: 'bytes', size: 44 },
} as const);

export const EADD_BLOCK = defineLayout('EADD block', BLOCK_SIZE, {
  tag: { offset: 0, kind: 'u64' },
  offset: { offset: 8, kind: 'u64' },
  secinfoFlags: { offset: 16, kind: 'u64' },
  reserved: { offset: 24, kind: 'bytes', size: 40 },
} as const);

export const EEXTEND_BLOCK = defineLayout('EEXTEND block', BLOCK_SIZE, {
  tag: { offset: 0, kind: 'u64' },
  offset: { offset: 8, kind: 'u64' },
  reserved: { offset: 16, kind: 'bytes', size: 48 },
} as const);

/** ECREATE (or, with `unsized`, UNSIZED) block. */
export function ecreateBlock(size: bigint | number, ssaFrameSize: number, unsized = false): Buffer {
  return encode(ECREATE_BLOCK, { tag: (unsized ? TAG_UNSIZED : TAG_ECREATE).value, ssaFrameSize, size });
}

/** EADD block; `secinfoFlags` must already be the measured form (TCS permissions zeroed). */
export function eaddBlock(offset: bigint | number, secinfoFlags: bigint | number): Buffer {
  return encode(EADD_BLOCK, { tag: TAG_EADD.value, offset, secinfoFlags });
}

/** EEXTEND (or, with `measured` false, UNMEASRD) header block. */
export function eextendBlock(offset: bigint | number, measured = true): Buffer {
  return encode(EEXTEND_BLOCK, { tag: (measured ? TAG_EEXTEND : TAG_UNMEASRD).value, offset });
}
