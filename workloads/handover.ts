/**
 * handover — a daemon keeps a pool of pre-built enclaves; clients arrive open-loop (Poisson)
 * once the pool is built, and each needs a ready enclave (time-to-ready runs from arrival). With fd binding the daemon passes an enclave fd over a Unix
 * socket (SCM_RIGHTS) and builds a replacement; with mm binding an enclave cannot leave its
 * creator's mm, so every client builds its own (the design's answer, not an error).
 */
import { arrivals, buildOpsFrom, buildParams, insideParam, mapOp, num } from './common.js';
import type { Op, ProcessScript, WorkloadSpec } from './types.js';

export const handover: WorkloadSpec = {
  name: 'handover',
  description:
    'clients arrive (Poisson, `rate`/s) and need a ready enclave: a daemon hands over a pre-built fd (fd binding) or each client builds its own (mm binding); reports time-to-ready',
  params: [
    ...buildParams('8MiB'),
    { name: 'rate', kind: 'number', unit: '1/s', default: 10, min: 0.01, max: 1e6, description: 'client arrivals per second (Poisson, open loop)' },
    { name: 'clients', kind: 'int', unit: 'count', default: 8, min: 1, max: 4096, description: 'clients that arrive' },
    { name: 'pool', kind: 'int', unit: 'count', default: 2, min: 1, max: 256, description: 'enclaves the daemon keeps built ahead' },
    insideParam,
  ],
  generate(values, seed) {
    const clients = num(values, 'clients');
    const pool = Math.min(num(values, 'pool'), clients);
    const times = arrivals(seed, clients, num(values, 'rate'));
    // Arrivals start once the daemon's pool is built (the barrier), so the pool is warm.
    const start: Op = { op: 'barrier', name: 'pool-ready', count: clients + 1 };
    const daemon: Op[] = [];
    for (let e = 1; e <= pool; e++) daemon.push(...buildOpsFrom(values, e));
    daemon.push(start);
    const processes: ProcessScript[] = [];
    for (let i = 1; i <= clients; i++) {
      const pid = 100 + i;
      daemon.push({ op: 'send-fd', enclave: i, to: pid });
      if (i + pool <= clients) daemon.push(...buildOpsFrom(values, i + pool));
      const own = clients + i; // the enclave a client builds itself when handover is impossible
      processes.push({
        pid,
        name: `client${i}`,
        role: 'client',
        mm: pid,
        startNs: 0,
        ops: [
          start,
          { op: 'think', ns: times[i - 1]! },
          { op: 'recv-fd', enclave: i },
          mapOp(values, i),
          { op: 'touch', enclave: i, offset: 0, pages: 1 },
          { op: 'exit' },
        ],
        ifNoHandover: [
          start,
          { op: 'think', ns: times[i - 1]! },
          ...buildOpsFrom(values, own),
          mapOp(values, own),
          { op: 'touch', enclave: own, offset: 0, pages: 1 },
          { op: 'exit' },
        ],
      });
    }
    processes.unshift({ pid: 1, name: 'daemon', role: 'daemon', mm: 1, startNs: 0, ops: daemon, ifNoHandover: [start] });
    return { processes, background: [], needs: { handover: true, inside: num(values, 'inside') } };
  },
};
