/** The piscina worker: one task is one case; the backend is loaded once per thread. */
import { loadBackend } from '../backends/index.js';
import type { Backend, BackendName, CaseResult, CaseSpec } from '../backends/types.js';

const loaded = new Map<BackendName, Backend>();

export default async function runCase(spec: CaseSpec): Promise<CaseResult> {
  let backend = loaded.get(spec.backend);
  if (!backend) {
    backend = await loadBackend(spec.backend);
    loaded.set(spec.backend, backend);
  }
  try {
    return await backend.runCase(spec);
  } catch (err) {
    return { outcome: 'error', detail: err instanceof Error ? err.message : String(err) };
  }
}
