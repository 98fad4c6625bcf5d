/**
 * Hardware-side traces (`run --trace DIR --backend sgx`): what the backend observes from user
 * space. Each thread (the case worker, a piscina worker of threads.ts, a child process of
 * processes.ts) records into its own SysTrace: every system call it makes through SgxSys —
 * each ADD_PAGES / ADD_PAGE ioctl on its own (start and duration measured in C around the
 * ioctl), CREATE, INIT, mmap, munmap, open, close, page touches — and each script operation
 * around them. Times are CLOCK_MONOTONIC ns, the clock of both process.hrtime and the native
 * add loops, one clock for every process of the machine; the case's trace (sys-trace-file.ts)
 * subtracts one origin from all of them.
 */
import type { TraceArgs } from '../../common/trace/recorder.js';
import type { AddResult, Bytes, FakeIoctl } from './binding.js';
import type { SgxSys } from './enclave.js';

/** One thread's recorded slices, as plain data that crosses a worker or fork boundary (JSON). */
export interface SysTraceData {
  /** The trace process: the OS process (its script or the case worker) the thread belongs to. */
  readonly process: string;
  readonly thread: string;
  readonly osPid: number;
  readonly names: string[];
  /** Flat quadruples: name index, start ns, end ns, args index (-1: none). */
  readonly ev: number[];
  readonly args: TraceArgs[];
}

const now = (): number => Number(process.hrtime.bigint());

/** Ioctl names as the trace shows them (the kernel's). */
export const IOCTL = {
  create: 'SGX_IOC_ENCLAVE_CREATE',
  addPages: 'SGX_IOC_ENCLAVE_ADD_PAGES',
  addPage: 'SGX_IOC_ENCLAVE_ADD_PAGE',
  init: 'SGX_IOC_ENCLAVE_INIT',
} as const;

function errArgs(e: unknown): TraceArgs {
  const code = (e as { code?: unknown }).code;
  return { error: typeof code === 'string' ? code : e instanceof Error ? e.message.slice(0, 80) : String(e) };
}

export class SysTrace {
  private readonly names: string[] = [];
  private readonly nameIdx = new Map<string, number>();
  private readonly ev: number[] = [];
  private readonly args: TraceArgs[] = [];

  constructor(
    readonly process: string,
    readonly thread: string,
  ) {}

  /** A slice on this thread from `start` to `end` (CLOCK_MONOTONIC ns). */
  span(name: string, start: number, end: number, args?: TraceArgs): void {
    let i = this.nameIdx.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.nameIdx.set(name, i);
    }
    this.ev.push(i, start, end, args === undefined ? -1 : this.args.push(args) - 1);
  }

  /** Runs `f` as a slice named `name`; a throw is recorded in the slice's args and rethrown. */
  time<T>(name: string, f: () => T, args?: TraceArgs): T {
    const t0 = now();
    try {
      const r = f();
      this.span(name, t0, now(), args);
      return r;
    } catch (e) {
      this.span(name, t0, now(), { ...args, ...errArgs(e) });
      throw e;
    }
  }

  /** time() for an awaited step (a barrier, a think). */
  async timeAsync<T>(name: string, f: () => Promise<T>, args?: TraceArgs): Promise<T> {
    const t0 = now();
    try {
      const r = await f();
      this.span(name, t0, now(), args);
      return r;
    } catch (e) {
      this.span(name, t0, now(), { ...args, ...errArgs(e) });
      throw e;
    }
  }

  /** The per-call slices of one add loop: call i started at starts[i] and took lat[i] ns. */
  private calls(name: string, lat: Float64Array, starts: Float64Array): void {
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      if (s > 0) this.span(name, s, s + lat[i]!);
    }
  }

  /** `sys` with every call recorded on this thread. */
  wrap(sys: SgxSys): SgxSys {
    const c = sys.constants;
    const addPages = (
      fd: number,
      src: Bytes,
      off: number,
      len: number,
      si: Bytes,
      flags: number,
      batch: number,
      lat?: Float64Array | null,
      fake?: FakeIoctl | null,
    ): AddResult => {
      const l = lat ?? new Float64Array(64);
      const starts = new Float64Array(l.length);
      try {
        return this.time('add loop', () => sys.addPages(fd, src, off, len, si, flags, batch, l, fake ?? null, starts), {
          offset: off / 4096,
          pages: len / 4096,
        });
      } finally {
        this.calls(IOCTL.addPages, l, starts);
      }
    };
    const isgxAddPages = (
      fd: number,
      base: bigint,
      first: number,
      pages: number,
      src: Bytes,
      stride: number,
      si: Bytes,
      mrmask: number,
      lat?: Float64Array | null,
      fake?: FakeIoctl | null,
    ): AddResult => {
      const l = lat ?? new Float64Array(pages + 64);
      const starts = new Float64Array(l.length);
      try {
        return this.time('add loop', () => sys.isgxAddPages(fd, base, first, pages, src, stride, si, mrmask, l, fake ?? null, starts), {
          offset: first,
          pages,
        });
      } finally {
        this.calls(IOCTL.addPage, l, starts);
      }
    };
    return {
      constants: c,
      open: (p, f) => this.time('open', () => sys.open(p, f)),
      close: (fd) => this.time('close', () => sys.close(fd), { fd }),
      mmap: (addr, length, prot, flags, fd, offset) =>
        this.time('mmap', () => sys.mmap(addr, length, prot, flags, fd, offset), { bytes: length, ...(fd >= 0 ? { fd } : {}) }),
      munmap: (addr, length) => this.time('munmap', () => sys.munmap(addr, length), { bytes: length }),
      reserveAligned: (size) => this.time('mmap (reserve ELRANGE)', () => sys.reserveAligned(size), { bytes: size }),
      allocPages: (bytes) => this.time('mmap (source pages)', () => sys.allocPages(bytes), { bytes }),
      touchPages: (addr, pages) => this.time('touch (faults)', () => sys.touchPages(addr, pages), { pages }),
      create: (fd, secs) => this.time(IOCTL.create, () => sys.create(fd, secs)),
      init: (fd, sig) => this.time(IOCTL.init, () => sys.init(fd, sig)),
      isgxInit: (fd, base, sig, token) => this.time(IOCTL.init, () => sys.isgxInit(fd, base, sig, token)),
      addPages,
      isgxAddPages,
    };
  }

  data(): SysTraceData {
    return { process: this.process, thread: this.thread, osPid: process.pid, names: [...this.names], ev: [...this.ev], args: [...this.args] };
  }
}
