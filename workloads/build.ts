/** build — one process builds one enclave (ECREATE, EADD/EEXTEND × N, EINIT), then optionally destroys it. */
import { buildOpsFrom, buildParams, destroyOps, destroyParam } from './common.js';
import type { WorkloadSpec } from './types.js';

export const build: WorkloadSpec = {
  name: 'build',
  description: 'one process builds one enclave of `size` bytes; reports build time, ioctl latency and per-page cost',
  params: [...buildParams('64MiB'), destroyParam],
  generate(values) {
    return {
      processes: [{ pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops: [...buildOpsFrom(values, 1), ...destroyOps(values, 1), { op: 'exit' }] }],
      background: [],
      needs: {},
    };
  },
};
