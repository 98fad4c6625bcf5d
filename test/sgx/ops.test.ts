/** settle and ifNoHandover through the script runner at a fake device (real C add loops, fake ioctl). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Enclave, NotMeasurableOnDevice } from '../../backends/sgx/enclave.js';
import { SourcePool } from '../../backends/sgx/enclave.js';
import { planScripts, opsVerdict, ISGX_SETTLE_REASON } from '../../backends/sgx/compat.js';
import { runScript, ScriptError, type ScriptEnv, type ScriptLinks } from '../../backends/sgx/script.js';
import { handover } from '../../workloads/handover.js';
import type { Op, ProcessScript } from '../../workloads/types.js';
import type { FakeIoctlCall } from '../../backends/sgx/binding.js';
import { binding, skipReason, FakeSys } from './helpers.js';

const PAGE = 4096;
const buildOps = (last: Op): Op[] => [
  { op: 'create', enclave: 1, size: 1 << 16 },
  { op: 'add', enclave: 1, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: 0xffff },
  { op: 'add', enclave: 1, offset: 1, pages: 7, type: 'reg', perm: 7, measure: 0xffff },
  last,
  { op: 'exit' },
];
const builder = (ops: Op[]): ProcessScript => ({ pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops });

/** Links that record what the script asked of the outside world. */
function recordingLinks(recv?: () => { fd: number; data: ArrayBuffer }) {
  const log: string[] = [];
  const links: ScriptLinks = {
    sendFd: (to) => {
      log.push(`send-fd ${to}`);
    },
    recvFd: () => {
      log.push('recv-fd');
      if (!recv) throw new Error('recv-fd not expected');
      return recv();
    },
    barrier: async (name, count) => {
      log.push(`barrier ${name} ${count}`);
    },
  };
  return { log, links };
}

function env(sys: FakeSys, driver: 'mainline' | 'isgx', links: ScriptLinks): ScriptEnv {
  return { sys, driver, device: '/dev/fake', batchPages: 0, src: new SourcePool(sys), links };
}

/** A fake ioctl that counts calls by request. */
function counting() {
  const calls: FakeIoctlCall[] = [];
  return {
    calls,
    fn: (c: FakeIoctlCall) => {
      calls.push(c);
      return { ret: 0, count: c.length ?? 0 };
    },
  };
}

test('mainline settle: immediate, no syscall, no EINIT; the build ends at the last ADD_PAGES return, and the row says so', async (t) => {
  if (!binding) return t.skip(skipReason);
  const io = counting();
  // failAt 'init': any EINIT call would throw, so success proves settle never runs one.
  const sys = new FakeSys(binding, 'init', io.fn);
  const ops = buildOps({ op: 'settle', enclave: 1 });
  const m = await runScript(builder(ops), ops, env(sys, 'mainline', recordingLinks().links));
  const e = m.enclaves[0]!;
  assert.equal(e.pagesAdded, 8);
  assert.equal(io.calls.length, 2, 'one ADD_PAGES per add op; settle issues nothing');
  assert.equal(e.readyAt, e.addEnd, 'ready at the last add return');
  assert.equal(e.einitNs, undefined);
  assert.ok(e.notes.some((n) => /no EINIT: the build ends at the last ADD_PAGES return/.test(n)));
  assert.ok(sys.clean);
});

test('isgx settle: skipped with the reason before any syscall (no open, no ioctl)', async (t) => {
  if (!binding) return t.skip(skipReason);
  const io = counting();
  const sys = new FakeSys(binding, undefined, io.fn);
  const ops = buildOps({ op: 'settle', enclave: 1 });
  await assert.rejects(runScript(builder(ops), ops, env(sys, 'isgx', recordingLinks().links)), (e: ScriptError) => {
    assert.ok(e instanceof ScriptError);
    assert.equal(e.outcome, 'skipped');
    assert.equal(e.unsupported, false);
    assert.match(e.message, /^builder: settle \(enclave 1\): isgx offers no way to wait for queued adds without EINIT/);
    assert.equal(e.partial.enclaves.length, 0);
    return true;
  });
  assert.equal(sys.opened, 0);
  assert.equal(io.calls.length, 0);
  assert.ok(sys.clean);
});

test('isgx with init instead of settle runs: one ADD_PAGE per page, then INIT (its flush is the completion)', async (t) => {
  if (!binding) return t.skip(skipReason);
  const io = counting();
  const sys = new FakeSys(binding, undefined, io.fn);
  const ops = buildOps({ op: 'init', enclave: 1 });
  const m = await runScript(builder(ops), ops, env(sys, 'isgx', recordingLinks().links));
  const e = m.enclaves[0]!;
  assert.equal(io.calls.length, 8);
  assert.ok(e.einitNs !== undefined && e.readyAt! >= e.addEnd!);
  assert.ok(sys.clean);
});

test('Enclave.settle on isgx refuses as not measurable (defence behind the up-front check)', (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding);
  const e = new Enclave(sys, 'isgx', '/dev/fake', 8192);
  e.create();
  assert.throws(
    () => e.settle(),
    (err: Error) => err instanceof NotMeasurableOnDevice && err.message === ISGX_SETTLE_REASON,
  );
  e.cleanup();
  assert.ok(sys.clean);
});

const handoverParams = (init: number) => ({ size: 4 * PAGE, measure: 1, batch: 1048576, init, secs_size: 0, rate: 1000, clients: 2, pool: 1, inside: 0 });

test('plan: isgx runs every ifNoHandover (clients build their own, the daemon only meets the barrier); mainline runs ops', () => {
  const s = handover.generate(handoverParams(1), 1);
  const isgx = planScripts(s, 'isgx');
  assert.ok(isgx.run);
  for (const p of isgx.scripts) assert.equal(p.ops, p.script.ifNoHandover, p.script.name);
  const daemon = isgx.scripts.find((p) => p.script.role === 'daemon')!;
  assert.deepEqual(
    daemon.ops.map((o) => o.op),
    ['barrier'],
  );
  for (const p of isgx.scripts.filter((x) => x.script.role === 'client')) {
    assert.ok(!p.ops.some((o) => o.op === 'recv-fd' || o.op === 'send-fd'));
    assert.ok(p.ops.some((o) => o.op === 'create'));
  }
  const main = planScripts(s, 'mainline');
  assert.ok(main.run);
  for (const p of main.scripts) assert.equal(p.ops, p.script.ops, p.script.name);
  assert.ok(main.scripts.find((p) => p.script.role === 'daemon')!.ops.some((o) => o.op === 'send-fd'));
});

test('plan: a handover client without EINIT on isgx is skipped with the settle reason; on mainline it runs', () => {
  const s = handover.generate(handoverParams(0), 1);
  const v = planScripts(s, 'isgx');
  assert.ok(!v.run && v.outcome === 'skipped');
  assert.match(v.detail, /client1: settle \(enclave 3\): isgx offers no way to wait for queued adds without EINIT/);
  assert.ok(planScripts(s, 'mainline').run);
});

test('isgx handover client (ifNoHandover) through the runner: builds its own enclave, never receives an fd, ready latency recorded', async (t) => {
  if (!binding) return t.skip(skipReason);
  const s = handover.generate(handoverParams(1), 1);
  const plan = planScripts(s, 'isgx');
  assert.ok(plan.run);
  const client = plan.scripts.find((p) => p.script.name === 'client1')!;
  const io = counting();
  const sys = new FakeSys(binding, undefined, io.fn);
  const { log, links } = recordingLinks();
  const m = await runScript(client.script, client.ops, env(sys, 'isgx', links));
  assert.deepEqual(log, ['barrier pool-ready 3'], 'no recv-fd');
  assert.equal(m.enclaves.length, 1, 'the client built one enclave');
  assert.equal(m.enclaves[0]!.pagesAdded, 4);
  assert.equal(io.calls.length, 4, 'one ADD_PAGE per page');
  assert.equal(sys.opened, 1);
  assert.equal(m.ready.length, 1, 'time-to-ready: arrival to first touch of its own enclave');
  assert.ok(sys.clean);
});

test('mainline handover client (ops) through the runner: receives the fd, maps it, adds nothing, ready latency recorded', async (t) => {
  if (!binding) return t.skip(skipReason);
  const s = handover.generate(handoverParams(1), 1);
  const plan = planScripts(s, 'mainline');
  assert.ok(plan.run);
  const client = plan.scripts.find((p) => p.script.name === 'client1')!;
  const io = counting();
  const sys = new FakeSys(binding, undefined, io.fn);
  const base = 0x7f00_0000_0000n;
  const { log, links } = recordingLinks(() => ({
    fd: sys.open('/dev/fake'),
    data: new Uint8Array(Buffer.from(JSON.stringify({ enclave: 1, base: base.toString(), size: 1 << 16 }))).buffer,
  }));
  const m = await runScript(client.script, client.ops, env(sys, 'mainline', links));
  assert.deepEqual(log, ['barrier pool-ready 3', 'recv-fd']);
  assert.equal(m.enclaves.length, 0, 'nothing built by the client');
  assert.equal(io.calls.length, 0);
  assert.equal(m.ready.length, 1);
  assert.ok(sys.clean, 'the received fd is closed and its mapping removed');
});

test('ready latency runs from the end of the first think, not from the start of the script (pool build excluded)', async (t) => {
  if (!binding) return t.skip(skipReason);
  const sys = new FakeSys(binding);
  const slowBarrier: ScriptLinks = { ...recordingLinks().links, barrier: () => new Promise((r) => setTimeout(r, 400)) };
  const ops: Op[] = [
    { op: 'barrier', name: 'pool-ready', count: 2 },
    { op: 'think', ns: 1e6 },
    ...buildOps({ op: 'init', enclave: 1 }).slice(0, 4),
    { op: 'map', enclave: 1 },
    { op: 'touch', enclave: 1, offset: 0, pages: 1 },
  ];
  const client: ProcessScript = { pid: 9, name: 'client', role: 'client', mm: 9, startNs: 0, ops };
  const m = await runScript(client, ops, env(sys, 'isgx', slowBarrier));
  assert.equal(m.ready.length, 1);
  assert.ok(m.ready[0]! < 400e6, `ready ${m.ready[0]} ns must exclude the 400 ms barrier wait`);
  assert.ok(sys.clean);
});

test('isgx: send-fd / recv-fd without an ifNoHandover fallback is rejected (binding=mm), naming the process', () => {
  const v = opsVerdict('mapper2', [{ op: 'recv-fd', enclave: 1 }], 'isgx');
  assert.ok(!v.run && v.outcome === 'rejected' && /^mapper2: recv-fd \(enclave 1\): binding=mm/.test(v.detail));
  assert.deepEqual(opsVerdict('mapper2', [{ op: 'recv-fd', enclave: 1 }], 'mainline'), { run: true });
});

test('plan: a barrier waiting for more processes than reach it is an error, not a hang', () => {
  const p = (pid: number, ops: Op[]): ProcessScript => ({ pid, name: `p${pid}`, role: 'builder', mm: pid, startNs: 0, ops });
  const s = { processes: [p(1, [{ op: 'barrier', name: 'go', count: 3 }]), p(2, [{ op: 'barrier', name: 'go', count: 3 }])], background: [], needs: {} };
  const v = planScripts(s, 'mainline');
  assert.ok(!v.run && v.outcome === 'error' && /barrier 'go' waits for 3 processes but only 2 reach it/.test(v.detail));
  const ok = { ...s, processes: [...s.processes, p(3, [{ op: 'barrier', name: 'go', count: 3 }])] };
  assert.ok(planScripts(ok, 'mainline').run);
});
