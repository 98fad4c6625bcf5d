/**
 * Executes one process's script of operations on the device with real ioctls (or on a fake
 * SgxSys in tests), timing each with the wall clock. Every enclave is cleaned up on every
 * path out, error or not.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Op, ProcessScript } from '../../workloads/types.js';
import type { Driver } from './detect.js';
import { opsVerdict } from './compat.js';
import { Enclave, NotMeasurableOnDevice, SourcePool, UnsupportedOnDevice, type SgxSys } from './enclave.js';
import type { ProcessMeasure } from './metrics.js';
import { ABORT, AbortedByOtherThread, EXITED, type MmShared } from './mm-shared.js';
import { MrEnclave, PAGE_SIZE, secinfoFlags, signSigstruct } from './structs.js';
import { SysTrace } from './trace.js';
import type { TraceArgs } from '../../common/trace/recorder.js';

type AddOp = Extract<Op, { op: 'add' }>;

/** How a script reaches the outside: fd passing and barriers (no-ops for a lone process). */
export interface ScriptLinks {
  sendFd(to: number, fd: number, payload: Buffer): void;
  recvFd(): { fd: number; data: ArrayBuffer };
  barrier(name: string, count: number): Promise<void>;
  /** Set when the script is one thread of a process with others: the mm's shared enclaves and flags. */
  readonly mm?: MmShared;
}

export interface ScriptEnv {
  readonly sys: SgxSys;
  readonly driver: Driver;
  readonly device: string;
  /** Pages per add ioctl on mainline (0: as many as the source buffer holds). */
  readonly batchPages: number;
  readonly src: SourcePool;
  /** Signing key for EINIT's SIGSTRUCT; without one, `init` ops are skipped with a note. */
  readonly key?: KeyObject;
  readonly links: ScriptLinks;
  /** Set when the case is traced: each op becomes a slice (`sys` is already wrapped by it). */
  readonly trace?: SysTrace;
}

/** How a failed script ends its case: `rejected` (the design cannot do it), `skipped` (this device cannot measure it), or `error`. */
export type ScriptOutcome = 'rejected' | 'skipped' | 'error';

/** An error in one op, naming the op and keeping what was measured before it. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly partial: ProcessMeasure,
    readonly outcome: ScriptOutcome,
  ) {
    super(message);
  }
  /** The driver cannot express the request (the case is rejected, not failed). */
  get unsupported(): boolean {
    return this.outcome === 'rejected';
  }
}

const now = (): number => Number(process.hrtime.bigint());

/**
 * MRENCLAVE of what `add` ops will put in, with the source pages the binding reads (cyclic
 * reuse): `src` for REG pages, `tcsSrc` (SourcePool.tcs) for TCS pages.
 */
export function plannedMeasurement(size: number, adds: readonly AddOp[], src: ArrayBuffer, tcsSrc: ArrayBuffer = src): Buffer {
  const mr = new MrEnclave().ecreate(size, 1);
  for (const a of adds) {
    const flags = secinfoFlags(a.type, a.perm);
    const bytes = Buffer.from(a.type === 'tcs' ? tcsSrc : src);
    const srcPages = Math.floor(bytes.length / PAGE_SIZE);
    for (let k = 0; k < a.pages; k++) {
      const at = (k % srcPages) * PAGE_SIZE;
      mr.addPage((a.offset + k) * PAGE_SIZE, flags, a.measure, bytes.subarray(at, at + PAGE_SIZE));
    }
  }
  return mr.digest();
}

function describe(op: Op): string {
  return 'enclave' in op ? `${op.op} (enclave ${op.enclave})` : op.op;
}

/** An op's slice name and arguments in a trace. */
function opSlice(op: Op): [string, TraceArgs | undefined] {
  switch (op.op) {
    case 'add':
      return [`add ${op.type}`, { enclave: op.enclave, offset: op.offset, pages: op.pages }];
    case 'touch':
      return ['touch', { enclave: op.enclave, offset: op.offset, pages: op.pages }];
    case 'barrier':
      return [`barrier ${op.name}`, { count: op.count }];
    case 'send-fd':
      return ['send-fd', { enclave: op.enclave, to: op.to }];
    case 'think':
      // The planned time (the scenario's arrival gap), beside the slice's measured duration.
      return ['think', { ns: op.ns }];
    default:
      return [op.op, 'enclave' in op ? { enclave: op.enclave } : undefined];
  }
}

export async function runScript(script: ProcessScript, ops: readonly Op[], env: ScriptEnv): Promise<ProcessMeasure> {
  const enclaves = new Map<number, Enclave>();
  const all: Enclave[] = [];
  const sigstructs = new Map<number, Buffer>();
  const ready: number[] = [];
  let ebusy = 0;
  // A client's arrival is the end of its first think (open-loop arrival after the pool barrier),
  // else the start of its script; it is ready at its first touch — whether the enclave came by
  // fd or was built by the client itself (ifNoHandover). Same definition as the model's.
  let arrival = now();
  let arrived = false;
  let readyRecorded = false;
  const measure = (): ProcessMeasure => ({
    pid: script.pid,
    enclaves: all.map((e) => e.times),
    ready,
    ebusy,
  });
  // Ops this driver cannot serve are answered before any syscall.
  const verdict = opsVerdict(script.name, ops, env.driver);
  if (!verdict.run) throw new ScriptError(verdict.detail, measure(), verdict.outcome);
  const mm = env.links.mm;
  /** This process's view of an enclave, or undefined when no thread of it has created one. */
  const find = (op: Op & { enclave: number }): Enclave | undefined => {
    let e = enclaves.get(op.enclave);
    const shared = e === undefined ? mm?.lookup(op.enclave) : undefined;
    if (shared && mm) {
      // Created by another thread of this process: same fd and range.
      e = Enclave.shareIn(env.sys, env.driver, env.device, shared.fd, shared.base, shared.size, mm.guard(op.enclave));
      enclaves.set(op.enclave, e);
      all.push(e);
    }
    return e;
  };
  const get = (op: Op & { enclave: number }): Enclave => {
    const e = find(op);
    if (!e) throw new Error(`enclave ${op.enclave} does not exist in process ${script.name}`);
    return e;
  };

  let i = 0;
  let opStart = 0;
  const trace = env.trace;
  try {
    for (; i < ops.length; i++) {
      const op = ops[i]!;
      if (trace) opStart = now();
      if (mm?.flag(ABORT)) throw new AbortedByOtherThread('another thread of the process failed');
      // Another thread ran `exit`: this thread stops at its next op boundary.
      if (mm?.flag(EXITED)) break;
      switch (op.op) {
        case 'create': {
          const e = new Enclave(env.sys, env.driver, env.device, op.size);
          enclaves.set(op.enclave, e);
          all.push(e);
          // The SIGSTRUCT is prepared before the clock starts: hashing is not part of the build.
          const adds = ops.filter((o): o is AddOp => o.op === 'add' && o.enclave === op.enclave);
          if (env.key && ops.some((o) => o.op === 'init' && o.enclave === op.enclave)) {
            const t0 = trace ? now() : 0;
            const pages = adds.reduce((m, a) => Math.max(m, a.type === 'tcs' ? 1 : a.pages), 1);
            const tcsPages = adds.reduce((m, a) => Math.max(m, a.type === 'tcs' ? a.pages : 1), 1);
            const mr = plannedMeasurement(op.size, adds, env.src.get(pages * PAGE_SIZE), env.src.tcs(tcsPages * PAGE_SIZE));
            sigstructs.set(op.enclave, signSigstruct({ enclaveHash: mr }, env.key));
            trace?.span('SIGSTRUCT (measure and sign, untimed)', t0, now());
          }
          e.create();
          if (mm) {
            mm.publish(op.enclave, { fd: e.fd, base: e.base, size: e.size }, env.driver === 'isgx');
            e.guard = mm.guard(op.enclave);
          }
          break;
        }
        case 'add': {
          if (op.userNs !== undefined && op.userNs > 0)
            throw new NotMeasurableOnDevice(
              "user_ns is a model parameter (a loader's user-space work per page); on hardware the loader's own work is what it is",
            );
          const e = get(op);
          try {
            e.add(env.src, op.offset, op.pages, op.type, op.perm, op.measure, env.batchPages);
          } catch (err) {
            const code = (err as { code?: string }).code;
            if (code === 'EBUSY') ebusy++;
            // Another thread of the process tore the enclave down first (teardown): the driver's
            // answer to an ioctl on the closed fd (EBADF), or, in isgx, to an ADD_PAGE whose VMA
            // is gone (sgx_get_encl: EINVAL); this thread's adds end there, as in the model.
            const closed = code === 'EBADF' && e.guard?.isClosed() === true;
            const unmapped = code === 'EINVAL' && env.driver === 'isgx' && e.guard?.isUnmapped() === true;
            if (closed || unmapped) {
              const why = closed ? 'had closed the enclave fd' : 'had unmapped the enclave';
              e.times.notes.push(`${err instanceof Error ? err.message : String(err)}: another thread of the process ${why}`);
              break;
            }
            throw err;
          }
          break;
        }
        case 'init': {
          const e = get(op);
          const sig = sigstructs.get(op.enclave);
          if (env.driver === 'isgx') e.init(sig ?? Buffer.alloc(1808), true);
          else if (sig) e.init(sig);
          else e.times.notes.push('EINIT not run: no signing key');
          break;
        }
        case 'map':
          get(op).map();
          break;
        case 'unmap':
          // Nothing to unmap before any thread of the process created the enclave (as the model).
          find(op)?.unmap();
          break;
        case 'destroy':
          // munmap when mapped (a no-op otherwise), then close: the times land in teardown_time.
          get(op).unmap();
          get(op).close();
          break;
        case 'touch':
          get(op).touch(op.offset, op.pages);
          if (script.role === 'client' && !readyRecorded) {
            readyRecorded = true;
            ready.push(now() - arrival);
          }
          break;
        case 'send-fd': {
          const e = get(op);
          env.links.sendFd(op.to, e.fd, Buffer.from(JSON.stringify({ enclave: op.enclave, base: e.base.toString(), size: e.size })));
          // A sender that uses the enclave later shares it (the `shared` workload's owner keeps
          // its fd and mapping); otherwise the daemon's copy is closed: the client now holds it.
          if (!ops.slice(i + 1).some((o) => 'enclave' in o && o.enclave === op.enclave)) {
            e.cleanup();
            enclaves.delete(op.enclave);
          }
          break;
        }
        case 'recv-fd': {
          const { fd, data } = env.links.recvFd();
          const meta = JSON.parse(Buffer.from(data).toString('utf8')) as { base: string; size: number };
          const e = Enclave.adopt(env.sys, env.device, fd, BigInt(meta.base), meta.size);
          enclaves.set(op.enclave, e);
          break;
        }
        case 'close':
          find(op)?.close();
          break;
        case 'think':
          await new Promise((r) => setTimeout(r, op.ns / 1e6));
          if (!arrived) {
            arrived = true;
            arrival = now();
          }
          break;
        case 'settle':
          // Mainline only (isgx was answered by opsVerdict above): ADD_PAGES is synchronous.
          get(op).settle();
          break;
        case 'barrier':
          await env.links.barrier(op.name, op.count);
          break;
        case 'exit':
          mm?.raise(EXITED);
          i = ops.length;
          break;
        case 'fork':
          // Answered before any syscall (compat.ts opsVerdict: skipped); never reached.
          throw new Error('fork is not run by the hardware backend (compat.ts opsVerdict skips it)');
        default: {
          // A new op kind must be handled above or answered in opsVerdict; this fails to compile until it is.
          const unknown: never = op;
          throw new Error(`op kind ${(unknown as { op: string }).op} is not handled by the hardware backend`);
        }
      }
      if (trace) {
        const [name, args] = opSlice(op);
        trace.span(name, opStart, now(), args);
      }
    }
    return measure();
  } catch (err) {
    const op = ops[i];
    if (trace && op) {
      const [name, args] = opSlice(op);
      trace.span(name, opStart, now(), { ...args, error: err instanceof Error ? err.message.slice(0, 80) : String(err) });
    }
    const msg = `${script.name}: op ${i + 1} ${op ? describe(op) : ''}: ${err instanceof Error ? err.message : String(err)}`;
    throw new ScriptError(msg, measure(), err instanceof UnsupportedOnDevice ? 'rejected' : err instanceof NotMeasurableOnDevice ? 'skipped' : 'error');
  } finally {
    for (const e of enclaves.values()) e.cleanup();
    for (const e of all) e.cleanup();
  }
}

/**
 * A script to run in another process or thread, as plain data that crosses a fork or a worker
 * boundary (the key travels as PEM).
 */
export interface ScriptJob {
  readonly script: ProcessScript;
  readonly ops: readonly Op[];
  readonly driver: Driver;
  readonly device: string;
  readonly batchPages: number;
  readonly keyPem?: string;
  /** Wait this long before starting (open-loop arrivals). */
  readonly startDelayMs: number;
  /** Set when the case is traced: the trace process this thread's track belongs to. */
  readonly trace?: { readonly process: string };
}

/** Waits for the job's start time, then runs its script on `sys` with `links` (traced when the job says). */
export async function runScriptJob(job: ScriptJob, sys: SgxSys, links: ScriptLinks): Promise<ProcessMeasure> {
  const trace = job.trace ? new SysTrace(job.trace.process, job.script.name) : undefined;
  if (job.startDelayMs > 0) await new Promise((r) => setTimeout(r, job.startDelayMs));
  if (!trace) return runScript(job.script, job.ops, scriptEnv(job, sys, links));
  // Traced: the measure (or the error's partial one) carries what this thread recorded.
  try {
    return { ...(await runScript(job.script, job.ops, { ...scriptEnv(job, trace.wrap(sys), links), trace })), trace: trace.data() };
  } catch (e) {
    if (e instanceof ScriptError) throw new ScriptError(e.message, { ...e.partial, trace: trace.data() }, e.outcome);
    throw e;
  }
}

function scriptEnv(job: ScriptJob, sys: SgxSys, links: ScriptLinks): ScriptEnv {
  return {
    sys,
    driver: job.driver,
    device: job.device,
    batchPages: job.batchPages,
    src: new SourcePool(sys),
    ...(job.keyPem ? { key: createPrivateKey(job.keyPem) } : {}),
    links,
  };
}
