/** concurrent — `builders` processes (separate mms) each build their own enclave at once. */
import { builderProcess, buildOpsFrom, buildParams, destroyOps, destroyParam, num } from './common.js';
import type { ProcessScript, WorkloadSpec } from './types.js';

export const concurrent: WorkloadSpec = {
  name: 'concurrent',
  description: '`builders` processes each build their own enclave at the same time; reports throughput and the spread of build times',
  params: [
    ...buildParams('8MiB'),
    { name: 'builders', kind: 'int', unit: 'count', default: 4, min: 1, max: 4096, description: 'builder processes, each with its own mm and enclave' },
    destroyParam,
  ],
  generate(values) {
    const processes: ProcessScript[] = [];
    for (let i = 1; i <= num(values, 'builders'); i++) {
      processes.push(builderProcess(i, [...buildOpsFrom(values, i), ...destroyOps(values, i), { op: 'exit' }]));
    }
    return { processes, background: [], needs: {} };
  },
};
