/**
 * Argument structs and request numbers of both drivers' enclave-build ioctls.
 *
 * Mainline (`/dev/sgx_enclave`, Linux `arch/x86/include/uapi/asm/sgx.h`, 5.11+):
 *   sgx_enclave_create    { u64 src; }                                        8 bytes
 *   sgx_enclave_add_pages { u64 src, offset, length, secinfo, flags, count; }  48 bytes
 *   sgx_enclave_init      { u64 sigstruct; }                                  8 bytes
 * Out-of-tree isgx (`/dev/isgx`, intel/linux-sgx-driver `sgx_user.h`, all packed):
 *   sgx_enclave_create    { u64 src; }                                        8 bytes
 *   sgx_enclave_add_page  { u64 addr, src, secinfo; u16 mrmask; }             26 bytes
 *   sgx_enclave_init      { u64 addr, sigstruct, einittoken; }                24 bytes
 * DCAP 1.x (`/dev/sgx`): create and add_page as isgx; init { u64 addr, sigstruct; } 16 bytes.
 *
 * The binding fills these structs in C from the kernel headers; the tables here are the
 * independent account its compiled sizes, offsets and request numbers are checked against
 * (test/sgx/abi.test.ts), so the two cannot drift apart unseen.
 */
import { defineLayout } from './layout.js';

/** SGX_MAGIC, the ioctl type byte of both drivers. */
export const SGX_MAGIC = 0xa4;

const IOC_WRITE = 1;
const IOC_READ = 2;

/** Linux `_IOC(dir, type, nr, size)` for x86_64 (dir bits 31:30, size 29:16, type 15:8, nr 7:0). */
function ioc(dir: number, type: number, nr: number, size: number): number {
  if (size < 0 || size >= 1 << 14) throw new RangeError(`ioctl size ${size} does not fit in 14 bits`);
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
export const iow = (nr: number, size: number): number => ioc(IOC_WRITE, SGX_MAGIC, nr, size);
export const iowr = (nr: number, size: number): number => ioc(IOC_WRITE | IOC_READ, SGX_MAGIC, nr, size);

/** SGX_PAGE_MEASURE: the ADD_PAGES flag that EEXTENDs all 16 chunks of every page. */
export const SGX_PAGE_MEASURE = 0x1;

export const MAINLINE_CREATE = defineLayout('sgx_enclave_create', 8, {
  src: { offset: 0, kind: 'u64' },
} as const);

export const MAINLINE_ADD_PAGES = defineLayout('sgx_enclave_add_pages', 48, {
  src: { offset: 0, kind: 'u64' },
  offset: { offset: 8, kind: 'u64' },
  length: { offset: 16, kind: 'u64' },
  secinfo: { offset: 24, kind: 'u64' },
  flags: { offset: 32, kind: 'u64' },
  /** Output: bytes processed so far (the caller loops on it). */
  count: { offset: 40, kind: 'u64' },
} as const);

export const MAINLINE_INIT = defineLayout('sgx_enclave_init', 8, {
  sigstruct: { offset: 0, kind: 'u64' },
} as const);

export const ISGX_CREATE = defineLayout('isgx sgx_enclave_create', 8, {
  src: { offset: 0, kind: 'u64' },
} as const);

export const ISGX_ADD_PAGE = defineLayout('isgx sgx_enclave_add_page', 26, {
  addr: { offset: 0, kind: 'u64' },
  src: { offset: 8, kind: 'u64' },
  secinfo: { offset: 16, kind: 'u64' },
  /** One bit per 256-byte chunk to EEXTEND (0xFFFF: the whole page). */
  mrmask: { offset: 24, kind: 'u16' },
} as const);

export const ISGX_INIT = defineLayout('isgx sgx_enclave_init', 24, {
  addr: { offset: 0, kind: 'u64' },
  sigstruct: { offset: 8, kind: 'u64' },
  einittoken: { offset: 16, kind: 'u64' },
} as const);

export const DCAP1_INIT = defineLayout('dcap sgx_enclave_init', 16, {
  addr: { offset: 0, kind: 'u64' },
  sigstruct: { offset: 8, kind: 'u64' },
} as const);

/** Request numbers, derived from the struct sizes as the uapi macros do. */
export const IOCTL = {
  mainline: {
    create: iow(0x00, MAINLINE_CREATE.size),
    addPages: iowr(0x01, MAINLINE_ADD_PAGES.size),
    init: iow(0x02, MAINLINE_INIT.size),
    provision: iow(0x03, 8),
  },
  isgx: {
    create: iow(0x00, ISGX_CREATE.size),
    addPage: iow(0x01, ISGX_ADD_PAGE.size),
    init: iow(0x02, ISGX_INIT.size),
  },
  dcap1: {
    init: iow(0x02, DCAP1_INIT.size),
  },
} as const;
