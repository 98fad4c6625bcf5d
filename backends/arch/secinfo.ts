/**
 * SECINFO (64 bytes, 64-byte aligned): `flags` u64 then 56 reserved bytes.
 * Flag bits (Linux `arch/x86/include/asm/sgx.h` enum sgx_secinfo_flags; Intel SDM Vol. 3D
 * "SECINFO"): R=bit 0, W=bit 1, X=bit 2, PAGE_TYPE in bits 15:8 (0 SECS, 1 TCS, 2 REG, 3 VA,
 * 4 TRIM). Mainline rejects every other bit for EADD (SGX_SECINFO_RESERVED_MASK =
 * ~(0x7 | 0xFF00)) and rejects a TCS with any permission, because the CPU zeroes a TCS's
 * permissions before measuring it (SDM EADD) and a non-zero value could not match.
 */

/** SECINFO page type of an added page (the two a build adds). */
export type PageType = 'reg' | 'tcs';
import { defineLayout, encode, decode } from './layout.js';

export const SECINFO_SIZE = 64;

export const SECINFO_LAYOUT = defineLayout('SECINFO', SECINFO_SIZE, {
  flags: { offset: 0, kind: 'u64' },
  reserved: { offset: 8, kind: 'bytes', size: 56 },
} as const);

export const PERM_R = 0x1;
export const PERM_W = 0x2;
export const PERM_X = 0x4;
export const PERM_MASK = 0x7;

/** PAGE_TYPE values (SDM "Page types"; Linux enum sgx_page_type). */
export const PT_SECS = 0;
export const PT_TCS = 1;
export const PT_REG = 2;
export const PT_VA = 3;
export const PT_TRIM = 4;

export const PAGE_TYPE_SHIFT = 8;
export const PAGE_TYPE_MASK = 0xff << PAGE_TYPE_SHIFT;
/** Bits EADD accepts: R, W, X and PAGE_TYPE. */
export const SECINFO_ADDABLE_MASK = PERM_MASK | PAGE_TYPE_MASK;

const TYPE_NUMBER: Record<PageType, number> = { reg: PT_REG, tcs: PT_TCS };

export function pageTypeNumber(type: PageType): number {
  return TYPE_NUMBER[type];
}

/** The PageType of an addable PAGE_TYPE value, or undefined for SECS, VA, TRIM and unknown. */
export function pageTypeName(pt: number): PageType | undefined {
  return pt === PT_REG ? 'reg' : pt === PT_TCS ? 'tcs' : undefined;
}

/** SECINFO.FLAGS for a page type and R/W/X permissions. */
export function secinfoFlags(type: PageType, perm: number): number {
  if (!Number.isInteger(perm) || perm < 0 || perm > PERM_MASK) throw new RangeError(`SECINFO perm ${perm}: valid values are 0..7 (R=1, W=2, X=4)`);
  return (TYPE_NUMBER[type] << PAGE_TYPE_SHIFT) | perm;
}

/** The flags the CPU measures for EADD: a TCS's permissions are zeroed (SDM EADD). */
export function measuredSecinfoFlags(flags: number): number {
  return (flags & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT === PT_TCS ? flags & ~PERM_MASK : flags;
}

/** A 64-byte SECINFO for EADD / SGX_IOC_ENCLAVE_ADD_PAGE(S). */
export function encodeSecinfo(type: PageType, perm: number): Buffer {
  return encode(SECINFO_LAYOUT, { flags: secinfoFlags(type, perm) });
}

export interface SecinfoView {
  readonly flags: number;
  readonly pageType: number;
  readonly perm: number;
}

export function decodeSecinfo(buf: Buffer): SecinfoView {
  const raw = decode(SECINFO_LAYOUT, buf).flags;
  // Flags above bit 15 are reserved; keep them visible to the validator instead of truncating.
  const flags = Number(raw & 0xffff_ffffn) + Number(raw >> 32n) * 2 ** 32;
  return { flags, pageType: Number((raw >> 8n) & 0xffn), perm: Number(raw & 7n) };
}

/**
 * Checks flags as EADD would (the rule broken, or undefined): only R/W/X and PAGE_TYPE bits,
 * PAGE_TYPE REG or TCS, W only with R (SDM EADD: #GP when W=1 and R=0), TCS with no
 * permissions (mainline `sgx_validate_secinfo`).
 */
export function secinfoFlagsProblem(flags: number): string | undefined {
  if (!Number.isSafeInteger(flags) || flags < 0) return `flags ${flags} is not an unsigned integer`;
  if (flags > 0xffff || (flags & ~SECINFO_ADDABLE_MASK) !== 0) {
    return `reserved SECINFO bits set (flags 0x${flags.toString(16)}; only R/W/X and PAGE_TYPE bits 15:8 are allowed)`;
  }
  const pt = (flags & PAGE_TYPE_MASK) >> PAGE_TYPE_SHIFT;
  const perm = flags & PERM_MASK;
  if (pageTypeName(pt) === undefined) return `PAGE_TYPE ${pt} cannot be added (valid: 1 TCS, 2 REG)`;
  if (pt === PT_TCS && perm !== 0) return `a TCS page has permissions 0x${perm.toString(16)} (a TCS must have none: the CPU zeroes them before measuring)`;
  if ((perm & PERM_W) !== 0 && (perm & PERM_R) === 0) return `W without R (perm 0x${perm.toString(16)})`;
  return undefined;
}

/** "R-X"-style text for listings. */
export function permText(perm: number): string {
  return `${perm & PERM_R ? 'R' : '-'}${perm & PERM_W ? 'W' : '-'}${perm & PERM_X ? 'X' : '-'}`;
}
