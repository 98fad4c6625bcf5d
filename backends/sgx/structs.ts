/**
 * The SGX structures the hardware backend hands to the driver, taken from the shared
 * backends/arch/ module (SECS, SECINFO, MRENCLAVE, SIGSTRUCT signing) so hardware and model
 * build the same bytes. This adapter adds the checks the backend wants before a syscall.
 */
import { encodeSecs as archEncodeSecs, ATTR_MODE64BIT, XFRM_LEGACY, SECS_SIZE } from '../arch/secs.js';
import { encodeSecinfo as archEncodeSecinfo, secinfoFlags, secinfoFlagsProblem, SECINFO_SIZE } from '../arch/secinfo.js';
import type { PageType } from '../../workloads/types.js';

export { MrEnclave } from '../arch/measure.js';
export { signSigstruct } from '../arch/sign.js';
export { generateSigningKey } from '../arch/rsa.js';
export { secinfoFlags, SECS_SIZE, SECINFO_SIZE };

import { PAGE_SIZE } from '../../common/page.js';

export { PAGE_SIZE };

/** struct sgx_secs field offsets (bytes; reference §4.1), for tests and documentation. */
export const SECS_OFFSETS = {
  size: 0,
  base: 8,
  ssaFrameSize: 16,
  miscselect: 20,
  attributes: 48,
  xfrm: 56,
  mrenclave: 64,
  mrsigner: 128,
  configId: 192,
  isvProdId: 256,
  isvSvn: 258,
  configSvn: 260,
} as const;

export class StructError extends Error {}

/** The SECS the backend uses for ECREATE: the kernel selftest's minimum (ssa 1, MODE64BIT, xfrm 3). */
export function encodeSecs(input: { readonly size: number; readonly base: bigint }): Buffer {
  try {
    return archEncodeSecs({ base: input.base, size: input.size, ssaFrameSize: 1, attributes: ATTR_MODE64BIT, xfrm: XFRM_LEGACY });
  } catch (e) {
    throw new StructError(e instanceof Error ? e.message : String(e));
  }
}

/** SECINFO for EADD; refuses what the driver would refuse (reserved bits, W without R, TCS with perms). */
export function encodeSecinfo(type: PageType, perm: number): Buffer {
  let flags: number;
  try {
    flags = secinfoFlags(type, perm);
  } catch (e) {
    throw new StructError(e instanceof Error ? e.message : String(e));
  }
  const problem = secinfoFlagsProblem(flags);
  if (problem) throw new StructError(`SECINFO: ${problem}`);
  return archEncodeSecinfo(type, perm);
}
