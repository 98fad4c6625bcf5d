/**
 * Threads of one mm and background application activity, without SGX: the background
 * generator does real mmap/munmap/page faults on its Poisson schedule; threads of one process
 * (piscina workers) share an enclave fd and range through the mm's shared table, meet at
 * barriers, and stop cleanly when one fails. Enclave ioctls are faked; open/mmap/munmap/close are real.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CHURN_BYTES, poissonGapsNs, runBackground } from '../../backends/sgx/background.js';
import { runThreads } from '../../backends/sgx/threads.js';
import type { Op, ProcessScript } from '../../workloads/types.js';
import { binding, skipReason } from './helpers.js';

import { appMetrics } from '../../backends/sgx/metrics.js';

/** Open fds of this process on /dev/zero (the stand-in device). */
function zeroFds(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === '/dev/zero') n++;
    } catch {
      /* closed while listing */
    }
  }
  return n;
}
/** Mappings of /dev/zero (shared mappings of it show as `/dev/zero (deleted)`) and PROT_NONE reservations. */
const zeroMaps = (): number =>
  readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('/dev/zero')).length;

test('background schedule: the same seed gives the same Poisson gaps, another seed others; the mean gap is 1/rate', () => {
  const a = poissonGapsNs(1000, 7, 5000);
  assert.deepEqual(a, poissonGapsNs(1000, 7, 5000));
  assert.notDeepEqual(a.slice(0, 10), poissonGapsNs(1000, 8, 10));
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(Math.abs(mean - 1e6) < 0.05e6, `mean gap ${mean} ns`);
});

for (const kind of ['faults', 'mmap-churn'] as const) {
  test(`background ${kind} for ~200 ms: real operations at the rate, latencies recorded, planned times from the seed, nothing left mapped`, async (t) => {
    if (!binding) return t.skip(skipReason);
    const sys = binding;
    const calls = { mmap: 0, munmap: 0, touch: 0 };
    const live = new Set<bigint>();
    const spy = {
      constants: sys.constants,
      mmap: (...a: Parameters<typeof sys.mmap>) => {
        calls.mmap++;
        const p = sys.mmap(...a);
        live.add(p);
        return p;
      },
      munmap: (p: bigint, l: number) => {
        calls.munmap++;
        live.delete(p);
        sys.munmap(p, l);
      },
      touchPages: (p: bigint, n: number) => {
        calls.touch += n;
        return sys.touchPages(p, n);
      },
    };
    // The generator blocks its thread between ops (Atomics.wait), so here it stops by op count:
    // 400 ops at 2000/s is ~200 ms. (Stopping through the flag is covered through runThreads below.)
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const start = performance.now();
    const r = runBackground(spy, { kind, ratePerS: 2000, seed: 42 }, stop, 400);
    const took = performance.now() - start;
    assert.equal(r.latNs.length, 400);
    assert.ok(took > 150 && took < 2000, `400 ops at 2000/s took ${took} ms`);
    assert.ok(
      r.latNs.every((x) => x > 0),
      'every op has a wall-clock latency',
    );
    let at = 0;
    assert.deepEqual(
      r.plannedNs,
      poissonGapsNs(2000, 42, 400).map((g) => (at += g)),
    );
    if (kind === 'faults') {
      assert.equal(calls.touch, 400, 'one page fault per op');
      assert.equal(calls.mmap, 2, 'fresh 256-page regions');
    } else {
      assert.equal(calls.mmap, 400);
      assert.equal(calls.munmap, 400);
      assert.ok(CHURN_BYTES > 0);
    }
    assert.equal(live.size, 0, 'every mapping unmapped');
    assert.equal(calls.mmap, calls.munmap);
  });
}

const SIZE = 1 << 16;

test('two threads of one process share an enclave fd: one builds and maps, the other unmaps and closes; the fd and range are released once', async (t) => {
  if (!binding) return t.skip(skipReason);
  const [fdsBefore, mapsBefore] = [zeroFds(), zeroMaps()];
  const builder: ProcessScript = {
    pid: 1,
    name: 'builder',
    role: 'builder',
    mm: 1,
    startNs: 0,
    ops: [
      { op: 'create', enclave: 1, size: SIZE },
      { op: 'map', enclave: 1 },
      { op: 'add', enclave: 1, offset: 0, pages: 16, type: 'reg', perm: 3, measure: 0xffff },
      { op: 'barrier', name: 'built', count: 2 },
      { op: 'barrier', name: 'torn', count: 2 },
      { op: 'close', enclave: 1 },
      { op: 'exit' },
    ],
  };
  const owner: ProcessScript = {
    pid: 2,
    name: 'owner',
    role: 'owner',
    mm: 1,
    startNs: 0,
    ops: [
      { op: 'barrier', name: 'built', count: 2 },
      { op: 'touch', enclave: 1, offset: 0, pages: 4 },
      { op: 'unmap', enclave: 1 },
      { op: 'close', enclave: 1 },
      { op: 'barrier', name: 'torn', count: 2 },
    ],
  };
  const out = await runThreads(
    [builder, owner].map((s) => ({ script: s, ops: s.ops })),
    [],
    { driver: 'mainline', device: '/dev/zero', batchPages: 4, seed: 1, sysMode: 'fake-ioctl' },
  );
  assert.deepEqual(out.errors, []);
  assert.equal(out.measures.length, 2);
  const b = out.measures.find((m) => m.pid === 1)!;
  const o = out.measures.find((m) => m.pid === 2)!;
  assert.equal(b.enclaves[0]!.pagesAdded, 16);
  assert.equal(b.enclaves[0]!.ioctlNs.length, 4, 'batches of 4 pages');
  assert.ok(o.enclaves[0]!.teardownNs! >= 0, 'the owner thread closed the fd it did not open');
  assert.ok(
    b.enclaves[0]!.notes.some((n) => /already closed/.test(n)),
    'the builder did not close it again',
  );
  assert.equal(zeroFds(), fdsBefore, 'the enclave fd was closed, once');
  assert.equal(zeroMaps(), mapsBefore, 'the enclave mapping was removed');
});

test('a failing thread stops the others waiting at a barrier; every thread reports, errors say who failed first, nothing leaks', async (t) => {
  if (!binding) return t.skip(skipReason);
  const waiter: ProcessScript = {
    pid: 1,
    name: 'waiter',
    role: 'builder',
    mm: 1,
    startNs: 0,
    ops: [{ op: 'create', enclave: 1, size: SIZE }, { op: 'barrier', name: 'never', count: 2 }, { op: 'exit' }],
  };
  const failer: ProcessScript = {
    pid: 2,
    name: 'failer',
    role: 'owner',
    mm: 1,
    startNs: 0,
    ops: [
      { op: 'think', ns: 20e6 },
      { op: 'touch', enclave: 9, offset: 0, pages: 1 },
    ],
  };
  const [fdsBefore, mapsBefore] = [zeroFds(), zeroMaps()];
  const out = await runThreads(
    [waiter, failer].map((s) => ({ script: s, ops: s.ops })),
    [{ kind: 'mmap-churn', mm: 1, threads: 1, ratePerS: 1000 }],
    { driver: 'mainline', device: '/dev/zero', batchPages: 0, seed: 3, sysMode: 'fake-ioctl' },
  );
  const primary = out.errors.filter((e) => !e.secondary);
  assert.equal(primary.length, 1, JSON.stringify(out.errors));
  assert.match(primary[0]!.message, /^failer: op 2 touch \(enclave 9\): enclave 9 does not exist/);
  const second = out.errors.find((e) => e.pid === 1)!;
  assert.equal(second.secondary, true);
  assert.match(second.message, /another thread of the process failed/);
  assert.equal(out.background.length, 1, 'the background thread stopped and reported');
  assert.ok(out.background[0]!.latNs.length > 0);
  assert.ok(
    out.measures.find((m) => m.pid === 1),
    'partial measure of the waiter',
  );
  // The waiter's enclave fd was closed by its cleanup although it was stopped.
  assert.equal(zeroFds(), fdsBefore);
  assert.equal(zeroMaps(), mapsBefore);
});

test('a background thread runs for the duration of the scripts and its schedule follows the case seed', async (t) => {
  if (!binding) return t.skip(skipReason);
  const ops: Op[] = [{ op: 'think', ns: 150e6 }];
  const s: ProcessScript = { pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops };
  const run = () =>
    runThreads([{ script: s, ops }], [{ kind: 'faults', mm: 1, threads: 2, ratePerS: 2000 }], {
      driver: 'mainline',
      device: '/dev/zero',
      batchPages: 0,
      seed: 5,
      sysMode: 'fake-ioctl',
    });
  const [a, b] = [await run(), await run()];
  assert.deepEqual(a.errors, []);
  assert.equal(a.background.length, 2);
  for (const r of a.background) assert.ok(r.latNs.length > 100 && r.latNs.length < 600, `${r.latNs.length} faults in ~150 ms at 2000/s`);
  // Same seed: the planned times agree over the ops both runs made.
  const key = (x: typeof a) => x.background.map((r) => r.plannedNs.slice(0, 50)).sort((p, q) => p[0]! - q[0]!);
  assert.deepEqual(key(a), key(b));
});

test('app latency metrics: nearest-rank p50/p99 of the background ops in ns, none without background', () => {
  const lat = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
  const m = appMetrics(lat.reverse(), ['faults', 'mmap-churn']);
  assert.deepEqual(
    m.map((x) => [x.metric, x.value]),
    [
      ['app_latency_p50', 500],
      ['app_latency_p99', 990],
    ],
  );
  assert.match(m[0]!.detail!, /100 ops \(faults, mmap-churn/);
  assert.deepEqual(appMetrics([], ['faults']), []);
});
