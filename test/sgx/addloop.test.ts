/** The C add loops (count, EINTR, EBUSY, ENOMEM) driven by a fake ioctl at the binding's boundary. */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { FakeIoctlCall, FakeIoctlReply, NativeBinding } from '../../backends/sgx/binding.js';
import { binding, skipReason } from './helpers.js';

const PAGE = 4096;
const EINTR = 4;
const EBUSY = 16;
const ENOMEM = 12;

function setup(b: NativeBinding, srcPages = 64) {
  return { src: b.allocPages(srcPages * PAGE), secinfo: Buffer.alloc(64) };
}

/** A fake that replies from a script, recording every call. */
function scripted(replies: ((c: FakeIoctlCall) => FakeIoctlReply)[]) {
  const calls: FakeIoctlCall[] = [];
  const fn = (c: FakeIoctlCall): FakeIoctlReply => {
    calls.push(c);
    const r = replies[Math.min(calls.length - 1, replies.length - 1)]!;
    return r(c);
  };
  return { calls, fn };
}
const all = (c: FakeIoctlCall): FakeIoctlReply => ({ ret: 0, count: c.length ?? 0 });

test('ADD_PAGES: a short count (signal after some pages) continues from count', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: 0, count: 3 * PAGE }), all]);
  const r = binding.addPages(7, src, 16 * PAGE, 10 * PAGE, secinfo, 1, 0, null, f.fn);
  assert.deepEqual(r, { bytesDone: 10 * PAGE, pagesDone: 10, calls: 2, eintrRetries: 0 });
  assert.equal(f.calls[0]!.request, binding.constants['SGX_IOC_ENCLAVE_ADD_PAGES']);
  assert.equal(f.calls[1]!.offset, 19 * PAGE);
  assert.equal(f.calls[1]!.length, 7 * PAGE);
  assert.equal(f.calls[1]!.src - f.calls[0]!.src, BigInt(3 * PAGE));
  assert.equal(f.calls[0]!.flags, 1);
});

test('ADD_PAGES: EINTR before the first page is retried and counted', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: -1, errno: EINTR, count: 0 }), () => ({ ret: -1, errno: EINTR, count: 0 }), all]);
  const r = binding.addPages(3, src, 0, 4 * PAGE, secinfo, 0, 0, null, f.fn);
  assert.equal(r.pagesDone, 4);
  assert.equal(r.eintrRetries, 2);
  assert.equal(r.calls, 3);
});

test('ADD_PAGES: batch splits the range; per-call latencies are recorded', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([all]);
  const lat = new Float64Array(16);
  const r = binding.addPages(3, src, 0, 10 * PAGE, secinfo, 0, 4 * PAGE, lat, f.fn);
  assert.equal(r.calls, 3);
  assert.deepEqual(
    f.calls.map((c) => c.length),
    [4 * PAGE, 4 * PAGE, 2 * PAGE],
  );
  assert.ok(lat[0]! > 0 && lat[2]! > 0 && lat[3] === 0);
});

test('ADD_PAGES: the source buffer is reused cyclically for ranges larger than it', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding, 4);
  const f = scripted([all]);
  const r = binding.addPages(3, src, 0, 10 * PAGE, secinfo, 0, 0, null, f.fn);
  assert.equal(r.pagesDone, 10);
  assert.deepEqual(
    f.calls.map((c) => c.length),
    [4 * PAGE, 4 * PAGE, 2 * PAGE],
  );
  assert.ok(f.calls.every((c) => c.src === binding!.addressOf(src)));
});

test('ADD_PAGES: EBUSY ends the loop with a message naming the ioctl, the errno and the progress', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: 0, count: 2 * PAGE }), () => ({ ret: -1, errno: EBUSY, count: 1 * PAGE })]);
  assert.throws(
    () => binding!.addPages(3, src, 0, 8 * PAGE, secinfo, 0, 0, null, f.fn),
    (e: Error & { code?: string; pagesDone?: number; syscall?: string }) => {
      assert.equal(e.message, 'SGX_IOC_ENCLAVE_ADD_PAGES: EBUSY (another ioctl on this enclave is in progress) after 3 pages');
      assert.equal(e.code, 'EBUSY');
      assert.equal(e.syscall, 'SGX_IOC_ENCLAVE_ADD_PAGES');
      assert.equal(e.pagesDone, 3);
      return true;
    },
  );
  assert.equal(f.calls.length, 2, 'EBUSY is not retried');
});

test('ADD_PAGES: ENOMEM (EPC exhausted) names the cause', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: -1, errno: ENOMEM, count: 0 })]);
  assert.throws(
    () => binding!.addPages(3, src, 0, 8 * PAGE, secinfo, 0, 0, null, f.fn),
    /^Error: SGX_IOC_ENCLAVE_ADD_PAGES: ENOMEM \(EPC exhausted: nothing left to reclaim\) after 0 pages$/,
  );
});

test('ADD_PAGES: a count the driver could not have written is refused, not looped on', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: 0, count: 100 })]);
  assert.throws(
    () => binding!.addPages(3, src, 0, 8 * PAGE, secinfo, 0, 0, null, f.fn),
    (e: Error & { code?: string }) => e.code === 'EPROTO' && /count 100/.test(e.message),
  );
  const g = scripted([() => ({ ret: 0, count: 0 })]);
  assert.throws(
    () => binding!.addPages(3, src, 0, 8 * PAGE, secinfo, 0, 0, null, g.fn),
    (e: Error & { code?: string }) => e.code === 'EPROTO',
  );
  assert.equal(g.calls.length, 1000, 'gives up after EB_MAX_NO_PROGRESS calls without progress');
});

test('ADD_PAGES: an exception in the fake propagates unchanged', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  assert.throws(
    () =>
      binding!.addPages(3, src, 0, 8 * PAGE, secinfo, 0, 0, null, () => {
        throw new RangeError('boom');
      }),
    RangeError,
  );
});

test('ADD_PAGES: unaligned arguments are refused before any call', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([all]);
  assert.throws(
    () => binding!.addPages(3, src, 100, PAGE, secinfo, 0, 0, null, f.fn),
    (e: Error & { code?: string }) => e.code === 'EINVAL',
  );
  assert.throws(() => binding!.addPages(3, Buffer.alloc(PAGE + 1).subarray(1), 0, PAGE, secinfo, 0, 0, null, f.fn), TypeError);
  assert.equal(f.calls.length, 0);
});

test('isgx ADD_PAGE: one call per page at base + page × 4096, EINTR retried, mrmask passed', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const base = 0x7f00_0000_0000n;
  let n = 0;
  const f = scripted([() => (n++ === 1 ? { ret: -1, errno: EINTR } : { ret: 0 })]);
  const r = binding.isgxAddPages(5, base, 2, 3, src, PAGE, secinfo, 0xffff, null, f.fn);
  assert.deepEqual(r, { bytesDone: 3 * PAGE, pagesDone: 3, calls: 4, eintrRetries: 1 });
  assert.deepEqual(
    f.calls.map((c) => c.addr),
    [base + 8192n, base + 12288n, base + 12288n, base + 16384n],
  );
  assert.ok(f.calls.every((c) => c.mrmask === 0xffff && c.request === binding!.constants['ISGX_IOC_ENCLAVE_ADD_PAGE']));
});

test('isgx ADD_PAGE: a positive SGX code becomes an error naming it', (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const f = scripted([() => ({ ret: 0 }), () => ({ ret: 0x40000000 })]);
  assert.throws(
    () => binding!.isgxAddPages(5, 0n, 0, 4, src, PAGE, secinfo, 0, null, f.fn),
    (e: Error & { sgxCode?: number; pagesDone?: number }) =>
      e.sgxCode === 0x40000000 && e.pagesDone === 1 && /SGX_POWER_LOST_ENCLAVE/.test(e.message) && /SGX_IOC_ENCLAVE_ADD_PAGE/.test(e.message),
  );
});

test("starts: each call's start is recorded on the clock of process.hrtime, in order, next to its latency", (t) => {
  if (!binding) return t.skip(skipReason);
  const { src, secinfo } = setup(binding);
  const hr = (): number => Number(process.hrtime.bigint());
  // A fake that takes measurable time per call, so starts and latencies can be told apart.
  const slow = (c: FakeIoctlCall): FakeIoctlReply => {
    const until = hr() + 200_000;
    while (hr() < until);
    return { ret: 0, count: c.length ?? 0 };
  };
  for (const isgx of [false, true]) {
    const lat = new Float64Array(8);
    const starts = new Float64Array(8);
    const before = hr();
    if (isgx) binding.isgxAddPages(3, 0x10000n, 0, 4, src, PAGE, secinfo, 0xffff, lat, slow, starts);
    else binding.addPages(3, src, 0, 4 * PAGE, secinfo, 0, PAGE, lat, slow, starts);
    const after = hr();
    const s = [...starts.subarray(0, 4)];
    assert.ok(s[0]! >= before && s[3]! + lat[3]! <= after, `${isgx ? 'isgx' : 'mainline'}: starts ${s} outside [${before}, ${after}]`);
    for (let i = 1; i < 4; i++) assert.ok(s[i]! >= s[i - 1]! + lat[i - 1]!, `call ${i} starts before call ${i - 1} returned`);
    assert.ok(lat[0]! >= 200_000);
    assert.deepEqual([...starts.subarray(4)], [0, 0, 0, 0]);
  }
});
