/** build — one process builds one enclave (ECREATE, EADD/EEXTEND × N, EINIT), then optionally destroys it. */
import { buildOpsFrom, buildParams, destroyOps, destroyParam, num } from './common.js';
import type { Op, WorkloadSpec } from './types.js';

/** The add ops with `userNs` per page (0 leaves them as they are). */
function withUserWork(ops: Op[], userNs: number): Op[] {
  return userNs === 0 ? ops : ops.map((o) => (o.op === 'add' ? { ...o, userNs } : o));
}

export const build: WorkloadSpec = {
  name: 'build',
  description: 'one process builds one enclave of `size` bytes; reports build time, ioctl latency and per-page cost',
  params: [
    ...buildParams('64MiB'),
    destroyParam,
    {
      name: 'user_ns',
      kind: 'number',
      unit: 'ns',
      default: 0,
      min: 0,
      max: 1e6,
      description: "user-space CPU work per added page before its add ioctl (a loader's own work; model only: the sgx backend skips such cases)",
    },
  ],
  generate(values) {
    return {
      processes: [
        {
          pid: 1,
          name: 'builder',
          role: 'builder',
          mm: 1,
          startNs: 0,
          ops: [...withUserWork(buildOpsFrom(values, 1), num(values, 'user_ns')), ...destroyOps(values, 1), { op: 'exit' }],
        },
      ],
      background: [],
      needs: {},
    };
  },
};
