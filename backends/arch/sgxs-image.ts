/**
 * SGXS import and export at page granularity. Import turns a stream into its pages (offset,
 * SECINFO flags, which chunks are measured or only loaded, and in which order they came);
 * export writes pages back as a canonical stream: EADD, then per chunk in ascending order an
 * EEXTEND (measured), an UNMEASRD (loaded, not measured) or nothing (a zero chunk). Everything
 * written is run through the validating parser, so an export is canonical or nothing is written.
 */
import { writeFileAtomic } from '../../common/atomic-write.js';
import { ArchInputError } from './errors.js';
import { CHUNK_SIZE, CHUNKS_PER_PAGE, PAGE_SIZE, ecreateBlock, eaddBlock, eextendBlock } from './blocks.js';
import { SgxsParser, scanSgxsBuffer, scanSgxsFile, type SgxsCounts, type SgxsListener } from './sgxs.js';

export interface SgxsPage {
  /** Bytes from the enclave base (page aligned). */
  readonly offset: number;
  /** SECINFO.FLAGS as recorded in the stream (type in bits 15:8, R/W/X in bits 2:0). */
  readonly flags: number;
  /** 16-bit mask of chunks carried by EEXTEND records. */
  readonly measured: number;
  /** 16-bit mask of chunks carried by UNMEASRD records (loaded but not measured). */
  readonly unmeasured: number;
  /** False when the page's chunks came out of ascending order (legal, but no driver adds them so). */
  readonly ordered: boolean;
  /** Record number of the page's EADD. */
  readonly record: number;
  /** The page contents (only when read with keepData, or given to export); zeros elsewhere. */
  readonly data?: Buffer;
}

export interface SgxsImage {
  readonly size: number;
  readonly ssaFrameSize: number;
  /** An ESGXS UNSIZED stream: `size` is the offset where the size is to be written. */
  readonly unsized: boolean;
  readonly pages: readonly SgxsPage[];
}

export interface ReadOptions {
  /** Keep each page's 4 KiB of data (memory grows with the enclave). Default false. */
  readonly keepData?: boolean;
}

interface MutablePage {
  offset: number;
  flags: number;
  measured: number;
  unmeasured: number;
  ordered: boolean;
  record: number;
  lastChunk: number;
  data?: Buffer;
}

/** Builds pages from parser callbacks; `end()` closes the last page. */
class PageCollector implements SgxsListener {
  readonly pages: SgxsPage[] = [];
  private cur: MutablePage | undefined;

  constructor(private readonly keepData: boolean) {}

  eadd(offset: number, flags: number, record: number): void {
    this.end();
    this.cur = { offset, flags, measured: 0, unmeasured: 0, ordered: true, record, lastChunk: -1 };
    if (this.keepData) this.cur.data = Buffer.alloc(PAGE_SIZE);
  }

  chunk(offset: number, measured: boolean, data: Buffer): void {
    const cur = this.cur;
    if (!cur) return; // the parser rejects chunks before an EADD
    const i = (offset - cur.offset) / CHUNK_SIZE;
    if (i < cur.lastChunk) cur.ordered = false;
    cur.lastChunk = i;
    if (measured) cur.measured |= 1 << i;
    else cur.unmeasured |= 1 << i;
    if (cur.data) data.copy(cur.data, i * CHUNK_SIZE);
  }

  end(): void {
    if (!this.cur) return;
    const { lastChunk: _lastChunk, ...page } = this.cur;
    this.pages.push(page);
    this.cur = undefined;
  }
}

export type ImportedSgxs = SgxsImage & { readonly counts: SgxsCounts };

function finish(parser: SgxsParser, c: PageCollector): ImportedSgxs {
  c.end();
  return { size: parser.size, ssaFrameSize: parser.ssaFrameSize, unsized: parser.unsized, pages: c.pages, counts: parser.counts };
}

/** Imports a stream file (validated; bad input throws ArchInputError naming the record). */
export function readSgxsFile(file: string, opts: ReadOptions = {}): ImportedSgxs {
  const c = new PageCollector(opts.keepData ?? false);
  return finish(scanSgxsFile(file, c), c);
}

export function readSgxsBuffer(buf: Buffer, opts: ReadOptions & { source?: string } = {}): ImportedSgxs {
  const c = new PageCollector(opts.keepData ?? false);
  return finish(scanSgxsBuffer(buf, c, opts.source), c);
}

/** Yields the records of an image, in stream order, each a Buffer of 64 or 320 bytes. */
export function* sgxsRecords(image: SgxsImage): Generator<Buffer> {
  yield ecreateBlock(image.size, image.ssaFrameSize, image.unsized);
  for (const p of image.pages) {
    if ((p.measured & p.unmeasured) !== 0) throw new ArchInputError(`page 0x${p.offset.toString(16)}: a chunk cannot be both measured and unmeasured`);
    if (p.data !== undefined && p.data.length !== PAGE_SIZE) throw new ArchInputError(`page 0x${p.offset.toString(16)}: data must be ${PAGE_SIZE} bytes`);
    yield eaddBlock(p.offset, p.flags);
    for (let i = 0; i < CHUNKS_PER_PAGE; i++) {
      const bit = 1 << i;
      if (!((p.measured | p.unmeasured) & bit)) continue;
      const rec = Buffer.alloc(64 + CHUNK_SIZE);
      eextendBlock(p.offset + i * CHUNK_SIZE, (p.measured & bit) !== 0).copy(rec);
      if (p.data) p.data.copy(rec, 64, i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE);
      yield rec;
    }
  }
}

/** Exports an image to memory (validated as it is produced). */
export function encodeSgxs(image: SgxsImage): Buffer {
  const parts: Buffer[] = [];
  const parser = new SgxsParser({}, 'export');
  for (const rec of sgxsRecords(image)) {
    parser.feed(rec, 0, rec.length, false);
    parts.push(rec);
  }
  const out = Buffer.concat(parts);
  parser.feed(out, out.length, out.length, true);
  return out;
}

/**
 * Exports an image to a file, page by page: written to a temporary file next to the target and
 * renamed into place, so a failure leaves nothing behind.
 */
export function writeSgxsFile(file: string, image: SgxsImage): void {
  const parser = new SgxsParser({}, 'export');
  function* validated(): Generator<Buffer> {
    for (const rec of sgxsRecords(image)) {
      parser.feed(rec, 0, rec.length, false);
      yield rec;
    }
    parser.feed(Buffer.alloc(0), 0, 0, true);
  }
  writeFileAtomic(file, validated());
}
