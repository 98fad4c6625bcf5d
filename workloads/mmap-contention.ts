/**
 * mmap-contention — one builder plus application threads in the same mm doing page faults
 * (mmap_lock read) and mmap/munmap (mmap_lock write) at Poisson rates. Per-mm: the queue worker
 * takes the owner's mmap_sem for every page; mm-less: the builder holds its own mmap_lock (read)
 * for every page. Both per-page holds are EADD + EEXTENDs long, so without EPC pressure the
 * application sees the same tail in every design; the default 128 MiB (> the 93.5 MiB EPC of
 * skylake-client) adds reclaim, where the drivers differ: the per-mm reclaimer holds the owner's
 * mmap_sem across a whole 16-page batch (EWBs included), mainline's never takes the builder's mm
 * (the enclave is not mapped while it is built).
 */
import { buildOpsFrom, buildParams, num } from './common.js';
import type { WorkloadSpec } from './types.js';

export const mmapContention: WorkloadSpec = {
  name: 'mmap-contention',
  description: 'a builder plus application threads in the same mm doing page faults and mmap/munmap; reports the application latency next to the build',
  params: [
    ...buildParams('128MiB'),
    { name: 'threads', kind: 'int', unit: 'count', default: 2, min: 1, max: 64, description: "application threads of each kind in the builder's mm" },
    { name: 'fault_rate', kind: 'number', unit: '1/s', default: 20000, min: 1, max: 1e7, description: 'page faults per second per fault thread (Poisson)' },
    { name: 'mmap_rate', kind: 'number', unit: '1/s', default: 2000, min: 1, max: 1e7, description: 'mmap/munmap calls per second per churn thread (Poisson)' },
  ],
  generate(values) {
    const threads = num(values, 'threads');
    return {
      processes: [{ pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops: [...buildOpsFrom(values, 1), { op: 'map', enclave: 1 }] }],
      background: [
        { kind: 'faults', mm: 1, threads, ratePerS: num(values, 'fault_rate') },
        { kind: 'mmap-churn', mm: 1, threads, ratePerS: num(values, 'mmap_rate') },
      ],
      needs: {},
    };
  },
};
