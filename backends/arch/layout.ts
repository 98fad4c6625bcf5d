/**
 * Typed views over fixed-size little-endian structures. Each architectural structure declares
 * its fields once (offset, width) in a table; encoding and decoding go through that table, so
 * no offset arithmetic is spread over the code. u64 fields are bigints (attributes and masks
 * use all 64 bits); narrower integers are numbers; byte arrays are Buffers.
 */

export type FieldKind = 'u8' | 'u16' | 'u32' | 'u64' | 'bytes';

export interface FieldSpec {
  readonly offset: number;
  readonly kind: FieldKind;
  /** Length in bytes (only for 'bytes'; integers have their natural width). */
  readonly size?: number;
}

export type FieldTable = Readonly<Record<string, FieldSpec>>;

type ValueOfKind<K extends FieldKind> = K extends 'u64' ? bigint : K extends 'bytes' ? Buffer : number;

/** The decoded form of a table: one property per field. */
export type Decoded<T extends FieldTable> = { [K in keyof T]: ValueOfKind<T[K]['kind']> };

/** What an encoder accepts: any subset of the fields; u64 may also be given as a safe integer. */
export type EncodeInput<T extends FieldTable> = {
  [K in keyof T]?: (T[K]['kind'] extends 'u64' ? bigint | number : ValueOfKind<T[K]['kind']>) | undefined;
};

export interface Layout<T extends FieldTable> {
  readonly name: string;
  /** Total size of the structure in bytes. */
  readonly size: number;
  readonly fields: T;
}

const WIDTH: Record<Exclude<FieldKind, 'bytes'>, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

export function fieldWidth(f: FieldSpec): number {
  return f.kind === 'bytes' ? (f.size ?? 0) : WIDTH[f.kind];
}

/**
 * Declares a layout and checks it once: every field lies inside the structure, no two fields
 * overlap, and byte arrays have a size. A wrong table is a programming error, so it throws.
 */
export function defineLayout<T extends FieldTable>(name: string, size: number, fields: T): Layout<T> {
  const spans = Object.entries(fields)
    .map(([field, f]) => ({ field, start: f.offset, end: f.offset + fieldWidth(f) }))
    .sort((a, b) => a.start - b.start);
  let end = 0;
  for (const s of spans) {
    if (s.end <= s.start) throw new Error(`${name}.${s.field}: empty field`);
    if (s.start < end) throw new Error(`${name}.${s.field}: overlaps the previous field`);
    if (s.end > size) throw new Error(`${name}.${s.field}: ends at ${s.end}, past the size ${size}`);
    end = s.end;
  }
  return { name, size, fields };
}

function toBigU64(layout: string, field: string, v: bigint | number): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`${layout}.${field}: ${v} is not a safe integer`);
  if (b < 0n || b > 0xffff_ffff_ffff_ffffn) throw new RangeError(`${layout}.${field}: ${b} does not fit in u64`);
  return b;
}

function checkUint(layout: string, field: string, v: number, bits: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new RangeError(`${layout}.${field}: ${v} does not fit in u${bits}`);
  return v;
}

/** Encodes into a new zero-filled buffer of the layout's size; omitted fields stay zero. */
export function encode<T extends FieldTable>(layout: Layout<T>, values: EncodeInput<T>): Buffer {
  const buf = Buffer.alloc(layout.size);
  writeFields(layout, buf, 0, values);
  return buf;
}

/** Writes the given fields into `buf` at `at` (the other bytes are left as they are). */
export function writeFields<T extends FieldTable>(layout: Layout<T>, buf: Buffer, at: number, values: EncodeInput<T>): void {
  for (const [field, raw] of Object.entries(values) as [string, unknown][]) {
    if (raw === undefined) continue;
    const f = layout.fields[field];
    if (!f) throw new Error(`${layout.name}: no field '${field}'`);
    const o = at + f.offset;
    switch (f.kind) {
      case 'u8':
        buf.writeUInt8(checkUint(layout.name, field, raw as number, 8), o);
        break;
      case 'u16':
        buf.writeUInt16LE(checkUint(layout.name, field, raw as number, 16), o);
        break;
      case 'u32':
        buf.writeUInt32LE(checkUint(layout.name, field, raw as number, 32), o);
        break;
      case 'u64':
        buf.writeBigUInt64LE(toBigU64(layout.name, field, raw as bigint | number), o);
        break;
      case 'bytes': {
        const src = raw as Buffer;
        const n = fieldWidth(f);
        if (src.length !== n) throw new RangeError(`${layout.name}.${field}: needs ${n} bytes, got ${src.length}`);
        src.copy(buf, o);
        break;
      }
    }
  }
}

/** Decodes a structure; `buf` must hold at least the layout's size from `at`. */
export function decode<T extends FieldTable>(layout: Layout<T>, buf: Buffer, at = 0): Decoded<T> {
  if (buf.length - at < layout.size) {
    throw new RangeError(`${layout.name}: needs ${layout.size} bytes, got ${buf.length - at}`);
  }
  const out: Record<string, number | bigint | Buffer> = {};
  for (const [field, f] of Object.entries(layout.fields)) {
    const o = at + f.offset;
    switch (f.kind) {
      case 'u8':
        out[field] = buf.readUInt8(o);
        break;
      case 'u16':
        out[field] = buf.readUInt16LE(o);
        break;
      case 'u32':
        out[field] = buf.readUInt32LE(o);
        break;
      case 'u64':
        out[field] = buf.readBigUInt64LE(o);
        break;
      case 'bytes':
        out[field] = Buffer.from(buf.subarray(o, o + fieldWidth(f)));
        break;
    }
  }
  return out as Decoded<T>;
}

/** The bytes of one field (a view, not a copy). */
export function fieldBytes<T extends FieldTable>(layout: Layout<T>, buf: Buffer, field: keyof T & string): Buffer {
  const f = layout.fields[field];
  if (!f) throw new Error(`${layout.name}: no field '${field}'`);
  return buf.subarray(f.offset, f.offset + fieldWidth(f));
}

/** The first of the named fields (reserved areas) that has a non-zero byte, or undefined. */
export function firstNonZeroField<T extends FieldTable>(layout: Layout<T>, buf: Buffer, fields: readonly (keyof T & string)[]): string | undefined {
  for (const field of fields) {
    const bytes = fieldBytes(layout, buf, field);
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return field;
  }
  return undefined;
}
