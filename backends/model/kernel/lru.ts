/**
 * Where a reclaimable EPC page is listed, by binding.
 *
 * Mainline (`binding=fd`): one global active list, `sgx_active_page_list` under the spinlock
 * `sgx_reclaimer_lock` (arch/x86/kernel/cpu/sgx/main.c: `sgx_mark_page_reclaimable` appends an
 * added page, `sgx_reclaim_pages` takes up to 16 from its head). It is `Epc.active`.
 *
 * isgx (`binding=mm`): a load list per enclave, on a list of enclaves per process, on a global
 * list of processes (intel/linux-sgx-driver sgx_page_cache.c: `sgx_tgid_ctx_list`,
 * `ctx->encl_list`, `encl->load_list`; the add worker appends in `sgx_process_add_page_req`).
 * A reclaim batch takes one process round-robin (`sgx_isolate_tgid_ctx`), one of its enclaves
 * round-robin (`sgx_isolate_encl`), and up to 16 pages of that enclave (`sgx_isolate_pages`).
 */
import type { Enclave } from './enclave.js';
import type { Mm } from './mm.js';

/** Tries of each round-robin scan (`nr_to_scan` = SGX_NR_SWAP_CLUSTER_MAX in isgx). */
export const ISGX_SCAN = 16;

/** A growable FIFO of page offsets (one enclave's load list). */
export class PageRing {
  private a = new Int32Array(64);
  private head = 0;
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(p: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      for (let i = 0; i < this.n; i++) b[i] = this.a[(this.head + i) & (this.a.length - 1)]!;
      this.a = b;
      this.head = 0;
    }
    this.a[(this.head + this.n) & (this.a.length - 1)] = p;
    this.n++;
  }

  /** The head page; -1 when empty. */
  shift(): number {
    if (this.n === 0) return -1;
    const p = this.a[this.head]!;
    this.head = (this.head + 1) & (this.a.length - 1);
    this.n--;
    return p;
  }

  clear(): void {
    this.head = 0;
    this.n = 0;
  }
}

/** One process's enclaves (`struct sgx_tgid_ctx`). */
interface TgidCtx {
  readonly mm: Mm;
  readonly encls: Enclave[];
}

/** The per-mm driver's lists: processes → enclaves → load lists. */
export class LoadLists {
  private readonly ctxs: TgidCtx[] = [];
  private readonly loads = new Map<Enclave, PageRing>();
  /** Pages on every load list. */
  loaded = 0;

  /** A new enclave joins its owner's context (created with the process's first enclave). */
  add(e: Enclave): void {
    const mm = e.owner;
    if (mm === null || this.loads.has(e)) return;
    let ctx = this.ctxs.find((c) => c.mm === mm);
    if (!ctx) {
      ctx = { mm, encls: [] };
      this.ctxs.push(ctx);
    }
    ctx.encls.push(e);
    this.loads.set(e, new PageRing());
  }

  /** Append a resident page to its enclave's load list (`list_add_tail(..., &encl->load_list)`). */
  push(e: Enclave, p: number): void {
    const ring = this.loads.get(e);
    if (!ring) return;
    ring.push(p);
    this.loaded++;
  }

  /** The head of `e`'s load list, removed; -1 when empty. */
  shift(e: Enclave): number {
    const ring = this.loads.get(e);
    if (!ring || ring.length === 0) return -1;
    this.loaded--;
    return ring.shift();
  }

  /** Pages on `e`'s load list. */
  length(e: Enclave): number {
    return this.loads.get(e)?.length ?? 0;
  }

  /** Release: the enclave leaves its context with its load list. */
  drop(e: Enclave): void {
    const ring = this.loads.get(e);
    if (!ring) return;
    this.loaded -= ring.length;
    this.loads.delete(e);
    const ctx = this.ctxs.find((c) => c.encls.includes(e));
    if (!ctx) return;
    ctx.encls.splice(ctx.encls.indexOf(e), 1);
    if (ctx.encls.length === 0) this.ctxs.splice(this.ctxs.indexOf(ctx), 1);
  }

  /** True when some enclave that is not dead has pages on its load list (a batch can isolate). */
  hasCandidate(): boolean {
    for (const c of this.ctxs) for (const e of c.encls) if (!e.dead && this.length(e) > 0) return true;
    return false;
  }

  /**
   * The victim enclave of the next batch: `sgx_isolate_tgid_ctx` moves up to 16 contexts from the
   * head to the tail and stops at the first with enclaves; `sgx_isolate_encl` does the same over
   * that context's enclaves and stops at the first with pages on its load list. null when none.
   */
  pick(): Enclave | null {
    const ctx = rotate(this.ctxs, (c) => c.encls.length > 0);
    if (!ctx) return null;
    return rotate(ctx.encls, (e) => this.length(e) > 0 && !e.released);
  }
}

/** Move up to ISGX_SCAN heads to the tail; the first moved one that passes `ok`, else null. */
function rotate<T>(list: T[], ok: (x: T) => boolean): T | null {
  for (let i = 0; i < ISGX_SCAN && list.length > 0; i++) {
    const x = list.shift()!;
    list.push(x);
    if (ok(x)) return x;
  }
  return null;
}
