/**
 * Runs a scenario's processes as real processes: one child per mm (child_process.fork), with a
 * SOCK_SEQPACKET socketpair per receiving process for SCM_RIGHTS handover and barriers relayed
 * through the parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op, ProcessScript } from '../../workloads/types.js';
import type { NativeBinding } from './binding.js';
import type { Driver } from './detect.js';
import type { ProcessMeasure } from './metrics.js';
import type { ScriptJob, ScriptOutcome } from './script.js';

export interface ChildJob extends ScriptJob {
  /** Inherited descriptor numbers in the child. */
  readonly recvSock?: number;
  readonly sendSocks: Readonly<Record<string, number>>;
}
export type ParentMessage = { type: 'job'; job: ChildJob } | { type: 'release'; name: string };
export type ChildReply =
  | { type: 'result'; measure: ProcessMeasure }
  | { type: 'barrier'; name: string; count: number }
  | { type: 'error'; message: string; outcome: ScriptOutcome; partial?: ProcessMeasure };

export interface ProcessesOutcome {
  readonly measures: ProcessMeasure[];
  /** `secondary`: the process was stopped because another one failed first. */
  readonly errors: { pid: number; message: string; outcome: ScriptOutcome; secondary?: boolean }[];
}

export async function runProcesses(
  sys: NativeBinding,
  scripts: readonly { script: ProcessScript; ops: readonly Op[] }[],
  common: { driver: Driver; device: string; batchPages: number; keyPem?: string; trace?: boolean },
): Promise<ProcessesOutcome> {
  const { trace, ...shared } = common;
  const childFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');
  // One socketpair per receiver: it reads end [1], every sender to it writes end [0].
  const pairs = new Map<number, [number, number]>();
  for (const { ops } of scripts) {
    for (const op of ops) if (op.op === 'send-fd' && !pairs.has(op.to)) pairs.set(op.to, sys.socketpair());
  }
  const children: ChildProcess[] = [];
  const measures: ProcessMeasure[] = [];
  const errors: ProcessesOutcome['errors'] = [];
  const arrived = new Map<string, ChildProcess[]>();
  // Once one process fails, the others may wait forever at a barrier it will never reach:
  // stop them, and say why in their rows instead of "exited before reporting".
  let failed: string | undefined;
  const abortOthers = (who: string): void => {
    failed ??= who;
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.connected) c.kill();
  };
  const t0 = scripts.reduce((m, s) => Math.min(m, s.script.startNs), Infinity);

  const done = scripts.map(({ script, ops }) => {
    const extra: number[] = [];
    const sendSocks: Record<string, number> = {};
    let recvSock: number | undefined;
    const pair = pairs.get(script.pid);
    if (pair && ops.some((o) => o.op === 'recv-fd')) {
      recvSock = 4 + extra.length;
      extra.push(pair[1]);
    }
    for (const op of ops) {
      if (op.op === 'send-fd' && sendSocks[String(op.to)] === undefined) {
        sendSocks[String(op.to)] = 4 + extra.length;
        extra.push(pairs.get(op.to)![0]);
      }
    }
    const child = fork(childFile, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...extra] });
    children.push(child);
    const job: ChildJob = {
      script,
      ops,
      ...shared,
      startDelayMs: (script.startNs - t0) / 1e6,
      sendSocks,
      ...(recvSock === undefined ? {} : { recvSock }),
      // Each child is its own trace process, named by its script.
      ...(trace ? { trace: { process: script.name } } : {}),
    };
    return new Promise<void>((resolve) => {
      let settled = false;
      child.on('message', (raw: unknown) => {
        const m = raw as ChildReply;
        if (m.type === 'barrier') {
          const list = arrived.get(m.name) ?? [];
          list.push(child);
          arrived.set(m.name, list);
          if (list.length >= m.count) for (const c of list) c.send({ type: 'release', name: m.name } satisfies ParentMessage);
        } else if (m.type === 'result') {
          measures.push(m.measure);
          settled = true;
          child.disconnect();
        } else {
          if (m.partial) measures.push(m.partial);
          errors.push({ pid: script.pid, message: m.message, outcome: m.outcome });
          settled = true;
          child.disconnect();
          abortOthers(script.name);
        }
      });
      child.on('exit', (code, signal) => {
        if (!settled) {
          if (failed !== undefined && failed !== script.name) {
            errors.push({ pid: script.pid, message: `${script.name} stopped after ${failed} failed`, outcome: 'error', secondary: true });
          } else {
            errors.push({ pid: script.pid, message: `${script.name} exited (${signal ?? `status ${code}`}) before reporting`, outcome: 'error' });
            abortOthers(script.name);
          }
        }
        resolve();
      });
      child.send({ type: 'job', job } satisfies ParentMessage);
    });
  });
  // The children hold their own copies now; the parent's would keep a receiver blocked after its sender died.
  for (const [a, b] of pairs.values()) {
    sys.close(a);
    sys.close(b);
  }
  try {
    await Promise.all(done);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
  return { measures, errors };
}
