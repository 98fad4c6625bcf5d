/** Paths of the hand-made fixtures (the tests run from dist/test/reports/). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/reports/', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bench/cli.js', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export const HEADER = 'schema_version,run_id,case_id,backend,design,workload,profile,params,seed,repeat,clock,metric,unit,value,outcome,detail';
