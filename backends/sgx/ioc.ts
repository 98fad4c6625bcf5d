/**
 * Linux ioctl request numbers from documented argument layouts (the _IOC encoding is the one
 * in backends/arch), so tests can check the numbers the binding compiled from the headers
 * against a computation that does not use the headers.
 */
import { ioc, SGX_MAGIC } from '../arch/ioctl-args.js';

const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;

export const io = (type: number, nr: number): number => ioc(IOC_NONE, type, nr, 0);
export const iow = (type: number, nr: number, size: number): number => ioc(IOC_WRITE, type, nr, size);
export const iowr = (type: number, nr: number, size: number): number => ioc(IOC_READ | IOC_WRITE, type, nr, size);

export { ioc, SGX_MAGIC };

/** Argument layouts (bytes) of both drivers' ioctls: reference §3.1 (isgx) and §3.2 (mainline). */
export const LAYOUT = {
  mainline: {
    create: { size: 8, fields: { src: 0 } },
    addPages: { size: 48, fields: { src: 0, offset: 8, length: 16, secinfo: 24, flags: 32, count: 40 } },
    init: { size: 8, fields: { sigstruct: 0 } },
  },
  isgx: {
    create: { size: 8, fields: { src: 0 } },
    /** Packed: three u64 and a u16. */
    addPage: { size: 26, fields: { addr: 0, src: 8, secinfo: 16, mrmask: 24 } },
    init: { size: 24, fields: { addr: 0, sigstruct: 8, einittoken: 16 } },
  },
} as const;

/** The request numbers as computed here from the layouts. */
export const EXPECTED = {
  SGX_IOC_ENCLAVE_CREATE: iow(SGX_MAGIC, 0x00, LAYOUT.mainline.create.size),
  SGX_IOC_ENCLAVE_ADD_PAGES: iowr(SGX_MAGIC, 0x01, LAYOUT.mainline.addPages.size),
  SGX_IOC_ENCLAVE_INIT: iow(SGX_MAGIC, 0x02, LAYOUT.mainline.init.size),
  SGX_IOC_ENCLAVE_PROVISION: iow(SGX_MAGIC, 0x03, 8),
  ISGX_IOC_ENCLAVE_CREATE: iow(SGX_MAGIC, 0x00, LAYOUT.isgx.create.size),
  ISGX_IOC_ENCLAVE_ADD_PAGE: iow(SGX_MAGIC, 0x01, LAYOUT.isgx.addPage.size),
  ISGX_IOC_ENCLAVE_INIT: iow(SGX_MAGIC, 0x02, LAYOUT.isgx.init.size),
} as const;
