/**
 * The `replay` workload: an SGXS stream as a build script for one process. The project's example
 * stream always runs; rust-sgx's public test enclave (vectors.ts) runs when present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ecreateBlock, eaddBlock, eextendBlock } from '../../backends/arch/blocks.js';
import { writeSgxsFile, readSgxsFile } from '../../backends/arch/sgxs-image.js';
import { MrEnclave } from '../../backends/arch/measure.js';
import { replay } from '../../workloads/replay.js';
import type { Op } from '../../workloads/types.js';
import { EXAMPLE_FILE, randomImage } from './helpers.js';
import { PUBLISHED, needVectors, vector } from './vectors.js';

type Add = Extract<Op, { op: 'add' }>;

/** Expands add ops back to one entry per page. */
function expand(ops: readonly Op[]): [number, string, number, number][] {
  return ops
    .filter((o): o is Add => o.op === 'add')
    .flatMap((o) => Array.from({ length: o.pages }, (_, i) => [o.offset + i, o.type, o.perm, o.measure] as [number, string, number, number]));
}

test('replay of the example stream: create 0x20000, TCS, SSA, code run, data run, unmeasured run, init', () => {
  const s = replay.generate({ file: EXAMPLE_FILE }, 1);
  assert.equal(s.processes.length, 1);
  assert.equal(s.processes[0]?.role, 'builder');
  assert.deepEqual(s.processes[0]?.ops, [
    { op: 'create', enclave: 0, size: 0x20000 },
    { op: 'add', enclave: 0, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: 0xffff },
    { op: 'add', enclave: 0, offset: 1, pages: 1, type: 'reg', perm: 3, measure: 0xffff },
    { op: 'add', enclave: 0, offset: 2, pages: 4, type: 'reg', perm: 5, measure: 0xffff },
    { op: 'add', enclave: 0, offset: 6, pages: 2, type: 'reg', perm: 3, measure: 0xffff },
    // The UNMEASRD page and the heap: both RW with no measured chunk, so one op of 9 pages.
    { op: 'add', enclave: 0, offset: 8, pages: 9, type: 'reg', perm: 3, measure: 0 },
    { op: 'init', enclave: 0 },
  ]);
});

test('KAT: replay of the public test enclave: create, the 9 pages in order (8 add ops), init', needVectors('test_enclave.sgxs'), () => {
  const s = replay.generate({ file: vector('test_enclave.sgxs') }, 1);
  assert.equal(s.processes.length, 1);
  const p = s.processes[0];
  assert.equal(p?.role, 'builder');
  const ops = p?.ops ?? [];
  assert.deepEqual(ops[0], { op: 'create', enclave: 0, size: PUBLISHED.testEnclave.size });
  assert.deepEqual(ops[ops.length - 1], { op: 'init', enclave: 0 });
  assert.equal(ops.length, 10);
  assert.deepEqual(expand(ops), PUBLISHED.testEnclave.pages);
  assert.deepEqual(ops[7], { op: 'add', enclave: 0, offset: 39, pages: 2, type: 'reg', perm: 3, measure: 0xffff });
});

test('property: replay pushes exactly the stream pages, coalesced maximally, and is pure (150 random layouts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-replay-'));
  try {
    for (let seed = 1; seed <= 150; seed++) {
      const img = randomImage(seed);
      const file = path.join(dir, `r${seed}.sgxs`);
      writeSgxsFile(file, img);
      const s = replay.generate({ file }, seed);
      const ops = s.processes[0]?.ops ?? [];
      assert.deepEqual(ops[0], { op: 'create', enclave: 0, size: img.size });
      assert.deepEqual(
        expand(ops),
        img.pages.map((p) => [p.offset / 4096, p.flags >> 8 === 1 ? 'tcs' : 'reg', p.flags & 7, p.measured]),
        `seed ${seed}`,
      );
      const adds = ops.filter((o): o is Add => o.op === 'add');
      for (let i = 1; i < adds.length; i++) {
        const a = adds[i - 1] as Add;
        const b = adds[i] as Add;
        const mergeable = a.offset + a.pages === b.offset && a.type === b.type && a.perm === b.perm && a.measure === b.measure;
        assert.equal(mergeable, false, `seed ${seed}: ops ${i - 1} and ${i} should have been coalesced`);
      }
      assert.deepEqual(replay.generate({ file }, seed + 1), s);
      // The ops carry what a driver needs to reproduce the measurement of the stream (zero data).
      const b = new MrEnclave().ecreate(img.size, 0 + readSgxsFile(file).ssaFrameSize);
      for (const [page, type, perm, mask] of expand(ops)) b.addPage(page * 4096, (type === 'tcs' ? 0x100 : 0x200) | perm, mask);
      const zero = { ...img, pages: img.pages.map((p) => ({ ...p, data: undefined })) };
      const b2 = new MrEnclave().ecreate(zero.size, zero.ssaFrameSize);
      for (const p of zero.pages) b2.addPage(p.offset, p.flags, p.measured);
      assert.deepEqual(b.digest(), b2.digest());
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('replay rejects what a driver cannot reproduce, and bad streams, naming the record', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-replay-bad-'));
  try {
    const chunk = (o: number): Buffer => Buffer.concat([eextendBlock(o), Buffer.alloc(256)]);
    const unordered = path.join(dir, 'u.sgxs');
    fs.writeFileSync(unordered, Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x1000, 0x203), chunk(0x1100), chunk(0x1000)]));
    assert.throws(() => replay.generate({ file: unordered }, 1), /record 1: the chunks of the page at 0x1000 are out of ascending order/);
    const unsized = path.join(dir, 'z.sgxs');
    fs.writeFileSync(unsized, Buffer.concat([ecreateBlock(0x1000, 1, true), eaddBlock(0, 0x203)]));
    assert.throws(() => replay.generate({ file: unsized }, 1), /UNSIZED/);
    const bad = path.join(dir, 'b.sgxs');
    fs.writeFileSync(bad, Buffer.concat([ecreateBlock(0x4000, 1), eaddBlock(0x2000, 0x203), eaddBlock(0x1000, 0x203)]));
    assert.throws(
      () => replay.generate({ file: bad }, 1),
      (e: unknown) => (e as { exitCode?: number }).exitCode === 2 && /record 2 .*out of order/.test((e as Error).message),
    );
    const param = replay.params.find((p) => p.name === 'file');
    assert.equal(param?.kind, 'file');
    assert.match(param?.check?.(bad) ?? '', /out of order/);
    assert.equal(param?.check?.(EXAMPLE_FILE), undefined);
    assert.match(param?.check?.('') ?? '', /required/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
