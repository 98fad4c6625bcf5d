/**
 * Runs one scenario on one design in model time: builds the kernel (CPUs, EPC, reclaimer,
 * workqueue, mms), starts one simulated process per script plus the background application
 * threads, interprets the ops, and turns the end state into a CaseResult. Pure: the same
 * spec gives the same result.
 */
import { DeadlockError, Environment, Prng, StalledError, Store, type Process, type ProcessGen } from './sim/index.js';
import type { CaseResult, CaseSpec } from '../types.js';
import { addBatch, MAX_BATCH, measureRejection, sharingRejection } from '../designs.js';
import type { Op, ProcessScript, Scenario } from '../../workloads/types.js';
import { CaseMetrics } from './metrics.js';
import { collectMetrics } from './collect.js';
import { checkEnd } from './check-end.js';
import type { Costs } from './profiles.js';
import { Cpus, mmGroup, Task } from './kernel/cpus.js';
import { Epc } from './kernel/epc.js';
import type { Kernel } from './kernel/kernel.js';
import { LoadLists } from './kernel/lru.js';
import { Mm } from './kernel/mm.js';
import { Reclaimer } from './kernel/reclaim.js';
import { SpinLock } from './kernel/spinlock.js';
import { Workqueue } from './kernel/workqueue.js';
import { addPagesCaller } from './drivers/caller.js';
import { addPagesQueued } from './drivers/kthread.js';
import { closeAll, exitMm, fput, put } from './drivers/lifecycle.js';
import type { Thread } from './drivers/thread.js';
import { background, enclaveOf, exitProcess, runOp, type Shared } from './script-ops.js';
import { NO_TRACE } from '../../common/trace/recorder.js';
import { WindowRecorder } from '../../common/trace/window.js';
import { HoldTracer } from './kernel/holds.js';

/** The end state of a run, for tests of invariants. */
export interface Simulation {
  readonly result: CaseResult;
  readonly kernel: Kernel;
  readonly problems: string[];
  /** The trace, when one was asked for (finished: ready to serialise). */
  readonly trace: WindowRecorder | null;
}

/** Trace slice names of the script ops (`add` is named per ioctl, `think` is idle time). */
const OP_SLICE: Readonly<Record<Op['op'], string | null>> = {
  create: 'ECREATE ioctl',
  add: null,
  init: 'EINIT ioctl',
  map: 'mmap',
  unmap: 'munmap',
  close: 'close',
  destroy: 'destroy',
  touch: 'touch (faults)',
  'send-fd': 'sendmsg(fd)',
  'recv-fd': 'recvmsg(fd)',
  fork: 'fork',
  think: null,
  barrier: 'barrier',
  settle: 'settle (flush_work)',
  exit: 'exit',
};

/** Why a design cannot run a scenario, or undefined. */
export function rejection(spec: CaseSpec, sc: Scenario): string | undefined {
  const masks = function* () {
    for (const p of sc.processes) for (const op of [...p.ops, ...(p.ifNoHandover ?? [])]) if (op.op === 'add') yield op.measure;
  };
  return sharingRejection(spec.knobs, sc.needs.sharedMms ?? 1, sc.needs.forked === true) ?? measureRejection(spec.knobs, masks());
}

/**
 * Simulate one case. With `traceWindowNs`, a trace is recorded that keeps that much model time
 * in full at each end (trace/window.ts).
 */
export function simulate(spec: CaseSpec, sc: Scenario, costs: Costs, traceWindowNs?: number): Simulation {
  const env = new Environment();
  const trace = traceWindowNs === undefined ? null : new WindowRecorder(env, traceWindowNs);
  const rec = trace ?? NO_TRACE;
  const ns = costs.ns;
  const knobs = spec.knobs;
  const metrics = new CaseMetrics();
  const cpus = new Cpus(env, costs.cpus, ns.timeslice, ns.context_switch, rec);
  const epc = new Epc(costs.epcPages);
  const workers = knobs.execution === 'kthread' ? knobs.workers : 1;
  const wq = new Workqueue(env, cpus, workers, ns.wakeup, 'sgx-add-page-wq', rec);
  let reclaimer: Reclaimer | null = null;
  // Whose track a lock hold goes on: each process's task (ksgxd's is the reclaimer's).
  const taskOf = new Map<Process, Task>(wq.workers.map((p, i) => [p, wq.tasks[i]!]));
  const holds = trace ? new HoldTracer(trace, env, (p) => taskOf.get(p) ?? (p.name === 'ksgxd' ? reclaimer?.task : undefined)) : null;
  const k: Kernel = {
    env,
    ns,
    costs,
    knobs,
    cpus,
    epc,
    wq,
    metrics,
    rec,
    enclaves: new Map(),
    mms: new Map(),
    loads: new LoadLists(),
    reclaimerLock: new SpinLock('sgx_reclaimer_lock'),
    epcLock: new SpinLock(knobs.binding === 'mm' ? 'sgx_free_list_lock' : 'sgx_numa_node.lock'),
    allocEpc: (t, use, signal) => reclaimer!.alloc(t, use, signal),
    putEnclave: (t, e) => put(k, t, e),
    traceLock: (lock) => holds?.attach(lock),
  };
  reclaimer = new Reclaimer(k);
  reclaimer.start();
  metrics.workers = workers;

  // The design's batch rule; 0 (no cap) is the largest batch, which covers any range.
  const batch = addBatch(knobs, spec.params['batch']) || MAX_BATCH;
  let pages = 0;
  for (const p of sc.processes) for (const op of p.ops) if (op.op === 'add') pages += op.pages;
  const sh: Shared = {
    k,
    spec,
    fdsByMm: new Map(),
    liveThreads: new Map(),
    mailbox: new Map(),
    arrived: new Map(),
    barriers: new Map(),
    children: new Map(),
    stopping: false,
    horizon: 1e10 + pages * 2e5,
    batch,
  };
  const mmOf = (id: number): Mm => {
    let mm = k.mms.get(id);
    if (!mm) {
      mm = new Mm(env, id);
      k.traceLock(mm.lock);
      k.mms.set(id, mm);
      sh.fdsByMm.set(id, new Set());
      sh.liveThreads.set(id, []);
    }
    return mm;
  };
  const prng = new Prng(spec.seed, `repeat${spec.repeat}`);
  const main: Process[] = [];
  for (const ps of sc.processes) {
    const mm = mmOf(ps.mm);
    mm.threads++;
    sh.mailbox.set(ps.pid, new Store<number>(env, `socket(${ps.name})`));
    sh.arrived.set(ps.pid, env.event<void>());
    const th: Thread = { pid: ps.pid, name: ps.name, task: new Task(ps.name, mmGroup(ps.mm)), mm, fds: sh.fdsByMm.get(ps.mm)!, proc: null };
    if (ps.forkedBy !== undefined) sh.children.set(ps.pid, { th, forked: env.event<void>() });
    const proc = env.process(runScript(sh, th, ps), ps.name);
    taskOf.set(proc, th.task);
    th.proc = proc;
    sh.liveThreads.get(ps.mm)!.push(proc);
    main.push(proc);
  }
  for (const bg of sc.background) {
    const mm = mmOf(bg.mm);
    for (let i = 0; i < bg.threads; i++) {
      mm.threads++;
      const name = `app-${bg.kind}${i}(mm${bg.mm})`;
      const task = new Task(name, mmGroup(bg.mm));
      taskOf.set(env.process(background(sh, mm, bg.kind, bg.ratePerS, prng.fork(name), task), name), task);
    }
  }

  const problems: string[] = [];
  let result: CaseResult;
  try {
    env.run(env.allOf(main));
    const end = env.now;
    sh.stopping = true;
    wq.stopping = true;
    reclaimer.stopping = true;
    env.run();
    problems.push(...checkEnd(k));
    result =
      problems.length > 0 ? { outcome: 'error', detail: `model invariant broken: ${problems.join('; ')}` } : { outcome: 'ok', metrics: collectMetrics(k, end) };
  } catch (err) {
    if (err instanceof DeadlockError) {
      // Name the queued writers too: they are why a read request blocks (rwsem writer preference).
      const inCycle = new Set(err.cycle.map((e) => e.process));
      const writers = env.waitFor.edges().filter((e) => e.what === 'write' && !inCycle.has(e.process));
      const extra = writers.map((e) => `${e.process} waits for ${e.waitsFor} [write] (held by ${e.heldBy.join(', ') || 'nobody'})`);
      result = { outcome: 'deadlock', detail: extra.length > 0 ? `${err.message}; queued writers: ${extra.join('; ')}` : err.message };
      rec.instant('deadlock', { cycle: err.message });
    } else if (err instanceof StalledError && reclaimer.starving > 0) {
      // isgx sgx_alloc_page loops on sgx_swap_pages + schedule() while nothing can be swapped.
      result = {
        outcome: 'deadlock',
        detail: `livelock: ${reclaimer.starving} EPC allocation(s) in isgx sgx_alloc_page retry forever: no page is free, none can be swapped (only dead enclaves' or none) and none is in flight`,
      };
    } else if (err instanceof StalledError) result = { outcome: 'error', detail: `stalled: ${err.message}` };
    else throw err;
  }
  holds?.finish();
  cpus.finishTrace();
  trace?.finish();
  return { result, kernel: k, problems, trace };
}

function* runScript(sh: Shared, th: Thread, ps: ProcessScript): ProcessGen<void> {
  const k = sh.k;
  const env = k.env;
  // A forked child starts when its parent's fork op has copied the mm (script-ops.ts).
  const child = sh.children.get(ps.pid);
  if (child !== undefined) yield* k.cpus.wait(th.task, child.forked);
  else if (ps.startNs > 0) yield env.timeout(ps.startNs);
  sh.arrived.get(ps.pid)!.succeed();
  const ops = k.knobs.binding === 'mm' && ps.ifNoHandover !== undefined ? ps.ifNoHandover : ps.ops;
  let exited = false;
  let readyRecorded = false;
  // A client's arrival: its first think ends (open-loop arrival after a barrier), else its start.
  let arrival = env.now;
  let arrived = false;
  for (const op of ops) {
    if (th.mm.killed && op.op !== 'exit') break;
    if (op.op === 'exit') {
      yield* exitProcess(sh, th);
      exited = true;
      break;
    }
    // The add loop runs here rather than in runOp: one generator level less to resume through
    // for each of its per-page events.
    if (op.op === 'add') {
      const e = enclaveOf(k, op.enclave);
      const ioctl = k.knobs.execution === 'kthread' ? addPagesQueued : addPagesCaller;
      let off = op.offset;
      const end = op.offset + op.pages;
      while (e !== undefined && off < end) {
        const n = Math.min(sh.batch, end - off);
        // The loader's own user-space work for these pages, on this thread's CPU, no lock held.
        if (op.userNs !== undefined && op.userNs > 0) {
          const u0 = env.now;
          yield* k.cpus.compute(th.task, op.userNs * n);
          if (k.rec.on) k.rec.slice(th.task, 'loader (user space)', u0, { pages: n });
        }
        const t0 = env.now;
        if (k.rec.on) k.rec.begin(th.task, k.knobs.binding === 'mm' ? 'SGX_IOC_ENCLAVE_ADD_PAGE' : 'SGX_IOC_ENCLAVE_ADD_PAGES');
        // fdget: a mainline ioctl holds a reference to the enclave file while it runs.
        const held = k.knobs.binding === 'fd' && th.fds.has(e.id);
        if (held) e.fileRefs++;
        const r = yield* ioctl(k, th, e, off, n, op.measure);
        if (held) yield* fput(k, th.task, e);
        if (k.rec.on) k.rec.end(th.task, { enclave: op.enclave, offset: off, pages: n, done: r.done, err: r.err });
        k.metrics.ioctl.add(env.now - t0);
        off += r.done;
        if (r.err === 'ENOMEM') k.metrics.enomem++;
        if (r.err === 'EBUSY' && r.duplicate !== true) {
          k.cpus.offCpu(th.task);
          yield env.timeout(k.ns.context_switch);
          continue;
        }
        if (r.err !== '') break;
      }
    } else if (k.rec.on && OP_SLICE[op.op] !== null) {
      k.rec.begin(th.task, OP_SLICE[op.op]!);
      yield* runOp(sh, th, op);
      k.rec.end(th.task);
    } else yield* runOp(sh, th, op);
    if (op.op === 'think' && !arrived) {
      arrived = true;
      arrival = env.now;
    }
    if (op.op === 'touch' && ps.role === 'client' && !readyRecorded) {
      readyRecorded = true;
      k.metrics.clientReady.add(env.now - arrival);
    }
  }
  k.cpus.offCpu(th.task);
  const live = sh.liveThreads.get(th.mm.id)!;
  live.splice(live.indexOf(th.proc!), 1);
  if (!exited && live.length === 0 && !th.mm.exited) {
    if (k.rec.on) k.rec.begin(th.task, 'exit_mmap');
    yield* exitMm(k, th);
    yield* closeAll(k, th);
    if (k.rec.on) k.rec.end(th.task);
  }
  k.cpus.offCpu(th.task);
}
