/**
 * epc-pressure — `builders` processes build enclaves of `total`/`builders` bytes each, from
 * below the EPC size to several times it (every enclave stays alive until all are built); optional mmap/munmap churn in each builder's mm
 * (writers queued on mmap_lock: the condition of the direct-reclaim hazard).
 */
import { builderProcess, buildOps, destroyOps, destroyParam, insideParam, mapOp, num, PAGE, sizeParam } from './common.js';
import type { Background, ProcessScript, WorkloadSpec } from './types.js';

export const epcPressure: WorkloadSpec = {
  name: 'epc-pressure',
  description: 'enclaves whose total size goes from below the EPC to several times it; reports evictions, reclaim time and build time',
  params: [
    sizeParam('total', '192MiB', 'bytes added over all builders (split evenly, whole pages)'),
    { name: 'builders', kind: 'int', unit: 'count', default: 2, min: 1, max: 4096, description: 'builder processes, each with its own mm and enclave' },
    { name: 'measure', kind: 'bool', unit: 'bool', default: 1, description: 'EEXTEND the added pages' },
    { name: 'churn', kind: 'number', unit: '1/s', default: 0, min: 0, max: 1e7, description: "mmap/munmap calls per second in each builder's mm (0 = none)" },
    destroyParam,
    insideParam,
  ],
  generate(values) {
    const builders = num(values, 'builders');
    const each = Math.max(1, Math.floor(num(values, 'total') / PAGE / builders)) * PAGE;
    const processes: ProcessScript[] = [];
    const background: Background[] = [];
    for (let i = 1; i <= builders; i++) {
      processes.push(
        builderProcess(i, [
          ...buildOps(i, each, num(values, 'measure') === 1, true, 0),
          // Threads inside (inside > 0) run once the enclave is ready, while the others still build.
          ...(num(values, 'inside') > 0 ? [mapOp(values, i)] : []),
          { op: 'barrier', name: 'built', count: builders },
          ...destroyOps(values, i),
          { op: 'exit' },
        ]),
      );
      if (num(values, 'churn') > 0) background.push({ kind: 'mmap-churn', mm: i, threads: 1, ratePerS: num(values, 'churn') });
    }
    return { processes, background, needs: { inside: num(values, 'inside') } };
  },
};
