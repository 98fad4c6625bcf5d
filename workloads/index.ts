/** The workload registry: names are part of the interface. */
import type { WorkloadSpec } from './types.js';

export const WORKLOADS: readonly WorkloadSpec[] = [];

export function findWorkload(name: string): WorkloadSpec | undefined {
  return WORKLOADS.find((w) => w.name === name);
}
