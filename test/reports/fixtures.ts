/** Paths of the hand-made fixtures (the tests run from dist/test/reports/). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SCHEMA_VERSION, type Row } from '../../results/schema.js';

export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/reports/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export const HEADER = 'schema_version,run_id,case_id,backend,design,workload,profile,params,seed,repeat,clock,metric,unit,value,outcome,detail';

/**
 * One result row for a test: a model `build_time_p50` of mm-less, every other field a fixed
 * value; `over` sets the fields the test is about.
 */
export function testRow(over: Partial<Row> = {}): Row {
  return {
    schema_version: SCHEMA_VERSION,
    run_id: 'r',
    case_id: 'c',
    backend: 'model',
    design: 'mm-less',
    workload: 'build',
    profile: 'p',
    params: 'size=4096',
    seed: 1,
    repeat: 0,
    draw: 0,
    clock: 'model',
    metric: 'build_time_p50',
    unit: 'ns',
    value: 0,
    outcome: 'ok',
    detail: '',
    ...over,
  };
}
