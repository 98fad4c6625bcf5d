/**
 * teardown — the owner unmaps the enclave or exits while adds are still in flight (queued on
 * kthread designs). As the real drivers do (release=ref), queued requests hold references, the
 * worker drops them once the enclave is dead, and the last put releases it; teardown_time runs
 * to the end of that release. Only the hypothetical release=sync, which flushes the queued work
 * under the unmapper's mmap_sem, ends in deadlock with the wait-for cycle. fd binding keeps the
 * enclave alive until close.
 */
import { buildOps, num, sizeParam } from './common.js';
import type { WorkloadSpec } from './types.js';

export const teardown: WorkloadSpec = {
  name: 'teardown',
  description:
    'the owner unmaps or exits while adds are still queued; reports the time to release (or, with the hypothetical release=sync, the deadlock cycle)',
  params: [
    sizeParam('size', '8MiB', 'bytes the builder thread adds'),
    { name: 'measure', kind: 'bool', unit: 'bool', default: 1, description: 'EEXTEND the added pages' },
    {
      name: 'after',
      kind: 'int',
      unit: 'ns',
      default: 2_000_000,
      min: 0,
      max: 1e12,
      description: 'model time (from the start of the build) at which the owner thread tears down',
    },
    {
      name: 'mode',
      kind: 'choice',
      unit: 'choice',
      default: 'unmap',
      choices: ['unmap', 'exit'],
      description: 'munmap the enclave (then close) or exit the process',
    },
  ],
  generate(values) {
    const size = num(values, 'size');
    // No EINIT and no settle: the owner tears down while adds are still queued.
    const builder = buildOps(1, size, num(values, 'measure') === 1, false, 0).filter((o) => o.op !== 'settle');
    builder.splice(1, 0, { op: 'map', enclave: 1 });
    const mode = values['mode'] === 'exit' ? 'exit' : 'unmap';
    return {
      processes: [
        { pid: 1, name: 'builder', role: 'builder', mm: 1, startNs: 0, ops: [...builder, { op: 'close', enclave: 1 }, { op: 'exit' }] },
        {
          pid: 2,
          name: 'owner',
          role: 'owner',
          mm: 1,
          startNs: num(values, 'after'),
          ops:
            mode === 'exit'
              ? [{ op: 'exit' }]
              : [
                  { op: 'unmap', enclave: 1 },
                  { op: 'close', enclave: 1 },
                ],
        },
      ],
      background: [],
      needs: {},
    };
  },
};
