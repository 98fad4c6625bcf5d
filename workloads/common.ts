/** Parameters and op sequences shared by the workloads. */
import type { Op, ParamSpec, ParamValues, ProcessScript } from './types.js';
import { mulberry32 } from '../common/prng.js';
import { PAGE_SIZE } from '../common/page.js';

export const PAGE = PAGE_SIZE;
/** Largest enclave the workloads describe: 256 GiB (the model keeps per-page state in typed arrays). */
export const MAX_SIZE = 256 * 1024 ** 3;

const pageMultiple = (v: number | string): string | undefined =>
  typeof v === 'number' && v % PAGE === 0 ? undefined : 'a multiple of 4096 bytes (whole pages)';

/** SECS size: 0 (round `size` up) or a power of two ≥ 8 KiB. */
const secsCheck = (v: number | string): string | undefined =>
  v === 0 || (typeof v === 'number' && v >= 8192 && Number.isInteger(Math.log2(v))) ? undefined : '0 (derive from size) or a power of two ≥ 8 KiB (8192 bytes)';

export function sizeParam(name: string, def: string | number, description: string): ParamSpec {
  return {
    name,
    kind: 'size',
    unit: 'bytes',
    default: typeof def === 'number' ? def : parseSizeConst(def),
    description,
    min: PAGE,
    max: MAX_SIZE,
    check: pageMultiple,
  };
}

function parseSizeConst(text: string): number {
  const m = /^(\d+)(KiB|MiB|GiB)$/.exec(text);
  if (!m) throw new Error(`bad size constant ${text}`);
  return Number(m[1]) * { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[m[2] as 'KiB' | 'MiB' | 'GiB'];
}

/** The build parameters every building workload shares (size, measure, batch, init, secs_size). */
export function buildParams(defaultSize: string): ParamSpec[] {
  return [
    sizeParam('size', defaultSize, 'bytes added to each enclave (one TCS page, the rest regular pages)'),
    { name: 'measure', kind: 'bool', unit: 'bool', default: 1, description: 'EEXTEND every added page (16 × 256 B) or none' },
    {
      name: 'batch',
      kind: 'int',
      unit: 'pages',
      default: 1048576,
      min: 1,
      max: 1048576,
      description: 'pages per add ioctl, where the design allows (the design knob batch caps it; per-mm: always 1)',
    },
    { name: 'init', kind: 'bool', unit: 'bool', default: 1, description: 'run EINIT at the end of the build' },
    {
      name: 'secs_size',
      kind: 'size',
      unit: 'bytes',
      default: 0,
      min: 0,
      max: MAX_SIZE,
      check: secsCheck,
      description: 'SECS (ELRANGE) size; 0 = size rounded up to a power of two ≥ 8 KiB',
    },
  ];
}

export function num(values: ParamValues, key: string): number {
  const v = values[key];
  if (typeof v !== 'number') throw new Error(`parameter '${key}' is missing or not a number`);
  return v;
}

/** The SECS size for `bytes` added: `secs_size` when given, else the next power of two ≥ max(bytes, 8 KiB). */
export function secsSize(bytes: number, secs: number): number {
  if (secs > 0) return secs;
  let s = 8192;
  while (s < bytes) s *= 2;
  return s;
}

/** ECREATE, one TCS page, the rest as measured (or unmeasured) regular pages, then EINIT (or settle without it). */
export function buildOps(enclave: number, bytes: number, measure: boolean, init: boolean, secs: number): Op[] {
  const pages = bytes / PAGE;
  const mask = measure ? 0xffff : 0;
  const ops: Op[] = [{ op: 'create', enclave, size: secsSize(bytes, secs) }];
  ops.push({ op: 'add', enclave, offset: 0, pages: 1, type: 'tcs', perm: 0, measure: mask });
  if (pages > 1) ops.push({ op: 'add', enclave, offset: 1, pages: pages - 1, type: 'reg', perm: 7, measure: mask });
  ops.push(init ? { op: 'init', enclave } : { op: 'settle', enclave });
  return ops;
}

/** The destroy phase switch of build, concurrent and epc-pressure. */
export const destroyParam: ParamSpec = {
  name: 'destroy',
  kind: 'bool',
  unit: 'bool',
  default: 0,
  description: 'after the build (and EINIT), the owner unmaps and closes the enclave; reports destroy_time and lifecycle_time',
};

/** The destroy op when `destroy=1`, else nothing. */
export function destroyOps(values: ParamValues, enclave: number): Op[] {
  return num(values, 'destroy') === 1 ? [{ op: 'destroy', enclave }] : [];
}

/** Threads that run inside an enclave once it is ready (shared, epc-pressure, handover). */
export const insideParam: ParamSpec = {
  name: 'inside',
  kind: 'int',
  unit: 'count',
  default: 0,
  min: 0,
  max: 64,
  description:
    'threads of each process that run inside its enclave once it is ready (EENTER): EWB finds them and the reclaimer IPIs their CPUs; model only (0 on hardware)',
};

/** A map op with `inside` threads entering the enclave afterwards (none when inside=0). */
export function mapOp(values: ParamValues, enclave: number): Op {
  const inside = num(values, 'inside');
  return inside > 0 ? { op: 'map', enclave, inside } : { op: 'map', enclave };
}

/** Standard build ops from the shared parameters. */
export function buildOpsFrom(values: ParamValues, enclave: number, bytes = num(values, 'size')): Op[] {
  return buildOps(enclave, bytes, num(values, 'measure') === 1, num(values, 'init') === 1, num(values, 'secs_size'));
}

/** A small seeded generator for arrival times (mulberry32); workloads stay independent of any backend. */
export function arrivals(seed: number, count: number, ratePerS: number): number[] {
  const next = mulberry32(seed ^ 0x9e3779b9);
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += Math.round((-Math.log(1 - next()) / ratePerS) * 1e9);
    out.push(t);
  }
  return out;
}

/** Builder process `i` (pid and mm `i`, its own mm), running `ops` from the start. */
export function builderProcess(i: number, ops: Op[]): ProcessScript {
  return { pid: i, name: `builder${i}`, role: 'builder', mm: i, startNs: 0, ops };
}
