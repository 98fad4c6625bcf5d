/**
 * One thread of a process (piscina worker, started by threads.ts): runs either a script that
 * shares its mm with other threads, or one background application thread. Workers share the
 * process's fd table and address space, so enclaves pass between them as fd numbers and
 * addresses in the mm's SharedArrayBuffer (mm-shared.ts).
 */
import { loadBinding, type NativeBinding } from './binding.js';
import { runBackground, type BackgroundJob, type BackgroundResult } from './background.js';
import type { SgxSys } from './enclave.js';
import type { ProcessMeasure } from './metrics.js';
import { ABORT, MmShared, type MmSharedInit } from './mm-shared.js';
import { runScriptJob, ScriptError, type ScriptJob, type ScriptOutcome } from './script.js';
import { SysTrace } from './trace.js';

/**
 * `native`: the device. `fake-ioctl` (tests, machines without SGX): real open/close/mmap/munmap
 * and page touches on whatever `device` names (e.g. /dev/zero), with CREATE/INIT answered
 * without a syscall and the add loops' ioctls answered by a fake that adds every page.
 */
export type SysMode = 'native' | 'fake-ioctl';

export type ThreadTask =
  | (ScriptJob & {
      readonly kind: 'script';
      readonly shared: MmSharedInit;
      readonly sysMode: SysMode;
      /** Threads of the process (scripts + background) that meet at the start gate. */
      readonly threads: number;
    })
  | {
      readonly kind: 'background';
      readonly job: BackgroundJob;
      readonly shared: MmSharedInit;
      readonly threads: number;
      /** Set when the case is traced: the thread's track (trace.ts). */
      readonly trace?: { readonly process: string; readonly thread: string };
    };

export type ThreadReply =
  | { readonly type: 'result'; readonly measure: ProcessMeasure }
  | { readonly type: 'error'; readonly message: string; readonly outcome: ScriptOutcome; readonly secondary: boolean; readonly partial?: ProcessMeasure }
  | { readonly type: 'background'; readonly result: BackgroundResult };

function fakeIoctlSys(real: NativeBinding): SgxSys {
  return {
    constants: real.constants,
    open: (p, f) => real.open(p, f),
    close: (fd) => real.close(fd),
    mmap: (...a) => real.mmap(...a),
    munmap: (a, l) => real.munmap(a, l),
    reserveAligned: (s) => real.reserveAligned(s),
    touchPages: (a, p) => real.touchPages(a, p),
    allocPages: (b) => real.allocPages(b),
    create: () => undefined,
    init: () => undefined,
    isgxInit: () => undefined,
    addPages: (fd, src, off, len, si, flags, batch, lat, _fake, starts) =>
      real.addPages(fd, src, off, len, si, flags, batch, lat ?? null, (c) => ({ ret: 0, count: c.length ?? 0 }), starts ?? null),
    isgxAddPages: (fd, base, first, pages, src, stride, si, mrmask, lat, _fake, starts) =>
      real.isgxAddPages(fd, base, first, pages, src, stride, si, mrmask, lat ?? null, () => ({ ret: 0 }), starts ?? null),
  };
}

export default async function thread(task: ThreadTask): Promise<ThreadReply> {
  const b = loadBinding();
  const mm = new MmShared(task.shared);
  if (!b.ok) {
    mm.raise(ABORT);
    return { type: 'error', message: b.reason, outcome: 'error', secondary: false };
  }
  if (task.kind === 'background') {
    try {
      const trace = task.trace ? new SysTrace(task.trace.process, task.trace.thread) : undefined;
      mm.startGate(task.threads);
      const result = runBackground(trace ? trace.wrap(b.binding) : b.binding, task.job, mm.ctl);
      return { type: 'background', result: trace ? { ...result, trace: trace.data() } : result };
    } catch (e) {
      mm.raise(ABORT);
      throw e;
    }
  }
  const sys = task.sysMode === 'native' ? b.binding : fakeIoctlSys(b.binding);
  mm.startGate(task.threads);
  try {
    const measure = await runScriptJob(task, sys, {
      sendFd: () => {
        throw new Error('send-fd between threads of one process is not run on hardware');
      },
      recvFd: () => {
        throw new Error('recv-fd between threads of one process is not run on hardware');
      },
      barrier: async (name, count) => mm.barrier(name, count),
      mm,
    });
    return { type: 'result', measure };
  } catch (e) {
    // The first failure aborts the other threads; theirs are then secondary.
    const secondary = mm.flag(ABORT);
    mm.raise(ABORT);
    const message = e instanceof Error ? e.message : String(e);
    return {
      type: 'error',
      message,
      outcome: e instanceof ScriptError ? e.outcome : 'error',
      secondary,
      ...(e instanceof ScriptError ? { partial: e.partial } : {}),
    };
  }
}
