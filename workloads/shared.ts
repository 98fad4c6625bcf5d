/**
 * shared — one enclave mapped by `mms` processes, then EPC pressure from a second enclave
 * evicts its pages: for each page the reclaimer ages and zaps the PTE in every mm on the enclave's
 * list (an mmap_lock read hold and a TLB shootdown per page per mm) and IPIs the union of their
 * CPUs. Per-mm binding cannot share an enclave across mms (rejected for mms > 1).
 *
 * `via` is how the other mms get the enclave: `fd` (default) sends them the fd and each mmaps it
 * itself; `fork` has the owner fork them after its own mmap, so each child inherits the VMA and
 * the fd (mainline copies the VMA and `sgx_vma_open` adds the child's mm to the enclave's list;
 * isgx's VM_DONTCOPY leaves the child without it: rejected with that reason).
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
    {
      name: 'via',
      kind: 'choice',
      unit: 'choice',
      default: 'fd',
      choices: ['fd', 'fork'],
      description:
        'how the other mms get the enclave: fd = sent the fd, each mmaps it; fork = forked by the owner after its mmap, inheriting the VMA and the fd (model only)',
    },
  ],
  generate(values) {
    const mms = num(values, 'mms');
    const size = num(values, 'size');
    const pages = size / 4096;
    const measure = num(values, 'measure') === 1;
    const all = mms + 1;
    const forked = values['via'] === 'fork';
    const owner: Op[] = [...buildOps(1, size, measure, true, 0), mapOp(values, 1), { op: 'touch', enclave: 1, offset: 0, pages }];
    const inside = num(values, 'inside');
    for (let i = 2; i <= mms; i++)
      owner.push(forked ? (inside > 0 ? { op: 'fork', child: i, inside } : { op: 'fork', child: i }) : { op: 'send-fd', enclave: 1, to: i });
    owner.push(
      { op: 'barrier', name: 'mapped', count: all },
      { op: 'barrier', name: 'pressured', count: all },
      { op: 'touch', enclave: 1, offset: 0, pages },
      { op: 'exit' },
    );
    const processes: ProcessScript[] = [{ pid: 1, name: 'owner', role: 'owner', mm: 1, startNs: 0, ops: owner }];
    // A forked mapper already has the mapping (and the fd) when it starts.
    const share: Op[] = forked ? [] : [{ op: 'recv-fd', enclave: 1 }, mapOp(values, 1)];
    for (let i = 2; i <= mms; i++) {
      processes.push({
        pid: i,
        name: `mapper${i}`,
        role: 'mapper',
        mm: i,
        startNs: 0,
        ...(forked ? { forkedBy: 1 } : {}),
        ops: [
          ...share,
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
    return { processes, background: [], needs: { sharedMms: mms, ...(forked ? { forked: true } : {}), inside } };
  },
};
