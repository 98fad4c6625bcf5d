/**
 * One enclave's state. Per-page state lives in typed arrays (a 64 GiB enclave is 16 M pages):
 * `state` (not added / resident / evicted / being reclaimed, plus a young bit), the order of
 * add requests and the order of EADDs (the measurement order). Add requests queued for a
 * kthread are kept as coalesced page runs, so the queue costs memory per run, not per page.
 */
import { Mutex, type Environment } from '../sim/index.js';
import type { Mm } from './mm.js';
import type { WorkItem } from './workqueue.js';

export const NONE = 0;
export const RESIDENT = 1;
export const EVICTED = 2;
export const RECLAIMING = 3;
export const YOUNG = 0x80;

/** A run of queued add requests: pages offset..offset+count-1 with one SECINFO and mask. */
export interface ReqRun {
  offset: number;
  count: number;
  readonly measure: number;
  /** The mm whose mmap_lock the worker takes (owner mm, or the requester's with `attach`). */
  readonly mm: Mm | null;
}

export class Enclave {
  readonly mutex: Mutex;
  readonly pages: number;
  readonly state: Uint8Array;
  /** Page offsets in the order their add was requested (ioctl order). */
  readonly reqLog: Int32Array;
  reqCount = 0;
  /** Page offsets in the order EADD ran (the MRENCLAVE order). */
  readonly addLog: Int32Array;
  addCount = 0;
  /** Request time of each page (kthread execution: until its EADD). */
  reqTime: Float64Array | null = null;
  /** Pages counted for VA allocation (SECS included): a VA page per 512. */
  pageCnt = 0;
  vaPages = 0;
  resident = 0;
  /** The SECS page is in EPC (ECREATE until release, except while it is written back). */
  secs = false;
  /**
   * The SECS was written back after the last child page (isgx SGX_ENCL_SECS_EVICTED; mainline
   * `encl->secs.epc_page == NULL`): the next child ELDU reloads it first (kernel/secs.ts).
   */
  secsEvicted = false;
  initialized = false;
  dead = false;
  /** A queued request failed: every later one is dropped (per-mm worker semantics). */
  skipRest = false;
  released = false;
  /**
   * Shmem pages the backing holds (contents, the SECS's, PCMD), and which pages have contents
   * there: indices 0..pages, the SECS's at `pages` (PFN_DOWN(size), after the children's;
   * source=pin: lazily, at EWB).
   */
  backed = 0;
  backedMap: Uint8Array | null = null;
  /** PCMD pages in the backing (one per 32 enclave pages, from the first EWB of any of them). */
  pcmdPages = 0;
  pcmdMap: Uint8Array | null = null;
  /** Duplicate adds seen (must stay 0). */
  duplicates = 0;
  /** References: fds, VMAs (binding mm), mm-list entries, queued add requests (release=ref). */
  refs = 0;
  /**
   * binding=fd: references to the enclave file (fds, each VMA's vm_file, a running ioctl); the
   * file holds one of `refs` until the last goes (mainline `sgx_release`).
   */
  fileRefs = 0;
  /** The part of `refs` held by queued add requests (isgx: kref_get per request). */
  requestRefs = 0;
  /** SGX_ENCL_IOCTL: an ioctl is running on this enclave (fd binding). */
  ioctlBusy = false;
  /** mms on the enclave's list (fd binding: every mm that mapped it; mm binding: the owner). */
  readonly mms: Mm[] = [];
  /** Threads running inside the enclave (EENTER), by mm: EWB finds them (SGX_NOT_TRACKED). */
  readonly inside = new Map<Mm, number>();
  readonly queue: ReqRun[] = [];
  queueHead = 0;
  queuedPages = 0;
  createdAt = 0;
  /** When the enclave became usable (EINIT done), -1 before. */
  readyAt = -1;
  /** The add-page work item (kthread execution). */
  work: WorkItem | null = null;
  lastAddAt = 0;
  /** Model time the teardown started (unmap/exit/close), for teardown_time. */
  teardownAt = -1;
  /** Model time the owner's destroy phase started (the `destroy` op), -1 otherwise. */
  destroyAt = -1;

  constructor(
    env: Environment,
    readonly id: number,
    readonly sizeBytes: number,
    /** Owner mm with binding=mm, null with binding=fd. */
    readonly owner: Mm | null,
  ) {
    this.mutex = new Mutex(env, `encl${id}->lock`);
    this.pages = Math.ceil(sizeBytes / 4096);
    this.state = new Uint8Array(this.pages);
    this.reqLog = new Int32Array(this.pages);
    this.addLog = new Int32Array(this.pages);
  }

  /** Threads running inside the enclave now. */
  get threadsInside(): number {
    let n = 0;
    for (const c of this.inside.values()) n += c;
    return n;
  }

  get name(): string {
    return `encl${this.id}`;
  }

  /** Queue `count` pages from `offset` for the worker; coalesces with the tail run. */
  enqueue(offset: number, count: number, measure: number, mm: Mm | null): void {
    const tail = this.queue.length > this.queueHead ? this.queue[this.queue.length - 1]! : undefined;
    if (tail && tail.offset + tail.count === offset && tail.measure === measure && tail.mm === mm) tail.count += count;
    else this.queue.push({ offset, count, measure, mm });
    this.queuedPages += count;
  }

  /** Take the first queued page: [offset, measure, mm], or undefined when empty. */
  dequeue(): ReqRun | undefined {
    const head = this.queue[this.queueHead];
    if (!head) return undefined;
    const one: ReqRun = { offset: head.offset, count: 1, measure: head.measure, mm: head.mm };
    head.offset++;
    head.count--;
    this.queuedPages--;
    if (head.count === 0) {
      this.queueHead++;
      if (this.queueHead > 64 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
    }
    return one;
  }

  recordRequest(offset: number): void {
    if (this.reqCount < this.reqLog.length) this.reqLog[this.reqCount] = offset;
    this.reqCount++;
  }
}
