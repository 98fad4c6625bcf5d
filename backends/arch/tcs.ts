/**
 * TCS (4096 bytes). Offsets from Intel SDM Vol. 3D "Thread Control Structure" as modelled by
 * fortanix/rust-sgx `sgx-isa` `struct Tcs`: state@0 (reserved to software), flags@8, ossa@16,
 * cssa@24 (u32), nssa@28 (u32), oentry@32, aep@40 (written by EENTER), ofsbase@48, ogsbase@56,
 * fslimit@64 (u32), gslimit@68 (u32), reserved up to 4096.
 */
import { defineLayout, encode, decode, firstNonZeroField, type Decoded } from './layout.js';

export const TCS_SIZE = 4096;

export const TCS_LAYOUT = defineLayout('TCS', TCS_SIZE, {
  state: { offset: 0, kind: 'u64' },
  flags: { offset: 8, kind: 'u64' },
  ossa: { offset: 16, kind: 'u64' },
  cssa: { offset: 24, kind: 'u32' },
  nssa: { offset: 28, kind: 'u32' },
  oentry: { offset: 32, kind: 'u64' },
  aep: { offset: 40, kind: 'u64' },
  ofsbase: { offset: 48, kind: 'u64' },
  ogsbase: { offset: 56, kind: 'u64' },
  fslimit: { offset: 64, kind: 'u32' },
  gslimit: { offset: 68, kind: 'u32' },
  reserved: { offset: 72, kind: 'bytes', size: TCS_SIZE - 72 },
} as const);

/** TCS.FLAGS.DBGOPTIN (bit 0). */
export const TCS_DBGOPTIN = 0x1n;

export type Tcs = Decoded<typeof TCS_LAYOUT.fields>;

export interface TcsInput {
  /** Offset of the SSA frames from the enclave base (page aligned). */
  readonly ossa: bigint | number;
  readonly nssa?: number;
  readonly oentry?: bigint | number;
  readonly ofsbase?: bigint | number;
  readonly ogsbase?: bigint | number;
  /** Default 0xFFF: the low 12 bits must be all ones. */
  readonly fslimit?: number;
  readonly gslimit?: number;
}

export function encodeTcs(t: TcsInput): Buffer {
  return encode(TCS_LAYOUT, {
    ossa: t.ossa,
    nssa: t.nssa ?? 1,
    oentry: t.oentry ?? 0,
    ofsbase: t.ofsbase ?? 0,
    ogsbase: t.ogsbase ?? 0,
    fslimit: t.fslimit ?? 0xfff,
    gslimit: t.gslimit ?? 0xfff,
  });
}

export function decodeTcs(buf: Buffer): Tcs {
  if (buf.length !== TCS_SIZE) throw new RangeError(`TCS: needs ${TCS_SIZE} bytes, got ${buf.length}`);
  return decode(TCS_LAYOUT, buf);
}

/**
 * The rule a TCS page breaks for an enclave of `enclaveSize` bytes, or undefined. These are the
 * checks the out-of-tree isgx driver makes in software (`sgx_validate_tcs`); mainline leaves
 * them to EADD, which faults (-EIO).
 */
export function tcsProblem(buf: Buffer, enclaveSize: bigint): string | undefined {
  const t = decodeTcs(buf);
  if ((t.flags & ~TCS_DBGOPTIN) !== 0n) return `TCS.flags 0x${t.flags.toString(16)} has reserved bits set`;
  if ((t.flags & TCS_DBGOPTIN) !== 0n) return 'TCS.flags.DBGOPTIN must be 0 when the page is added';
  for (const [name, v] of [
    ['ossa', t.ossa],
    ['ofsbase', t.ofsbase],
    ['ogsbase', t.ogsbase],
  ] as const) {
    if (v % 4096n !== 0n) return `TCS.${name} 0x${v.toString(16)} must be page aligned`;
    if (v >= enclaveSize) return `TCS.${name} 0x${v.toString(16)} must be below the enclave size 0x${enclaveSize.toString(16)}`;
  }
  if ((t.fslimit & 0xfff) !== 0xfff) return `TCS.fslimit 0x${t.fslimit.toString(16)} must end in 0xFFF`;
  if ((t.gslimit & 0xfff) !== 0xfff) return `TCS.gslimit 0x${t.gslimit.toString(16)} must end in 0xFFF`;
  if (firstNonZeroField(TCS_LAYOUT, buf, ['reserved']) !== undefined) return 'TCS reserved bytes 72..4095 must be zero';
  return undefined;
}
