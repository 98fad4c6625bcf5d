/**
 * Layouts of the architectural structures and the drivers' ioctl arguments. Expected offsets and
 * request numbers come from the Linux uapi header `arch/x86/include/uapi/asm/sgx.h`, the isgx
 * driver's `sgx_user.h` and the Intel SDM Vol. 3D, as tabulated in the project's driver reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineLayout, decode, encode } from '../../backends/arch/layout.js';
import { SECS_LAYOUT, decodeSecs, encodeSecs, ATTR_MODE64BIT } from '../../backends/arch/secs.js';
import { SECINFO_LAYOUT, decodeSecinfo, encodeSecinfo, measuredSecinfoFlags, secinfoFlags, secinfoFlagsProblem } from '../../backends/arch/secinfo.js';
import { TCS_LAYOUT, encodeTcs, tcsProblem } from '../../backends/arch/tcs.js';
import { SIGSTRUCT_LAYOUT, bcdDate, dateText } from '../../backends/arch/sigstruct.js';
import { IOCTL, ISGX_ADD_PAGE, MAINLINE_ADD_PAGES } from '../../backends/arch/ioctl-args.js';

function offsets(fields: Record<string, { offset: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.offset]));
}

test('SECS is 4096 bytes with the uapi offsets', () => {
  assert.equal(SECS_LAYOUT.size, 4096);
  const o = offsets(SECS_LAYOUT.fields);
  assert.deepEqual(
    [o.size, o.base, o.ssaFrameSize, o.miscselect, o.attributes, o.xfrm, o.mrenclave, o.mrsigner, o.configId, o.isvProdId, o.isvSvn, o.configSvn, o.reserved4],
    [0, 8, 16, 20, 48, 56, 64, 128, 192, 256, 258, 260, 262],
  );
});

test('encodeSecs writes the selftest minimum (ssa 1, MODE64BIT, xfrm 3) and round-trips', () => {
  const buf = encodeSecs({ base: 0x7f00_0000_0000n, size: 0x10_0000 });
  assert.equal(buf.length, 4096);
  assert.equal(buf.readBigUInt64LE(0), 0x10_0000n);
  assert.equal(buf.readBigUInt64LE(8), 0x7f00_0000_0000n);
  assert.equal(buf.readUInt32LE(16), 1);
  assert.equal(buf.readBigUInt64LE(48), 4n);
  assert.equal(buf.readBigUInt64LE(56), 3n);
  const s = decodeSecs(buf);
  assert.equal(s.attributes, ATTR_MODE64BIT);
  assert.equal(s.size, 0x10_0000n);
});

test('encodeSecs rejects what ECREATE would', () => {
  assert.throws(() => encodeSecs({ base: 0, size: 4096 }), /power of two ≥ 8192/);
  assert.throws(() => encodeSecs({ base: 0, size: 3 * 8192 }), /power of two/);
  assert.throws(() => encodeSecs({ base: 0x1000, size: 0x2000 }), /aligned/);
  assert.throws(() => encodeSecs({ base: 0, size: 0x2000, xfrm: 1n }), /xfrm/);
  assert.throws(() => encodeSecs({ base: 0, size: 0x2000, attributes: 5n }), /INIT/);
  assert.throws(() => encodeSecs({ base: 0, size: 0x2000, ssaFrameSize: 0 }), /ssaFrameSize/);
});

test('SECINFO: 64 bytes; flags = type << 8 | perm; TCS permissions are zeroed for measurement', () => {
  assert.equal(SECINFO_LAYOUT.size, 64);
  const reg = encodeSecinfo('reg', 5);
  assert.equal(reg.length, 64);
  assert.equal(reg.readBigUInt64LE(0), 0x205n);
  assert.ok(reg.subarray(8).every((b) => b === 0));
  assert.equal(encodeSecinfo('tcs', 0).readBigUInt64LE(0), 0x100n);
  assert.deepEqual(decodeSecinfo(reg), { flags: 0x205, pageType: 2, perm: 5 });
  assert.equal(measuredSecinfoFlags(0x107), 0x100);
  assert.equal(measuredSecinfoFlags(0x207), 0x207);
  assert.equal(secinfoFlags('reg', 3), 0x203);
  assert.throws(() => secinfoFlags('reg', 8), /0\.\.7/);
});

test('SECINFO validation names the rule', () => {
  assert.equal(secinfoFlagsProblem(0x203), undefined);
  assert.equal(secinfoFlagsProblem(0x100), undefined);
  assert.match(secinfoFlagsProblem(0x101) ?? '', /TCS page has permissions/);
  assert.match(secinfoFlagsProblem(0x202) ?? '', /W without R/);
  assert.match(secinfoFlagsProblem(0x208) ?? '', /reserved/);
  assert.match(secinfoFlagsProblem(0x300) ?? '', /PAGE_TYPE 3/);
  assert.match(secinfoFlagsProblem(0x1_0203) ?? '', /reserved/);
});

test('TCS layout (SDM / sgx-isa) and the isgx validation rules', () => {
  const o = offsets(TCS_LAYOUT.fields);
  assert.deepEqual([o.flags, o.ossa, o.cssa, o.nssa, o.oentry, o.ofsbase, o.ogsbase, o.fslimit, o.gslimit], [8, 16, 24, 28, 32, 48, 56, 64, 68]);
  const ok = encodeTcs({ ossa: 0x2000, nssa: 2, oentry: 0x1000 });
  assert.equal(ok.readBigUInt64LE(16), 0x2000n);
  assert.equal(ok.readUInt32LE(64), 0xfff);
  assert.equal(tcsProblem(ok, 0x10000n), undefined);
  assert.match(tcsProblem(encodeTcs({ ossa: 0x2001 }), 0x10000n) ?? '', /ossa .* page aligned/);
  assert.match(tcsProblem(encodeTcs({ ossa: 0x20000 }), 0x10000n) ?? '', /below the enclave size/);
  assert.match(tcsProblem(encodeTcs({ ossa: 0, fslimit: 0x1000 }), 0x10000n) ?? '', /fslimit/);
  const dbg = encodeTcs({ ossa: 0 });
  dbg.writeBigUInt64LE(1n, 8);
  assert.match(tcsProblem(dbg, 0x10000n) ?? '', /DBGOPTIN/);
});

test('SIGSTRUCT is 1808 bytes with the SDM offsets', () => {
  assert.equal(SIGSTRUCT_LAYOUT.size, 1808);
  const o = offsets(SIGSTRUCT_LAYOUT.fields);
  assert.deepEqual(
    [
      o.header1,
      o.vendor,
      o.date,
      o.header2,
      o.swdefined,
      o.modulus,
      o.exponent,
      o.signature,
      o.miscselect,
      o.miscmask,
      o.attributes,
      o.attributeMask,
      o.enclaveHash,
      o.isvProdId,
      o.isvSvn,
      o.q1,
      o.q2,
    ],
    [0, 16, 20, 24, 40, 128, 512, 516, 900, 904, 928, 944, 960, 1024, 1026, 1040, 1424],
  );
});

test('BCD dates', () => {
  assert.equal(bcdDate('20261125'), 0x20261125);
  assert.equal(bcdDate('20260231'), undefined);
  assert.equal(bcdDate('2026-11-25'), undefined);
  assert.equal(dateText(0x20160109), '2016-01-09');
});

test('ioctl request numbers equal the uapi values (reference §3)', () => {
  assert.equal(IOCTL.mainline.create, 0x4008a400);
  assert.equal(IOCTL.mainline.addPages, 0xc030a401);
  assert.equal(IOCTL.mainline.init, 0x4008a402);
  assert.equal(IOCTL.mainline.provision, 0x4008a403);
  assert.equal(IOCTL.isgx.create, 0x4008a400);
  assert.equal(IOCTL.isgx.addPage, 0x401aa401);
  assert.equal(IOCTL.isgx.init, 0x4018a402);
  assert.equal(IOCTL.dcap1.init, 0x4010a402);
});

test('ioctl argument structs: mainline add_pages (48 bytes) and packed isgx add_page (26 bytes)', () => {
  assert.equal(MAINLINE_ADD_PAGES.size, 48);
  const a = encode(MAINLINE_ADD_PAGES, { src: 0x1000, offset: 0x2000, length: 0x3000, secinfo: 0x4000, flags: 1n });
  assert.deepEqual(
    [0, 8, 16, 24, 32, 40].map((o) => a.readBigUInt64LE(o)),
    [0x1000n, 0x2000n, 0x3000n, 0x4000n, 1n, 0n],
  );
  assert.equal(decode(MAINLINE_ADD_PAGES, a).length, 0x3000n);
  assert.equal(ISGX_ADD_PAGE.size, 26);
  const b = encode(ISGX_ADD_PAGE, { addr: 0x7000, src: 1, secinfo: 2, mrmask: 0xffff });
  assert.equal(b.length, 26);
  assert.equal(b.readUInt16LE(24), 0xffff);
  assert.equal(decode(ISGX_ADD_PAGE, b).mrmask, 0xffff);
  assert.throws(() => encode(ISGX_ADD_PAGE, { mrmask: 0x10000 }), /u16/);
});

test('defineLayout rejects overlapping or oversized fields', () => {
  assert.throws(() => defineLayout('X', 8, { a: { offset: 0, kind: 'u64' }, b: { offset: 4, kind: 'u32' } }), /overlaps/);
  assert.throws(() => defineLayout('X', 4, { a: { offset: 0, kind: 'u64' } }), /past the size/);
  const L = defineLayout('Y', 16, { a: { offset: 0, kind: 'u16' }, b: { offset: 8, kind: 'u64' } } as const);
  assert.deepEqual(decode(L, encode(L, { a: 7, b: 2n ** 63n })), { a: 7, b: 2n ** 63n });
});
