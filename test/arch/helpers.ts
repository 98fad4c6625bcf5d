/** Shared test helpers: the example stream's path, a seeded PRNG, random enclave layouts, a naive MRENCLAVE. */
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SgxsImage, SgxsPage } from '../../backends/arch/sgxs-image.js';
import { mulberry32 } from '../../common/prng.js';

/** The project's own example stream (backends/arch/example-stream.ts); tests run from dist/test/arch. */
export const EXAMPLE_FILE = fileURLToPath(new URL('../../../workloads/streams/example.sgxs', import.meta.url));

/** A small seeded PRNG so property tests are reproducible (the one the reports' bootstrap uses). */
export const rng = mulberry32;

const REG_PERMS = [0, 1, 3, 5, 7] as const;

/** A random, valid enclave layout with data (small: at most 64 pages). */
export function randomImage(seed: number): SgxsImage {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const sizePages = 2 ** (1 + Math.floor(r() * 6));
  const pages: SgxsPage[] = [];
  for (let i = 0; i < sizePages; i++) {
    if (r() < 0.3) continue;
    const tcs = r() < 0.15;
    const flags = tcs ? 0x100 : 0x200 | pick(REG_PERMS);
    const m = r();
    const measured = m < 0.5 ? 0xffff : m < 0.7 ? 0 : Math.floor(r() * 0x10000);
    const unmeasured = Math.floor(r() * 0x10000) & ~measured;
    const data = crypto.randomBytes(4096);
    // Chunks not carried by any record are zero in the enclave; keep data consistent with that.
    for (let c = 0; c < 16; c++) if (!((measured | unmeasured) & (1 << c))) data.fill(0, c * 256, (c + 1) * 256);
    // Runs of identical pages exercise replay's coalescing.
    const repeat = r() < 0.3 ? 1 + Math.floor(r() * 3) : 1;
    for (let k = 0; k < repeat && i < sizePages; k++, i++) {
      pages.push({ offset: i * 4096, flags, measured, unmeasured, ordered: true, record: 0, data });
    }
    i--;
  }
  return { size: sizePages * 4096, ssaFrameSize: 1 + Math.floor(r() * 3), unsized: false, pages };
}

/**
 * MRENCLAVE computed independently of backends/arch: every block written byte by byte from the
 * SDM's definitions (ECREATE/EADD/EEXTEND "Operation" sections), then one SHA-256 over the whole
 * message. Self-derived: it shares no code with the implementation under test.
 */
export function naiveMrenclave(image: SgxsImage): string {
  const parts: Buffer[] = [];
  const block = (tag: string): Buffer => {
    const b = Buffer.alloc(64);
    b.write(tag, 0, 'latin1');
    return b;
  };
  const ec = block('ECREATE');
  ec.writeUInt32LE(image.ssaFrameSize, 8);
  ec.writeBigUInt64LE(BigInt(image.size), 12);
  parts.push(ec);
  for (const p of image.pages) {
    const ea = block('EADD');
    ea.writeBigUInt64LE(BigInt(p.offset), 8);
    const pt = (p.flags >> 8) & 0xff;
    ea.writeBigUInt64LE(BigInt(pt === 1 ? p.flags & ~7 : p.flags), 16);
    parts.push(ea);
    for (let c = 0; c < 16; c++) {
      if (!(p.measured & (1 << c))) continue;
      const ee = block('EEXTEND');
      ee.writeBigUInt64LE(BigInt(p.offset + c * 256), 8);
      parts.push(ee, p.data ? p.data.subarray(c * 256, c * 256 + 256) : Buffer.alloc(256));
    }
  }
  return crypto.createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}
