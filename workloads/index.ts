/** The workload registry: names are part of the interface. */
import type { WorkloadSpec } from './types.js';
import { build } from './build.js';
import { concurrent } from './concurrent.js';
import { mmapContention } from './mmap-contention.js';
import { handover } from './handover.js';
import { shared } from './shared.js';
import { epcPressure } from './epc-pressure.js';
import { teardown } from './teardown.js';
import { replay } from './replay.js';

export const WORKLOADS: readonly WorkloadSpec[] = [build, concurrent, mmapContention, handover, shared, epcPressure, teardown, replay];

export function findWorkload(name: string): WorkloadSpec | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
