/**
 * The script ops of one simulated process (create, init, map, close, fd passing, barriers, exit)
 * and the co-running application threads, over the kernel and drivers of one case; the add loop
 * and the case setup stay in scenario-runner.ts.
 */
import { processWaitable, type Event, type Process, type ProcessGen, type Prng, type Store } from './sim/index.js';
import type { CaseSpec } from '../types.js';
import type { Op } from '../../workloads/types.js';
import type { Task } from './kernel/cpus.js';
import type { Enclave } from './kernel/enclave.js';
import { downRead, downWrite, type Kernel } from './kernel/kernel.js';
import type { Mm } from './kernel/mm.js';
import { create, init } from './drivers/common.js';
import { close, closeAll, exitMm, fork, map, touch, unmap } from './drivers/lifecycle.js';
import type { Thread } from './drivers/thread.js';

/** What the processes of one case share. */
export interface Shared {
  readonly k: Kernel;
  readonly spec: CaseSpec;
  readonly fdsByMm: Map<number, Set<number>>;
  readonly liveThreads: Map<number, Process[]>;
  readonly mailbox: Map<number, Store<number>>;
  readonly arrived: Map<number, Event<void>>;
  readonly barriers: Map<string, { n: number; ev: Event<void> }>;
  /** Processes a `fork` op starts (their script's `forkedBy`), by pid: the thread and its start. */
  readonly children: Map<number, { readonly th: Thread; readonly forked: Event<void> }>;
  stopping: boolean;
  readonly horizon: number;
  readonly batch: number;
}

/** exit(): stop the other threads of the mm (signal), wait for them, tear the mm down. */
export function* exitProcess(sh: Shared, th: Thread): ProcessGen<void> {
  const k = sh.k;
  th.mm.killed = true;
  for (const other of [...sh.liveThreads.get(th.mm.id)!]) {
    if (other === th.proc || !other.isAlive) continue;
    k.cpus.offCpu(th.task);
    k.env.waitFor.block(th.proc!, processWaitable(other), 'thread exit');
    if (k.rec.on) k.rec.begin(th.task, `wait for ${other.name} to exit`);
    yield other;
    if (k.rec.on) k.rec.end(th.task);
    k.env.waitFor.unblock(th.proc!);
  }
  if (!th.mm.exited) {
    yield* exitMm(k, th);
    yield* closeAll(k, th);
  }
}

export function enclaveOf(k: Kernel, id: number): Enclave | undefined {
  return k.enclaves.get(id);
}

export function* runOp(sh: Shared, th: Thread, op: Op): ProcessGen<void> {
  const k = sh.k;
  const env = k.env;
  switch (op.op) {
    case 'create':
      yield* create(k, th, op.enclave, op.size);
      return;
    case 'add': // runs in runScript
      return;
    case 'init': {
      const e = enclaveOf(k, op.enclave);
      if (e) yield* init(k, th, e);
      return;
    }
    case 'map': {
      const e = enclaveOf(k, op.enclave);
      if (e) yield* map(k, th, e, op.inside ?? 0);
      return;
    }
    case 'unmap': {
      const e = enclaveOf(k, op.enclave);
      if (e) yield* unmap(k, th, e);
      return;
    }
    case 'close': {
      const e = enclaveOf(k, op.enclave);
      if (e) yield* close(k, th, e);
      return;
    }
    case 'destroy': {
      const e = enclaveOf(k, op.enclave);
      if (!e) return;
      e.destroyAt = env.now;
      if (th.mm.mapped.has(e.id)) yield* unmap(k, th, e);
      yield* close(k, th, e);
      return;
    }
    case 'touch': {
      const e = enclaveOf(k, op.enclave);
      if (e) yield* touch(k, th, e, op.offset, op.pages);
      return;
    }
    case 'send-fd': {
      const arrived = sh.arrived.get(op.to);
      const box = sh.mailbox.get(op.to);
      const e = enclaveOf(k, op.enclave);
      if (!arrived || !box || !e) return;
      if (!arrived.triggered) yield* k.cpus.wait(th.task, arrived);
      yield* k.cpus.compute(th.task, 2 * k.ns.syscall);
      // The fd in flight, then in the receiver's table: one more reference to the file.
      if (k.knobs.binding === 'fd') e.fileRefs++;
      else e.refs++;
      yield box.put(op.enclave);
      return;
    }
    case 'recv-fd': {
      const box = sh.mailbox.get(th.pid)!;
      const id = (yield* k.cpus.wait(th.task, box.get())) as number;
      yield* k.cpus.compute(th.task, k.ns.syscall);
      th.fds.add(id);
      return;
    }
    case 'fork': {
      const child = sh.children.get(op.child);
      if (!child || child.forked.triggered) return;
      yield* fork(k, th, child.th, op.inside ?? 0);
      child.forked.succeed();
      return;
    }
    case 'think':
      k.cpus.offCpu(th.task);
      yield env.timeout(op.ns);
      return;
    case 'barrier': {
      let b = sh.barriers.get(op.name);
      if (!b) {
        b = { n: 0, ev: env.event<void>() };
        sh.barriers.set(op.name, b);
      }
      b.n++;
      if (b.n >= op.count && !b.ev.triggered) b.ev.succeed();
      if (!b.ev.triggered) yield* k.cpus.wait(th.task, b.ev);
      return;
    }
    case 'settle': {
      const e = enclaveOf(k, op.enclave);
      if (e && e.work !== null) yield* k.wq.flush(th.task, th.proc!, e.work);
      return;
    }
    case 'exit':
      return;
    default: {
      // A new op kind must be handled above; this fails to compile until it is.
      const unknown: never = op;
      throw new Error(`op kind ${(unknown as { op: string }).op} is not handled by the model`);
    }
  }
}

/** A co-running application thread: page faults (mmap_lock read) or mmap/munmap (write). */
export function* background(sh: Shared, mm: Mm, kind: 'faults' | 'mmap-churn', ratePerS: number, prng: Prng, t: Task): ProcessGen<void> {
  const k = sh.k;
  const env = k.env;
  const rate = ratePerS / 1e9;
  for (;;) {
    k.cpus.offCpu(t);
    yield env.timeout(Math.round(prng.exponential(rate)));
    if (sh.stopping || mm.killed || mm.exited || env.now > sh.horizon) return;
    const t0 = env.now;
    if (k.rec.on) k.rec.begin(t, kind === 'faults' ? 'page fault' : 'mmap/munmap');
    if (kind === 'faults') {
      yield* downRead(k, t, mm);
      yield* k.cpus.compute(t, k.ns.page_fault);
      mm.lock.upRead();
    } else {
      yield* downWrite(k, t, mm);
      yield* k.cpus.compute(t, k.ns.mmap_op);
      mm.lock.upWrite();
    }
    if (k.rec.on) k.rec.end(t);
    k.metrics.app.add(env.now - t0);
  }
}
