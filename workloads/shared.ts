/**
 * shared — one enclave mapped by `mms` processes, then EPC pressure from a second enclave
 * evicts its pages: for each page the reclaimer ages and zaps the PTE in every mm on the enclave's
 * list (an mmap_lock read hold and a TLB shootdown per page per mm) and IPIs the union of their
 * CPUs. Per-mm binding cannot share an enclave across mms (rejected for mms > 1).
 */
import { buildOps, insideParam, mapOp, num, sizeParam } from './common.js';
import type { Op, ProcessScript, WorkloadSpec } from './types.js';

export const shared: WorkloadSpec = {
  name: 'shared',
  description: "one enclave mapped by `mms` processes while another enclave's build evicts it; reports reclaim cost against mms",
  params: [
    // 64 MiB shared + 112 MiB pressure (1.9× the 93.5 MiB EPC of skylake-client): the mappers'
    // accesses make the shared pages young, so they rotate once behind the pressure pages already
    // added; this size lets most evictions after that be shared pages (then the owner's re-touch
    // ELDUs them back), so the per-page, per-mm reclaim cost shows in reclaim_per_page.
    sizeParam('size', '64MiB', 'bytes of the shared enclave'),
    { name: 'mms', kind: 'int', unit: 'count', default: 2, min: 1, max: 64, description: 'processes (mms) that map the shared enclave' },
    sizeParam('pressure', '112MiB', 'bytes of the second enclave, built after the mappings exist, that evicts the first'),
    { name: 'measure', kind: 'bool', unit: 'bool', default: 0, description: 'EEXTEND the added pages' },
    insideParam,
  ],
  generate(values) {
    const mms = num(values, 'mms');
    const size = num(values, 'size');
    const pages = size / 4096;
    const measure = num(values, 'measure') === 1;
    const all = mms + 1;
    const owner: Op[] = [...buildOps(1, size, measure, true, 0), mapOp(values, 1), { op: 'touch', enclave: 1, offset: 0, pages }];
    for (let i = 2; i <= mms; i++) owner.push({ op: 'send-fd', enclave: 1, to: i });
    owner.push(
      { op: 'barrier', name: 'mapped', count: all },
      { op: 'barrier', name: 'pressured', count: all },
      { op: 'touch', enclave: 1, offset: 0, pages },
      { op: 'exit' },
    );
    const processes: ProcessScript[] = [{ pid: 1, name: 'owner', role: 'owner', mm: 1, startNs: 0, ops: owner }];
    for (let i = 2; i <= mms; i++) {
      processes.push({
        pid: i,
        name: `mapper${i}`,
        role: 'mapper',
        mm: i,
        startNs: 0,
        ops: [
          { op: 'recv-fd', enclave: 1 },
          mapOp(values, 1),
          { op: 'touch', enclave: 1, offset: 0, pages },
          { op: 'barrier', name: 'mapped', count: all },
          { op: 'barrier', name: 'pressured', count: all },
          { op: 'exit' },
        ],
      });
    }
    processes.push({
      pid: 1000,
      name: 'pressure',
      role: 'builder',
      mm: 1000,
      startNs: 0,
      ops: [
        { op: 'barrier', name: 'mapped', count: all },
        ...buildOps(2, num(values, 'pressure'), false, true, 0),
        { op: 'barrier', name: 'pressured', count: all },
        { op: 'exit' },
      ],
    });
    return { processes, background: [], needs: { sharedMms: mms, inside: num(values, 'inside') } };
  },
};
