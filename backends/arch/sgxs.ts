/**
 * Reading and validating SGXS / ESGXS streams (fortanix/rust-sgx doc/SGXS.md): a sequence of
 * 64-byte records; EEXTEND and UNMEASRD records carry 256 more bytes. The parser works on
 * whole records in caller-owned buffers, keeps O(1) state and never holds the stream, so a
 * multi-GiB enclave is read in fixed-size chunks.
 *
 * Canonicality (doc/SGXS.md "Canonicality"; ESGXS: read UNSIZED as ECREATE and UNMEASRD as
 * EEXTEND): the first record is ECREATE and no other is; EADD offsets are page aligned and
 * strictly increasing; EEXTEND offsets are 256-aligned, inside the page of the preceding EADD,
 * and unique within it. On top of that, rules hardware would enforce (SDM ECREATE/EADD; mainline
 * `sgx_validate_secinfo`): reserved bytes of every block are zero; the size is a power of two
 * ≥ 8 KiB; SSAFRAMESIZE ≥ 1; pages lie inside the enclave; SECINFO has only R/W/X and a REG or TCS
 * type, W only with R, and a TCS has no permissions. Every error names the record number (from
 * 0) and its byte offset.
 */
import { InputFileError, openInput } from '../../common/input-file.js';
import fs from 'node:fs';
import { ArchInputError } from './errors.js';
import { BLOCK_SIZE, CHUNK_RECORD_SIZE, CHUNK_SIZE, PAGE_SIZE, TAG_EADD, TAG_ECREATE, TAG_EEXTEND, TAG_UNMEASRD, TAG_UNSIZED } from './blocks.js';
import { secinfoFlagsProblem } from './secinfo.js';

/** What the parser reports; every callback is optional. Buffers are views, valid only during the call. */
export interface SgxsListener {
  ecreate?(size: number, ssaFrameSize: number, unsized: boolean, record: number, at: number): void;
  eadd?(offset: number, flags: number, record: number, at: number): void;
  /** An EEXTEND (measured) or UNMEASRD (loaded, not measured) chunk. */
  chunk?(offset: number, measured: boolean, data: Buffer, record: number, at: number): void;
  /** Contiguous runs of measured bytes (everything except UNMEASRD records), in order. */
  measured?(bytes: Buffer): void;
}

export interface SgxsCounts {
  ecreate: number;
  eadd: number;
  eextend: number;
  unmeasured: number;
  records: number;
  bytes: number;
}

/** Largest enclave size accepted: offsets stay exact doubles (2^52 bytes = 4 PiB). */
const MAX_SIZE = 2 ** 52;

function tagName(lo: number, hi: number): string {
  return `0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
}

/** A push parser over whole records. */
export class SgxsParser {
  readonly counts: SgxsCounts = { ecreate: 0, eadd: 0, eextend: 0, unmeasured: 0, records: 0, bytes: 0 };
  /** ECREATE size (or, for UNSIZED, the offset where the size goes); -1 before ECREATE. */
  size = -1;
  ssaFrameSize = 0;
  unsized = false;
  private pageOffset = -1;
  private chunksSeen = 0;

  constructor(
    private readonly listener: SgxsListener = {},
    private readonly source = 'stream',
  ) {}

  private fail(record: number, at: number, rule: string): never {
    throw new ArchInputError(`${this.source}: record ${record} (byte offset ${at}): ${rule}`);
  }

  /**
   * Parses the whole records in buf[start, end); returns the index after the last one. With
   * `final`, a partial record left over is an error (a truncated stream).
   */
  feed(buf: Buffer, start: number, end: number, final: boolean): number {
    const l = this.listener;
    const c = this.counts;
    // DataView reads are inlined by V8 and endian-independent; Buffer.readUInt32LE is slower here.
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let p = start;
    let run = start;
    while (p + BLOCK_SIZE <= end) {
      const lo = dv.getUint32(p, true);
      const hi = dv.getUint32(p + 4, true);
      if ((lo === TAG_EEXTEND.lo && hi === TAG_EEXTEND.hi) || (lo === TAG_UNMEASRD.lo && hi === TAG_UNMEASRD.hi)) {
        // The hot path: 255 of every 256 records of a fully measured stream.
        if (p + CHUNK_RECORD_SIZE > end) break;
        const measured = lo === TAG_EEXTEND.lo;
        const offLo = dv.getUint32(p + 8, true);
        const offHi = dv.getUint32(p + 12, true);
        let nz = 0;
        for (let i = p + 16; i < p + BLOCK_SIZE; i += 8) nz |= dv.getUint32(i, true) | dv.getUint32(i + 4, true);
        const offset = offHi * 0x1_0000_0000 + offLo;
        const rel = offset - this.pageOffset;
        if (
          nz !== 0 ||
          offHi >= 0x20_0000 ||
          (offLo & 0xff) !== 0 ||
          this.pageOffset < 0 ||
          rel < 0 ||
          rel >= PAGE_SIZE ||
          (this.chunksSeen & (1 << (rel >>> 8))) !== 0
        ) {
          this.chunkProblem(buf, p, measured);
        }
        this.chunksSeen |= 1 << (rel >>> 8);
        if (measured) c.eextend++;
        else {
          c.unmeasured++;
          if (l.measured && p > run) l.measured(buf.subarray(run, p));
          run = p + CHUNK_RECORD_SIZE;
        }
        if (l.chunk) l.chunk(offset, measured, buf.subarray(p + BLOCK_SIZE, p + CHUNK_RECORD_SIZE), c.records, c.bytes);
        p += CHUNK_RECORD_SIZE;
        c.bytes += CHUNK_RECORD_SIZE;
      } else if (lo === TAG_EADD.lo && hi === TAG_EADD.hi) {
        this.eadd(buf, p);
        p += BLOCK_SIZE;
        c.bytes += BLOCK_SIZE;
      } else if ((lo === TAG_ECREATE.lo && hi === TAG_ECREATE.hi) || (lo === TAG_UNSIZED.lo && hi === TAG_UNSIZED.hi)) {
        this.ecreate(buf, p, lo === TAG_UNSIZED.lo);
        p += BLOCK_SIZE;
        c.bytes += BLOCK_SIZE;
      } else {
        this.fail(c.records, c.bytes, `unknown record tag ${tagName(lo, hi)} (valid: ECREATE, EADD, EEXTEND, UNSIZED, UNMEASRD)`);
      }
      c.records++;
    }
    if (l.measured && p > run) l.measured(buf.subarray(run, p));
    if (final) {
      if (p < end) {
        const lo = end - p >= 8 ? buf.readUInt32LE(p) : -1;
        const need = lo === TAG_EEXTEND.lo || lo === TAG_UNMEASRD.lo ? CHUNK_RECORD_SIZE : BLOCK_SIZE;
        this.fail(c.records, c.bytes, `truncated: the stream ends ${end - p} bytes into a ${need}-byte record`);
      }
      if (this.size < 0) this.fail(c.records, c.bytes, 'ECREATE missing (the stream has no records)');
    }
    return p;
  }

  /** Names the rule an EEXTEND/UNMEASRD record at `p` breaks (only called when one is broken). */
  private chunkProblem(buf: Buffer, p: number, measured: boolean): never {
    const record = this.counts.records;
    const at = this.counts.bytes;
    const name = measured ? 'EEXTEND' : 'UNMEASRD';
    if (this.size < 0) this.fail(record, at, `${name} before ECREATE (the first record must be ECREATE)`);
    const offset = this.u64(buf, p + 8, record, at, name);
    this.zeros(buf, p + 16, p + BLOCK_SIZE, record, at, `${name} header bytes 16..63`);
    if (offset % CHUNK_SIZE !== 0) this.fail(record, at, `${name} offset 0x${offset.toString(16)} is not 256-aligned`);
    if (this.pageOffset < 0) this.fail(record, at, `${name} before any EADD`);
    const rel = offset - this.pageOffset;
    if (rel < 0 || rel >= PAGE_SIZE) {
      this.fail(record, at, `${name} offset 0x${offset.toString(16)} is outside the page of the preceding EADD (0x${this.pageOffset.toString(16)})`);
    }
    this.fail(record, at, `chunk 0x${offset.toString(16)} appears twice in its page`);
  }

  private eadd(buf: Buffer, p: number): void {
    const record = this.counts.records;
    const at = this.counts.bytes;
    if (this.size < 0) this.fail(record, at, 'EADD before ECREATE (the first record must be ECREATE)');
    const offset = this.u64(buf, p + 8, record, at, 'EADD');
    if (offset % PAGE_SIZE !== 0) this.fail(record, at, `EADD offset 0x${offset.toString(16)} is not page aligned`);
    if (offset <= this.pageOffset) {
      this.fail(record, at, `EADD offsets out of order: 0x${offset.toString(16)} after 0x${this.pageOffset.toString(16)} (offsets must increase)`);
    }
    if (!this.unsized && offset + PAGE_SIZE > this.size) {
      this.fail(record, at, `EADD offset 0x${offset.toString(16)} is outside the enclave (size 0x${this.size.toString(16)})`);
    }
    const flags = this.u64(buf, p + 16, record, at, 'SECINFO.FLAGS');
    const problem = secinfoFlagsProblem(flags);
    if (problem) this.fail(record, at, problem);
    this.zeros(buf, p + 24, p + BLOCK_SIZE, record, at, 'EADD SECINFO bytes 8..47');
    this.pageOffset = offset;
    this.chunksSeen = 0;
    this.counts.eadd++;
    if (this.listener.eadd) this.listener.eadd(offset, flags, record, at);
  }

  private ecreate(buf: Buffer, p: number, unsized: boolean): void {
    const record = this.counts.records;
    const at = this.counts.bytes;
    const name = unsized ? 'UNSIZED' : 'ECREATE';
    if (this.size >= 0) this.fail(record, at, `${name} repeated (only the first record may be ECREATE/UNSIZED)`);
    const ssa = buf.readUInt32LE(p + 8);
    const size = this.u64(buf, p + 12, record, at, `${name} size`);
    this.zeros(buf, p + 20, p + BLOCK_SIZE, record, at, `${name} bytes 20..63`);
    if (ssa < 1) this.fail(record, at, `${name} SSAFRAMESIZE 0 (must be ≥ 1 page)`);
    if (!unsized && (size < 2 * PAGE_SIZE || size > MAX_SIZE || !isPow2(size))) {
      this.fail(record, at, `ECREATE size 0x${size.toString(16)} must be a power of two from 8 KiB to 4 PiB`);
    }
    this.size = size;
    this.ssaFrameSize = ssa;
    this.unsized = unsized;
    this.counts.ecreate++;
    if (this.listener.ecreate) this.listener.ecreate(size, ssa, unsized, record, at);
  }

  /** A u64 field as a number; the values SGXS needs fit well inside 2^53. */
  private u64(buf: Buffer, o: number, record: number, at: number, what: string): number {
    const lo = buf.readUInt32LE(o);
    const hi = buf.readUInt32LE(o + 4);
    if (hi >= 0x20_0000) this.fail(record, at, `${what} 0x${tagName(lo, hi).slice(2)} is too large (limit 2^53)`);
    return hi * 0x1_0000_0000 + lo;
  }

  private zeros(buf: Buffer, from: number, to: number, record: number, at: number, what: string): void {
    for (let i = from; i < to; i += 4) if (buf.readUInt32LE(i) !== 0) this.fail(record, at, `${what} must be zero (reserved)`);
  }
}

/** Exact for the safe-integer range: a power of two has a single bit set. */
function isPow2(n: number): boolean {
  return n > 0 && Number.isSafeInteger(n) && BigInt(n).toString(2).lastIndexOf('1') === 0;
}

/** Default read size: large enough that per-read overhead vanishes, small enough to stay in cache. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Scans a stream file in fixed-size reads; returns the parser (counts, size, ssaFrameSize). */
export function scanSgxsFile(path: string, listener: SgxsListener = {}, chunkBytes = DEFAULT_CHUNK_BYTES): SgxsParser {
  const parser = new SgxsParser(listener, path);
  let fd: number;
  try {
    fd = openInput(path, 'sgxs').fd;
  } catch (e) {
    if (e instanceof InputFileError) throw new ArchInputError(e.message);
    throw e;
  }
  try {
    // Own the buffer so record starts stay aligned and the leftover tail can move to the front.
    const buf = Buffer.allocUnsafeSlow(Math.max(chunkBytes, CHUNK_RECORD_SIZE * 2));
    let filled = 0;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, filled, buf.length - filled, null);
      } catch (e) {
        throw new ArchInputError(
          `${path}: cannot read at byte offset ${parser.counts.bytes + filled} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
      const end = filled + n;
      const used = parser.feed(buf, 0, end, n === 0);
      if (n === 0) break;
      buf.copyWithin(0, used, end);
      filled = end - used;
    }
  } finally {
    fs.closeSync(fd);
  }
  return parser;
}

/** Scans a stream held in memory. */
export function scanSgxsBuffer(buf: Buffer, listener: SgxsListener = {}, source = 'stream'): SgxsParser {
  const parser = new SgxsParser(listener, source);
  parser.feed(buf, 0, buf.length, true);
  return parser;
}
