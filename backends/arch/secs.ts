/**
 * SECS (4096 bytes). Offsets from Linux `arch/x86/include/asm/sgx.h` `struct sgx_secs` and
 * Intel SDM Vol. 3D "SGX Enclave Control Structure": size@0, base@8, ssa_frame_size@16,
 * miscselect@20, attributes@48, xfrm@56, mrenclave@64, mrsigner@128, config_id@192,
 * isv_prod_id@256, isv_svn@258, config_svn@260, reserved up to 4096.
 */
import { defineLayout, encode, decode, firstNonZeroField, type Decoded } from './layout.js';

export const SECS_SIZE = 4096;
import { PAGE_SIZE } from '../../common/page.js';

export { PAGE_SIZE };

export const SECS_LAYOUT = defineLayout('SECS', SECS_SIZE, {
  size: { offset: 0, kind: 'u64' },
  base: { offset: 8, kind: 'u64' },
  ssaFrameSize: { offset: 16, kind: 'u32' },
  miscselect: { offset: 20, kind: 'u32' },
  reserved1: { offset: 24, kind: 'bytes', size: 24 },
  attributes: { offset: 48, kind: 'u64' },
  xfrm: { offset: 56, kind: 'u64' },
  mrenclave: { offset: 64, kind: 'bytes', size: 32 },
  reserved2: { offset: 96, kind: 'bytes', size: 32 },
  mrsigner: { offset: 128, kind: 'bytes', size: 32 },
  reserved3: { offset: 160, kind: 'bytes', size: 32 },
  configId: { offset: 192, kind: 'bytes', size: 64 },
  isvProdId: { offset: 256, kind: 'u16' },
  isvSvn: { offset: 258, kind: 'u16' },
  configSvn: { offset: 260, kind: 'u16' },
  reserved4: { offset: 262, kind: 'bytes', size: 3834 },
} as const);

/** ATTRIBUTES flag bits (SDM "ATTRIBUTES"; Linux enum sgx_attribute). */
export const ATTR_INIT = 0x1n;
export const ATTR_DEBUG = 0x2n;
export const ATTR_MODE64BIT = 0x4n;
export const ATTR_PROVISIONKEY = 0x10n;
export const ATTR_EINITTOKENKEY = 0x20n;
export const ATTR_KSS = 0x80n;
/** XFRM with x87 and SSE, the minimum ECREATE accepts (XFRM[1:0] = 11b). */
export const XFRM_LEGACY = 0x3n;

export type Secs = Decoded<typeof SECS_LAYOUT.fields>;

export interface SecsInput {
  readonly base: bigint | number;
  readonly size: bigint | number;
  /** SSA frame size in pages. Default 1 (enough for XFRM = 3; Linux SGX selftest). */
  readonly ssaFrameSize?: number;
  /** Default MODE64BIT. */
  readonly attributes?: bigint;
  /** Default 3 (x87 + SSE). */
  readonly xfrm?: bigint;
  readonly miscselect?: number;
  readonly isvProdId?: number | undefined;
  readonly isvSvn?: number | undefined;
  readonly configSvn?: number | undefined;
  readonly configId?: Buffer | undefined;
}

/** A SECS for ECREATE (the minimum known-good values of the Linux SGX selftest by default). */
export function encodeSecs(input: SecsInput): Buffer {
  const { base, size, ssaFrameSize = 1, attributes = ATTR_MODE64BIT, xfrm = XFRM_LEGACY, miscselect = 0 } = input;
  const problem = secsProblem({ base: BigInt(base), size: BigInt(size), ssaFrameSize, attributes, xfrm });
  if (problem) throw new RangeError(`SECS: ${problem}`);
  return encode(SECS_LAYOUT, {
    base,
    size,
    ssaFrameSize,
    attributes,
    xfrm,
    miscselect,
    isvProdId: input.isvProdId,
    isvSvn: input.isvSvn,
    configSvn: input.configSvn,
    configId: input.configId,
  });
}

export function decodeSecs(buf: Buffer): Secs {
  if (buf.length !== SECS_SIZE) throw new RangeError(`SECS: needs ${SECS_SIZE} bytes, got ${buf.length}`);
  return decode(SECS_LAYOUT, buf);
}

/** True for a power of two (bigint). */
export function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

/**
 * The ECREATE rules a SECS breaks, or undefined (SDM ECREATE; isgx `sgx_validate_secs`):
 * SIZE a power of two ≥ 2 pages, BASEADDR aligned to SIZE, SSAFRAMESIZE ≥ 1, XFRM[1:0] = 11b,
 * the INIT attribute clear.
 */
export function secsProblem(s: { base: bigint; size: bigint; ssaFrameSize: number; attributes: bigint; xfrm: bigint }): string | undefined {
  if (!isPowerOfTwo(s.size) || s.size < 2n * BigInt(PAGE_SIZE)) return `size ${s.size} must be a power of two ≥ 8192`;
  if (s.base % s.size !== 0n) return `base 0x${s.base.toString(16)} must be aligned to size 0x${s.size.toString(16)}`;
  if (!Number.isInteger(s.ssaFrameSize) || s.ssaFrameSize < 1 || s.ssaFrameSize > 0xffff_ffff) return `ssaFrameSize ${s.ssaFrameSize} must be ≥ 1 page`;
  if ((s.xfrm & XFRM_LEGACY) !== XFRM_LEGACY) return `xfrm 0x${s.xfrm.toString(16)} must have bits 1:0 set (x87 and SSE)`;
  if ((s.attributes & ATTR_INIT) !== 0n) return 'the INIT attribute (bit 0) must be clear';
  return undefined;
}

/** Reserved areas that ECREATE requires to be zero. */
export function secsReservedProblem(buf: Buffer): string | undefined {
  const f = firstNonZeroField(SECS_LAYOUT, buf, ['reserved1', 'reserved2', 'reserved3', 'reserved4']);
  return f === undefined ? undefined : `SECS.${f} must be zero`;
}
