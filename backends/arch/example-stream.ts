/**
 * A small, realistic enclave image made entirely by this project, used as the `replay`
 * workload's default stream (workloads/streams/example.sgxs) and as a fixed input for tests.
 *
 * Layout (128 KiB enclave, SSAFRAMESIZE 1), the shape an SGX toolchain lays out for a
 * one-thread enclave: a TCS, its SSA frame, code, initialized data, a loaded-but-unmeasured
 * page (ESGXS UNMEASRD, e.g. run-time arguments) and a heap EADDed without EEXTEND.
 *
 *   0x00000  TCS           measured   (OSSA 0x1000, NSSA 1, OENTRY 0x2000)
 *   0x01000  SSA    RW     measured   (zeros)
 *   0x02000  code   R-X    measured   4 pages
 *   0x06000  data   RW     measured   2 pages
 *   0x08000  args   RW     unmeasured one UNMEASRD chunk
 *   0x09000  heap   RW     unmeasured 8 pages (EADD only)
 *   0x11000… 0x20000 not added
 *
 * Every page is measured wholly or not at all, so both drivers can replay it (mainline has no
 * partial masks). Contents are deterministic (SHA-256 in counter mode over a label), so the
 * stream — and its MRENCLAVE — is the same on every machine.
 */
import crypto from 'node:crypto';
import { PAGE_SIZE } from './blocks.js';
import { encodeTcs } from './tcs.js';
import { encodeSgxs, writeSgxsFile, type SgxsImage, type SgxsPage } from './sgxs-image.js';

const TCS = 0x100;
const REG_RW = 0x203;
const REG_RX = 0x205;
const ALL = 0xffff;

/** `length` deterministic bytes derived from `label`. */
function fill(label: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0, off = 0; off < length; i++, off += 32) {
    crypto.createHash('sha256').update(`${label}/${i}`).digest().copy(out, off);
  }
  return out;
}

function page(offset: number, flags: number, measured: number, unmeasured: number, data?: Buffer): SgxsPage {
  return { offset, flags, measured, unmeasured, ordered: true, record: 0, data: data ?? Buffer.alloc(PAGE_SIZE) };
}

/** The example image, page by page (see the layout above). */
export function exampleImage(): SgxsImage {
  const pages: SgxsPage[] = [];
  pages.push(page(0x0000, TCS, ALL, 0, encodeTcs({ ossa: 0x1000, nssa: 1, oentry: 0x2000 })));
  pages.push(page(0x1000, REG_RW, ALL, 0));
  for (let i = 0; i < 4; i++) pages.push(page(0x2000 + i * PAGE_SIZE, REG_RX, ALL, 0, fill(`code ${i}`, PAGE_SIZE)));
  // Initialized data: a filled first page, a second page that is mostly zero (a .bss tail).
  pages.push(page(0x6000, REG_RW, ALL, 0, fill('data 0', PAGE_SIZE)));
  const tail = Buffer.alloc(PAGE_SIZE);
  fill('data 1', 512).copy(tail);
  pages.push(page(0x7000, REG_RW, ALL, 0, tail));
  // Loaded but not measured: the first 256-byte chunk only; the other chunks are zero.
  const args = Buffer.alloc(PAGE_SIZE);
  fill('args', 256).copy(args);
  pages.push(page(0x8000, REG_RW, 0, 0x0001, args));
  for (let i = 0; i < 8; i++) pages.push(page(0x9000 + i * PAGE_SIZE, REG_RW, 0, 0));
  return { size: 0x20000, ssaFrameSize: 1, unsized: false, pages };
}

/** The example image as an SGXS stream (validated by the exporter). */
export function exampleStream(): Buffer {
  return encodeSgxs(exampleImage());
}

/** Writes the example stream to `file` (temporary file, then rename). */
export function writeExampleStream(file: string): void {
  writeSgxsFile(file, exampleImage());
}
