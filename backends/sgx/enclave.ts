/**
 * One enclave on a real device, both drivers, with one idempotent cleanup: whatever step fails,
 * `cleanup()` unmaps every range this enclave mapped or reserved and closes its fd, once.
 *
 * mainline (/dev/sgx_enclave): reserve an aligned range, open, CREATE, ADD_PAGES over ranges,
 *   INIT; map later with MAP_SHARED|MAP_FIXED at the SECS base (reference §2.6, §3.2).
 * isgx (/dev/isgx): open, map the device first (the driver aligns it), CREATE at that base,
 *   one ADD_PAGE per page (returns before EADD), INIT flushes the queue (reference §1.6, §3.1).
 */
import type { NativeBinding, AddResult } from './binding.js';
import type { Driver } from './detect.js';
import { encodeSecs, encodeSecinfo, PAGE_SIZE } from './structs.js';
import { encodeTcs } from '../arch/tcs.js';
import type { PageType } from '../../workloads/types.js';
import { ISGX_SETTLE_REASON } from './compat.js';
import type { EnclaveGuard } from './mm-shared.js';

/** The calls an enclave makes: the native binding, or a fake in tests. */
export type SgxSys = Pick<
  NativeBinding,
  | 'constants'
  | 'open'
  | 'close'
  | 'mmap'
  | 'munmap'
  | 'reserveAligned'
  | 'create'
  | 'init'
  | 'addPages'
  | 'isgxAddPages'
  | 'isgxInit'
  | 'touchPages'
  | 'allocPages'
>;

/** Raised for requests a driver cannot express (the case is then rejected, not failed). */
export class UnsupportedOnDevice extends Error {}

/** Raised for what the design does but this device cannot time (the case is then skipped, not failed). */
export class NotMeasurableOnDevice extends Error {}

const now = (): number => Number(process.hrtime.bigint());

/** Timings (wall clock, ns) of one enclave's ioctls. */
export interface EnclaveTimes {
  createStart?: number;
  ecreateNs?: number;
  /** Per add ioctl, entry to return (measured in C around each call). */
  readonly ioctlNs: number[];
  addEnd?: number;
  einitNs?: number;
  /** When the enclave was complete: INIT return, or (no INIT) the last add's return. */
  readyAt?: number;
  teardownNs?: number;
  pagesAdded: number;
  eintrRetries: number;
  notes: string[];
}

/** Page-aligned source data the adds read (reused cyclically for large ranges). */
export class SourcePool {
  private buf: ArrayBuffer | undefined;
  constructor(
    private readonly sys: SgxSys,
    private readonly capBytes = 64 * 1024 * 1024,
  ) {}
  /** A buffer of at least min(bytes, cap) bytes, filled with a fixed pattern. */
  get(bytes: number): ArrayBuffer {
    const want = Math.max(PAGE_SIZE, Math.min(bytes, this.capBytes));
    if (!this.buf || this.buf.byteLength < want) {
      this.buf = this.sys.allocPages(want);
      const v = new Uint8Array(this.buf);
      for (let i = 0; i < v.length; i += 64) v[i] = (i >>> 6) & 0xff;
    }
    return this.buf;
  }

  private tcsBuf: ArrayBuffer | undefined;
  /**
   * Source pages for TCS adds: each a valid TCS (SSA frames at offset 0x1000, one frame, FS/GS
   * limits 0xFFF, reserved bytes zero). EADD checks a TCS page's fields and faults on others,
   * which mainline reports as EIO (isgx refuses them in software, sgx_validate_tcs).
   */
  tcs(bytes: number): ArrayBuffer {
    const want = Math.max(PAGE_SIZE, Math.min(bytes, this.capBytes));
    if (!this.tcsBuf || this.tcsBuf.byteLength < want) {
      this.tcsBuf = this.sys.allocPages(want);
      const page = encodeTcs({ ossa: PAGE_SIZE, nssa: 1 });
      const v = new Uint8Array(this.tcsBuf);
      for (let at = 0; at + PAGE_SIZE <= v.length; at += PAGE_SIZE) v.set(page, at);
    }
    return this.tcsBuf;
  }
}

export class Enclave {
  fd = -1;
  base = 0n;
  readonly times: EnclaveTimes = { ioctlNs: [], pagesAdded: 0, eintrRetries: 0, notes: [] };
  /** Ranges to munmap at cleanup: [addr, length]. */
  private readonly ranges: [bigint, number][] = [];
  private mapped = false;
  private cleaned = false;
  /**
   * Set when threads of one process share this enclave (mm-shared.ts): the range is munmapped
   * and the fd closed by whichever thread claims them first, never twice.
   */
  guard: EnclaveGuard | undefined;

  constructor(
    private readonly sys: SgxSys,
    readonly driver: Driver,
    readonly device: string,
    /** ELRANGE size (power of two ≥ 8 KiB). */
    readonly size: number,
  ) {}

  /** Opens the device and runs CREATE; the time of the CREATE ioctl alone is ecreate_time. */
  create(): void {
    const { constants: c } = this.sys;
    this.times.createStart = now();
    if (this.driver === 'mainline') {
      this.base = this.sys.reserveAligned(this.size);
      this.ranges.push([this.base, this.size]);
      this.fd = this.sys.open(this.device);
    } else {
      this.fd = this.sys.open(this.device);
      // isgx aligns the mapping itself (sgx_get_unmapped_area asks for 2×len and rounds up).
      this.base = this.sys.mmap(0n, this.size, c['PROT_READ']! | c['PROT_WRITE']! | c['PROT_EXEC']!, c['MAP_SHARED']!, this.fd, 0);
      this.ranges.push([this.base, this.size]);
      this.mapped = true;
    }
    const secs = encodeSecs({ size: this.size, base: this.base });
    const t0 = now();
    this.sys.create(this.fd, secs);
    this.times.ecreateNs = now() - t0;
  }

  /**
   * Adds `pages` pages from page `offset`. `measure` is the 16-bit EEXTEND mask; mainline can
   * only measure all or nothing. `batchPages` caps pages per mainline call (0: no cap).
   */
  add(src: SourcePool, offset: number, pages: number, type: PageType, perm: number, measure: number, batchPages: number): AddResult {
    const secinfo = encodeSecinfo(type, perm);
    const lat = new Float64Array(this.driver === 'mainline' ? Math.max(1, batchPages > 0 ? Math.ceil(pages / batchPages) + 64 : 64) : pages + 64);
    let r: AddResult;
    if (this.driver === 'mainline') {
      if (measure !== 0 && measure !== 0xffff)
        throw new UnsupportedOnDevice(`mainline ADD_PAGES measures a whole page or none; mask 0x${measure.toString(16)} needs isgx`);
      const flags = measure === 0xffff ? this.sys.constants['SGX_PAGE_MEASURE']! : 0;
      const buf = type === 'tcs' ? src.tcs(pages * PAGE_SIZE) : src.get(pages * PAGE_SIZE);
      try {
        r = this.sys.addPages(this.fd, buf, offset * PAGE_SIZE, pages * PAGE_SIZE, secinfo, flags, batchPages * PAGE_SIZE, lat);
      } finally {
        this.collect(lat);
      }
    } else {
      // One ADD_PAGE per page; the source is walked page by page and reused cyclically.
      const buf = type === 'tcs' ? src.tcs(pages * PAGE_SIZE) : src.get(pages * PAGE_SIZE);
      const bufPages = Math.floor(buf.byteLength / PAGE_SIZE);
      let done = 0;
      let calls = 0;
      let eintr = 0;
      while (done < pages) {
        const n = Math.min(bufPages, pages - done);
        const part = new Float64Array(n + 64);
        try {
          const p = this.sys.isgxAddPages(this.fd, this.base, offset + done, n, buf, PAGE_SIZE, secinfo, measure, part);
          calls += p.calls;
          eintr += p.eintrRetries;
        } finally {
          this.collect(part);
        }
        done += n;
      }
      r = { bytesDone: pages * PAGE_SIZE, pagesDone: pages, calls, eintrRetries: eintr };
    }
    this.times.pagesAdded += r.pagesDone;
    this.times.eintrRetries += r.eintrRetries;
    this.times.addEnd = now();
    this.times.readyAt = this.times.addEnd;
    return r;
  }

  private collect(lat: Float64Array): void {
    for (const v of lat) {
      if (v > 0) this.times.ioctlNs.push(v);
    }
  }

  /**
   * EINIT. On isgx the ioctl first waits for every queued add (flush_work), so its return is
   * when the build completed; without a launch token EINIT itself is then refused, which the
   * caller may accept (`tokenRefusalOk`).
   */
  init(sigstruct: Buffer, tokenRefusalOk = false): void {
    const t0 = now();
    try {
      if (this.driver === 'mainline') this.sys.init(this.fd, sigstruct);
      else this.sys.isgxInit(this.fd, this.base, sigstruct, Buffer.alloc(304));
    } catch (e) {
      const code = (e as { sgxCode?: number }).sgxCode;
      if (!(tokenRefusalOk && this.driver === 'isgx' && code === 16)) throw e;
      this.times.notes.push('isgx EINIT refused (SGX_INVALID_EINITTOKEN: no launch token); its time still covers the flush of queued adds');
    }
    const t1 = now();
    this.times.einitNs = t1 - t0;
    this.times.readyAt = t1;
  }

  /**
   * Waits until every add requested for this enclave is done, without a syscall. Mainline
   * ADD_PAGES returns only after EADD (and EEXTEND) of every page it counts (reference §2.2), so
   * there is nothing to wait for: the build ended at the last add's return (`readyAt` stays
   * there). isgx queues each page for its worker and only EINIT flushes the queue (§1.6).
   */
  settle(): void {
    if (this.driver === 'isgx') throw new NotMeasurableOnDevice(ISGX_SETTLE_REASON);
    const note = 'no EINIT: the build ends at the last ADD_PAGES return (mainline adds are synchronous, so settle waits for nothing)';
    if (!this.times.notes.includes(note)) this.times.notes.push(note);
  }

  /** Maps the enclave at its base (mainline; isgx is mapped since create). */
  map(): void {
    if (this.guard?.isMapped()) this.mapped = true;
    if (this.mapped) return;
    const c = this.sys.constants;
    this.sys.mmap(this.base, this.size, c['PROT_READ']! | c['PROT_WRITE']!, c['MAP_SHARED']! | c['MAP_FIXED']!, this.fd, 0);
    this.mapped = true;
    this.guard?.setMapped();
    if (!this.ranges.some(([a]) => a === this.base)) this.ranges.push([this.base, this.size]);
  }

  touch(offset: number, pages: number): void {
    if (!this.mapped && !this.guard?.isMapped()) throw new Error(`touch of enclave at 0x${this.base.toString(16)} before map`);
    this.sys.touchPages(this.base + BigInt(offset * PAGE_SIZE), pages);
  }

  /** munmap of the enclave range (isgx: kills the enclave, reference §1.7). */
  unmap(): void {
    const i = this.ranges.findIndex(([a]) => a === this.base);
    if (i < 0) return;
    if (this.guard && !this.guard.claimRange()) {
      this.ranges.splice(i, 1);
      this.mapped = false;
      this.times.notes.push('munmap skipped: another thread of the process already unmapped the enclave');
      return;
    }
    const t0 = now();
    this.sys.munmap(this.base, this.size);
    this.ranges.splice(i, 1);
    this.mapped = false;
    if (this.driver === 'isgx') this.times.teardownNs = now() - t0;
  }

  /** Closes the fd (mainline: the last close releases the enclave and its EPC pages). */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    if (this.guard && !this.guard.claimFd()) {
      this.times.notes.push('close skipped: another thread of the process already closed the enclave fd');
      return;
    }
    const t0 = now();
    this.sys.close(fd);
    if (this.driver === 'mainline' || this.times.teardownNs === undefined) this.times.teardownNs = now() - t0;
  }

  /**
   * Releases everything this enclave holds, whatever state it is in; safe to call again.
   * Keeps going past a failing call so one error cannot leak the rest; returns the errors.
   */
  cleanup(): Error[] {
    if (this.cleaned) return [];
    this.cleaned = true;
    const errors: Error[] = [];
    const ranges = this.ranges.splice(0);
    for (const [addr, len] of this.guard && ranges.length > 0 && !this.guard.claimRange() ? [] : ranges) {
      try {
        this.sys.munmap(addr, len);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    this.mapped = false;
    if (this.fd >= 0 && (!this.guard || this.guard.claimFd())) {
      const fd = this.fd;
      this.fd = -1;
      try {
        this.sys.close(fd);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    return errors;
  }

  /**
   * The enclave another thread of this process created: same fd (the fd table is shared),
   * same range; `guard` decides who releases them.
   */
  static shareIn(sys: SgxSys, driver: Driver, device: string, fd: number, base: bigint, size: number, guard: EnclaveGuard): Enclave {
    const e = new Enclave(sys, driver, device, size);
    e.fd = fd;
    e.base = base;
    e.guard = guard;
    e.ranges.push([base, size]);
    return e;
  }

  /** Adopts an fd received from another process (mainline handover): map at `base` later. */
  static adopt(sys: SgxSys, device: string, fd: number, base: bigint, size: number): Enclave {
    const e = new Enclave(sys, 'mainline', device, size);
    e.fd = fd;
    e.base = base;
    return e;
  }
}
