/** A backend's CaseResult → CSV rows (one per metric; one `case` row when there are none). */
import { SCHEMA_VERSION, metricDef, type Clock, type Row } from '../results/schema.js';
import { formatParams } from './params.js';
import { emulatedProfile } from '../results/emulated.js';
import type { CaseResult, CaseSpec } from '../backends/types.js';

export function resultRows(spec: CaseSpec, result: CaseResult, clock: Clock, runId: string): Row[] {
  const base = {
    schema_version: SCHEMA_VERSION,
    run_id: runId,
    case_id: spec.caseId,
    backend: spec.backend,
    design: spec.design,
    workload: spec.workload,
    // Rows from the SGX driver emulator never share a series with hardware rows.
    profile: spec.options['device']?.startsWith('emu:') ? emulatedProfile(spec.profile) : spec.profile,
    params: formatParams(spec.params),
    seed: spec.seed,
    repeat: spec.repeat,
    draw: spec.draw ?? 0,
    clock,
  };
  const rows: Row[] = [];
  for (const mv of result.metrics ?? []) {
    const def = metricDef(mv.metric);
    if (!def || !Number.isFinite(mv.value)) {
      const why = def ? `non-finite value ${mv.value}` : 'a metric the schema does not define';
      return [{ ...base, metric: 'case', unit: '', value: null, outcome: 'error', detail: `backend returned ${why} for '${mv.metric}'` }];
    }
    rows.push({
      ...base,
      metric: def.name,
      unit: def.unit,
      value: mv.value,
      outcome: result.outcome,
      detail: mv.detail ?? (result.outcome === 'ok' ? '' : result.detail),
    });
  }
  if (rows.length === 0) {
    rows.push({ ...base, metric: 'case', unit: '', value: null, outcome: result.outcome, detail: result.outcome === 'ok' ? 'no metrics' : result.detail });
  }
  return rows;
}
