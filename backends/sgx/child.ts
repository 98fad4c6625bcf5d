/**
 * A separate process (its own mm) running one script on the device: forked by processes.ts.
 * Sockets for fd handover arrive as inherited stdio descriptors; barriers go through the
 * parent over the IPC channel.
 */
import { loadBinding } from './binding.js';
import { runScriptJob, ScriptError, type ScriptLinks } from './script.js';
import type { ChildJob, ChildReply, ParentMessage } from './processes.js';

const waiting = new Map<string, () => void>();
const send = (m: ChildReply): void => {
  process.send?.(m);
};

process.on('message', (raw: unknown) => {
  const m = raw as ParentMessage;
  if (m.type === 'release') {
    waiting.get(m.name)?.();
    waiting.delete(m.name);
  } else if (m.type === 'job') {
    void run(m.job);
  }
});

async function run(job: ChildJob): Promise<void> {
  const b = loadBinding();
  if (!b.ok) {
    send({ type: 'error', message: b.reason, outcome: 'error' });
    return;
  }
  const sys = b.binding;
  const links: ScriptLinks = {
    sendFd(to, fd, payload) {
      const sock = job.sendSocks[String(to)];
      if (sock === undefined) throw new Error(`no socket to process ${to}`);
      sys.sendFd(sock, fd, payload);
    },
    recvFd() {
      if (job.recvSock === undefined) throw new Error('no socket to receive an enclave fd on');
      return sys.recvFd(job.recvSock);
    },
    barrier(name, count) {
      return new Promise<void>((resolve) => {
        waiting.set(name, resolve);
        send({ type: 'barrier', name, count });
      });
    },
  };
  try {
    // Open-loop arrival: runScriptJob waits until this process's start time.
    const measure = await runScriptJob(job, sys, links);
    send({ type: 'result', measure });
  } catch (e) {
    send({
      type: 'error',
      message: e instanceof Error ? e.message : String(e),
      outcome: e instanceof ScriptError ? e.outcome : 'error',
      ...(e instanceof ScriptError ? { partial: e.partial } : {}),
    });
  }
}
