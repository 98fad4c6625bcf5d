/** SECS and SECINFO bytes the backend hands to CREATE and ADD_PAGES. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { encodeSecs, encodeSecinfo, SECS_OFFSETS, StructError } from '../../backends/sgx/structs.js';

test('SECS: size, base, ssa_frame_size 1, MODE64BIT, xfrm 3, the rest zero', () => {
  const base = 0x7f00_0000_0000n;
  const b = encodeSecs({ size: 1 << 21, base });
  assert.equal(b.length, 4096);
  assert.equal(b.readBigUInt64LE(SECS_OFFSETS.size), 1n << 21n);
  assert.equal(b.readBigUInt64LE(SECS_OFFSETS.base), base);
  assert.equal(b.readUInt32LE(SECS_OFFSETS.ssaFrameSize), 1);
  assert.equal(b.readUInt32LE(SECS_OFFSETS.miscselect), 0);
  assert.equal(b.readBigUInt64LE(SECS_OFFSETS.attributes), 4n);
  assert.equal(b.readBigUInt64LE(SECS_OFFSETS.xfrm), 3n);
  const expected = Buffer.alloc(4096);
  expected.writeBigUInt64LE(1n << 21n, 0);
  expected.writeBigUInt64LE(base, 8);
  expected.writeUInt32LE(1, 16);
  expected.writeBigUInt64LE(4n, 48);
  expected.writeBigUInt64LE(3n, 56);
  assert.deepEqual(b, expected);
});

test('SECS refuses sizes and bases ECREATE would fault on', () => {
  assert.throws(() => encodeSecs({ size: 4096, base: 0n }), StructError);
  assert.throws(() => encodeSecs({ size: 12288, base: 0n }), StructError);
  assert.throws(() => encodeSecs({ size: 8192, base: 4096n }), StructError);
});

test('SECINFO: flags = type << 8 | perm, 56 zero bytes', () => {
  const reg = encodeSecinfo('reg', 7);
  assert.equal(reg.length, 64);
  assert.equal(reg.readBigUInt64LE(0), 0x207n);
  assert.ok(reg.subarray(8).every((x) => x === 0));
  assert.equal(encodeSecinfo('reg', 1).readBigUInt64LE(0), 0x201n);
  assert.equal(encodeSecinfo('tcs', 0).readBigUInt64LE(0), 0x100n);
});

test('SECINFO refuses what mainline rejects: TCS with perms, W without R', () => {
  assert.throws(() => encodeSecinfo('tcs', 3), /TCS/);
  assert.throws(() => encodeSecinfo('reg', 2), /W without R/);
  assert.throws(() => encodeSecinfo('reg', 8), StructError);
});
