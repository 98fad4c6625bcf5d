/** Shared test helpers: the binding (tests skip only when it is genuinely not built) and a counting fake SgxSys. */
import { loadBinding, type FakeIoctl, type NativeBinding } from '../../backends/sgx/binding.js';
import type { SgxSys } from '../../backends/sgx/enclave.js';

const status = loadBinding();
export const binding: NativeBinding | undefined = status.ok ? status.binding : undefined;
/** Reason for t.skip when the binding is not built; undefined when it is. */
export const skipReason: string | undefined = status.ok ? undefined : status.reason;

export function need(): NativeBinding {
  if (!binding) throw new Error(skipReason);
  return binding;
}

/** An Error shaped like the binding's (code, errno, syscall). */
export function sysError(syscall: string, code: string, errno: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${syscall}: ${code}`), { code, errno, syscall, ...extra });
}

export type FailAt = 'open' | 'mmap' | 'reserve' | 'create' | 'init' | 'munmap' | undefined;

/**
 * A fake device at the binding's boundary: open/close/mmap/munmap are counted, CREATE/INIT may
 * fail on demand, and the add loops are the binding's real C loops driven by `ioctl`.
 */
export class FakeSys implements SgxSys {
  readonly constants: NativeBinding['constants'];
  opened = 0;
  closed = 0;
  mapped = 0;
  unmapped = 0;
  readonly open_fds = new Set<number>();
  readonly live = new Map<bigint, number>();
  private nextFd = 100;
  private nextAddr = 0x7000_0000_0000n;

  constructor(
    private readonly real: NativeBinding,
    public failAt: FailAt = undefined,
    public ioctl: FakeIoctl = (c) => ({ ret: 0, count: c.length ?? 0 }),
  ) {
    this.constants = real.constants;
  }
  private fail(what: FailAt, syscall: string, code: string, errno: number): void {
    if (this.failAt === what) throw sysError(syscall, code, errno);
  }
  open(_path: string): number {
    this.fail('open', 'open', 'EACCES', 13);
    this.opened++;
    const fd = this.nextFd++;
    this.open_fds.add(fd);
    return fd;
  }
  close(fd: number): void {
    if (!this.open_fds.delete(fd)) throw sysError('close', 'EBADF', 9);
    this.closed++;
  }
  private region(size: number): bigint {
    const a = (this.nextAddr + BigInt(size) - 1n) & ~(BigInt(size) - 1n);
    this.nextAddr = a + BigInt(size);
    this.live.set(a, size);
    this.mapped++;
    return a;
  }
  mmap(addr: bigint | number, length: number): bigint {
    this.fail('mmap', 'mmap', 'ENOMEM', 12);
    if (BigInt(addr) !== 0n) {
      // MAP_FIXED over a reservation: the range stays one live mapping.
      if (!this.live.has(BigInt(addr))) {
        this.live.set(BigInt(addr), length);
        this.mapped++;
      }
      return BigInt(addr);
    }
    return this.region(length);
  }
  munmap(addr: bigint, _length: number): void {
    this.fail('munmap', 'munmap', 'EINVAL', 22);
    if (!this.live.delete(addr)) throw sysError('munmap', 'EINVAL', 22);
    this.unmapped++;
  }
  reserveAligned(size: number): bigint {
    this.fail('reserve', 'mmap', 'ENOMEM', 12);
    return this.region(size);
  }
  create(_fd: number): void {
    this.fail('create', 'SGX_IOC_ENCLAVE_CREATE', 'ENOTTY', 25);
  }
  init(_fd: number): void {
    this.fail('init', 'SGX_IOC_ENCLAVE_INIT', 'EPERM', 1);
  }
  isgxInit(_fd: number): void {
    this.fail('init', 'SGX_IOC_ENCLAVE_INIT(isgx)', 'EIO', 5);
  }
  addPages(...a: Parameters<NativeBinding['addPages']>): ReturnType<NativeBinding['addPages']> {
    const [fd, src, off, len, si, flags, batch, lat] = a;
    return this.real.addPages(fd, src, off, len, si, flags, batch, lat ?? null, this.ioctl);
  }
  isgxAddPages(...a: Parameters<NativeBinding['isgxAddPages']>): ReturnType<NativeBinding['isgxAddPages']> {
    const [fd, base, first, pages, src, stride, si, mrmask, lat] = a;
    return this.real.isgxAddPages(fd, base, first, pages, src, stride, si, mrmask, lat ?? null, this.ioctl);
  }
  touchPages(): number {
    return 0;
  }
  allocPages(bytes: number): ArrayBuffer {
    return this.real.allocPages(bytes);
  }
  /** Everything opened was closed and everything mapped was unmapped. */
  get clean(): boolean {
    return this.open_fds.size === 0 && this.live.size === 0 && this.opened === this.closed;
  }
}
