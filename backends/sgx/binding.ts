/**
 * Loads the native binding (build/Release/eaddbench_sgx.node, built by scripts/build-native.mjs
 * at install) and says why when it cannot.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMU_ENV, emulatorLibrary } from './emulator.js';

/** The result of one add loop (ADD_PAGES on mainline, ADD_PAGE per page on isgx). */
export interface AddResult {
  readonly bytesDone: number;
  readonly pagesDone: number;
  /** Ioctls issued, including EINTR retries. */
  readonly calls: number;
  readonly eintrRetries: number;
}

/** What a fake ioctl sees of one call (mainline: src/offset/length/flags; isgx: addr/src/mrmask). */
export interface FakeIoctlCall {
  readonly fd: number;
  readonly request: number;
  readonly src: bigint;
  readonly offset?: number;
  readonly length?: number;
  readonly flags?: number;
  readonly addr?: bigint;
  readonly mrmask?: number;
}
/** ret: 0, -1 (with errno) or, for isgx, a positive SGX code; count: bytes added (mainline). */
export interface FakeIoctlReply {
  readonly ret: number;
  readonly errno?: number;
  readonly count?: number;
}
export type FakeIoctl = (call: FakeIoctlCall) => FakeIoctlReply;

/** Byte data the binding accepts. */
export type Bytes = ArrayBufferView | ArrayBuffer;

/** Constants compiled into the binding from <asm/sgx.h> and the isgx structs (native/src/isgx_abi.h). */
export interface NativeConstants {
  readonly [name: string]: number;
}

/** The binding's functions (native/src/addon.c). Errors are thrown as SgxCallError-shaped Errors. */
export interface NativeBinding {
  readonly constants: NativeConstants;
  open(path: string, flags?: number): number;
  close(fd: number): void;
  mmap(addr: bigint | number, length: number, prot: number, flags: number, fd: number, offset: number): bigint;
  munmap(addr: bigint, length: number): void;
  /** `size` bytes of PROT_NONE address space aligned to `size` (a power of two). */
  reserveAligned(size: number): bigint;
  /** A page-aligned ArrayBuffer backed by its own anonymous mapping. */
  allocPages(bytes: number): ArrayBuffer;
  addressOf(buf: Bytes): bigint;
  touchPages(addr: bigint, pages: number): number;
  /** SGX_IOC_ENCLAVE_CREATE (same number on both drivers). */
  create(fd: number, secs: Bytes): void;
  /** Mainline SGX_IOC_ENCLAVE_INIT. */
  init(fd: number, sigstruct: Bytes): void;
  addPages(
    fd: number,
    src: Bytes,
    offset: number,
    length: number,
    secinfo: Bytes,
    flags: number,
    batchBytes: number,
    latencies?: Float64Array | null,
    fake?: FakeIoctl | null,
    /** Each call's start, CLOCK_MONOTONIC ns (traces). */
    starts?: Float64Array | null,
  ): AddResult;
  isgxAddPages(
    fd: number,
    base: bigint,
    firstPage: number,
    pages: number,
    src: Bytes,
    srcStride: number,
    secinfo: Bytes,
    mrmask: number,
    latencies?: Float64Array | null,
    fake?: FakeIoctl | null,
    /** Each call's start, CLOCK_MONOTONIC ns (traces). */
    starts?: Float64Array | null,
  ): AddResult;
  isgxInit(fd: number, base: bigint, sigstruct: Bytes, einittoken: Bytes): void;
  /** Returns the ioctl's value or -errno; never throws (the benchmark's hot path). */
  ioctlRaw(fd: number, request: number, buf?: Bytes | null): number;
  noop(): void;
  /** AF_UNIX SOCK_SEQPACKET pair (message boundaries kept), close-on-exec. */
  socketpair(): [number, number];
  /** The fd as SCM_RIGHTS plus up to 256 bytes of payload. */
  sendFd(sock: number, fd: number, payload?: Bytes | null): void;
  /** Blocks until a message with an fd arrives. */
  recvFd(sock: number): { fd: number; data: ArrayBuffer };
  /** Loads the SGX driver emulator (once per process) or passes it a new configuration (emulator.ts). */
  emuEnable(library: string, config: string): void;
  /** The emulator's live objects, or null when it is not loaded. */
  emuStats(): { enclaveFds: number; mappings: number; epcPages: number; enclaves: number; evictions: number; eldu: number } | null;
}

/** The shape of errors the binding throws. */
export interface SgxCallError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly pagesDone?: number;
  readonly calls?: number;
  readonly eintrRetries?: number;
  readonly sgxCode?: number;
  readonly path?: string;
}

export function isSgxCallError(e: unknown): e is SgxCallError {
  return e instanceof Error && typeof (e as { errno?: unknown }).errno === 'number' && typeof (e as { syscall?: unknown }).syscall === 'string';
}

export type BindingStatus = { readonly ok: true; readonly binding: NativeBinding; readonly file: string } | { readonly ok: false; readonly reason: string };

const BUILD_HOW =
  'build it with `node scripts/build-native.mjs` (needs a C compiler and <asm/sgx.h> from the kernel headers, e.g. Debian gcc make linux-libc-dev)';

/** The package root: the nearest parent directory holding binding.gyp. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'binding.gyp'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

let cached: BindingStatus | undefined;

/** Loads the binding once per thread; never throws. */
export function loadBinding(): BindingStatus {
  if (cached) return cached;
  const root = packageRoot();
  const file = path.join(root, 'build', 'Release', 'eaddbench_sgx.node');
  if (!existsSync(file)) {
    let reason = 'native binding not built';
    try {
      const status = JSON.parse(readFileSync(path.join(root, 'build', 'native-status.json'), 'utf8')) as { built?: boolean; reason?: string };
      if (status.built === false && typeof status.reason === 'string') reason += `: ${status.reason}`;
    } catch {
      /* no status file: the install step never ran */
    }
    cached = { ok: false, reason: `${reason}; ${BUILD_HOW}` };
    return cached;
  }
  try {
    const require = createRequire(import.meta.url);
    const binding = require(file) as NativeBinding;
    // An emulated device (--device emu:…) was chosen by this process or the one that started it.
    const emuConfig = process.env[EMU_ENV];
    if (emuConfig) binding.emuEnable(emulatorLibrary(root), emuConfig);
    cached = { ok: true, binding, file: path.relative(root, file) };
  } catch (e) {
    cached = { ok: false, reason: `native binding failed to load (${e instanceof Error ? e.message : String(e)}); re-${BUILD_HOW}` };
  }
  return cached;
}
