/**
 * MRENCLAVE: one running SHA-256 over the ECREATE, EADD and EEXTEND blocks in the order the
 * instructions run (Intel SDM Vol. 3D ECREATE/EADD/EEXTEND/EINIT). ECREATE starts the hash, EINIT
 * finishes it with ordinary SHA-256 padding. The builder below is what a loader (or the hardware
 * backend) runs next to its ioctls; `measureSgxsFile` does the same for a stream on disk.
 */
import crypto, { type Hash } from 'node:crypto';
import { CHUNK_SIZE, CHUNKS_PER_PAGE, PAGE_SIZE, ecreateBlock, eaddBlock, eextendBlock } from './blocks.js';
import { measuredSecinfoFlags } from './secinfo.js';
import { ArchInputError } from './errors.js';
import { DEFAULT_CHUNK_BYTES, scanSgxsFile, type SgxsCounts } from './sgxs.js';

/** A streaming MRENCLAVE computation; memory use is constant. */
export class MrEnclave {
  private readonly hash: Hash = crypto.createHash('sha256');
  private state: 'new' | 'open' | 'done' = 'new';
  /** Counts of each block type hashed so far. */
  readonly counts = { eadd: 0, eextend: 0 };

  /** ECREATE: must come first, exactly once. `size` in bytes, `ssaFrameSize` in pages. */
  ecreate(size: bigint | number, ssaFrameSize: number): this {
    if (this.state !== 'new') throw new Error('MRENCLAVE: ECREATE must be the first block, and only once');
    this.hash.update(ecreateBlock(size, ssaFrameSize));
    this.state = 'open';
    return this;
  }

  /**
   * EADD of the page at `offset` (bytes from the enclave base). The SECINFO flags are measured
   * as the CPU modifies them: a TCS's R/W/X bits are zeroed (SDM EADD).
   */
  eadd(offset: bigint | number, secinfoFlags: number): this {
    this.open();
    this.hash.update(eaddBlock(offset, measuredSecinfoFlags(secinfoFlags)));
    this.counts.eadd++;
    return this;
  }

  /** EEXTEND of the 256-byte chunk at `offset` (a multiple of 256). */
  eextend(offset: bigint | number, chunk: Buffer): this {
    this.open();
    if (chunk.length !== CHUNK_SIZE) throw new RangeError(`EEXTEND: a chunk is ${CHUNK_SIZE} bytes, got ${chunk.length}`);
    if (BigInt(offset) % BigInt(CHUNK_SIZE) !== 0n) throw new RangeError(`EEXTEND: offset ${offset} is not 256-aligned`);
    this.hash.update(eextendBlock(offset));
    this.hash.update(chunk);
    this.counts.eextend++;
    return this;
  }

  /**
   * EADD one page, then EEXTEND the chunks whose bits are set in `mask` (bit i = bytes
   * 256·i … 256·i+255), in ascending order as both drivers do. `page` may be omitted for a
   * zero page.
   */
  addPage(offset: number, secinfoFlags: number, mask: number, page?: Buffer): this {
    if (page !== undefined && page.length !== PAGE_SIZE) throw new RangeError(`a page is ${PAGE_SIZE} bytes, got ${page.length}`);
    this.eadd(offset, secinfoFlags);
    const data = page ?? ZERO_PAGE;
    for (let i = 0; i < CHUNKS_PER_PAGE; i++) {
      if (mask & (1 << i)) this.eextend(offset + i * CHUNK_SIZE, data.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE));
    }
    return this;
  }

  /** EINIT: the 32-byte MRENCLAVE. The builder cannot be used afterwards. */
  digest(): Buffer {
    this.open();
    this.state = 'done';
    return this.hash.digest();
  }

  private open(): void {
    if (this.state === 'new') throw new Error('MRENCLAVE: ECREATE must come first');
    if (this.state === 'done') throw new Error('MRENCLAVE: already finalized');
  }
}

const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

export interface StreamMeasurement {
  /** 32 bytes. */
  readonly mrenclave: Buffer;
  readonly size: number;
  readonly ssaFrameSize: number;
  readonly counts: SgxsCounts;
}

/**
 * MRENCLAVE of an SGXS/ESGXS file, read in fixed-size chunks and validated on the way: the hash
 * is fed with the measured records verbatim (everything but UNMEASRD records and their data,
 * doc/SGXS.md "Measuring"). An UNSIZED stream cannot be measured.
 */
export function measureSgxsFile(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): StreamMeasurement {
  const hash = crypto.createHash('sha256');
  const parser = scanSgxsFile(
    path,
    {
      ecreate(_size, _ssa, unsized, record, at) {
        if (unsized)
          throw new ArchInputError(
            `${path}: record ${record} (byte offset ${at}): an UNSIZED stream cannot be measured until its size is set (doc/SGXS.md "Measuring")`,
          );
      },
      measured: (bytes) => hash.update(bytes),
    },
    chunkBytes,
  );
  return { mrenclave: hash.digest(), size: parser.size, ssaFrameSize: parser.ssaFrameSize, counts: parser.counts };
}
